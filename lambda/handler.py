"""Lambda entry point: the function's handler setting is ``handler.lambda_handler``."""

from sfasync_service.app import lambda_handler

__all__ = ["lambda_handler"]
