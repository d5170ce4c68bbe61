"""How a POST starts the separate processing invocation (SPEC §1 step 2).

An ``Invoker`` delivers a process event to *another* invocation of the same handler, without
waiting for it. On AWS that is Lambda invoking itself with ``InvocationType='Event'``; the local
server (``sfasync serve``) supplies its own invoker that runs the event in a worker process.
"""

from __future__ import annotations

import json
from typing import Any, Protocol


class InvokeError(RuntimeError):
    """The asynchronous invocation was refused; the POST answers 503 and Snowflake retries it."""


class Invoker(Protocol):
    def invoke_async(self, event: dict[str, Any], context: Any) -> None:
        """Start ``lambda_handler(event, ...)`` elsewhere, return at once; InvokeError if refused."""


class LambdaInvoker:
    """Lambda invoking itself: ``InvocationType="Event"`` on its own ARN, taken from the context."""

    def __init__(self, client: Any) -> None:
        self._client = client  # a boto3 Lambda client, created once per container

    def invoke_async(self, event: dict[str, Any], context: Any) -> None:
        arn = getattr(context, "invoked_function_arn", None)
        if not arn:
            raise InvokeError("no invoked_function_arn in the Lambda context; cannot self-invoke")
        try:
            response = self._client.invoke(
                FunctionName=arn, InvocationType="Event", Payload=json.dumps(event).encode()
            )
        except Exception as exc:  # botocore ClientError / transport errors
            raise InvokeError(f"asynchronous invoke of {arn} failed: {exc}") from exc
        status = response.get("StatusCode")
        if status != 202:
            raise InvokeError(f"asynchronous invoke of {arn} answered {status}, expected 202")
