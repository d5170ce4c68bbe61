"""What every AWS client of the service shares (storage, Lambda, Comprehend): construction with
fail-fast timeouts and standard retries, and error translation for the adapters."""

from __future__ import annotations

from typing import Any

from .base import StorageUnavailable

# Fail fast rather than hold an API Gateway request (29 s limit) on a sick dependency: a 503
# makes Snowflake retry. botocore's standard mode retries throttling and 5xx with backoff.
CLIENT_SETTINGS = {
    "connect_timeout": 3,
    "read_timeout": 10,
    "retries": {"mode": "standard", "max_attempts": 3},
    # One client serves every request thread of a process (the local server runs many).
    "max_pool_connections": 64,
}


def client(service: str, *, region: str | None = None, endpoint_url: str | None = None) -> Any:
    import boto3
    from botocore.config import Config

    kwargs: dict[str, Any] = {"config": Config(**CLIENT_SETTINGS)}
    if region:
        kwargs["region_name"] = region
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    return boto3.client(service, **kwargs)


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def unavailable(exc: BaseException, what: str) -> StorageUnavailable:
    code = error_code(exc) or type(exc).__name__
    return StorageUnavailable(f"{what}: {code}: {exc}")
