"""Fault injection at the vendor boundary: botocore events for DynamoDB and S3, the filesystem
calls for ``efs``. The adapters' own error translation is part of what is tested."""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

import storage_backends.efs as efs_module

# kind of storage step -> how to recognise it
STEPS = ("create", "claim", "finish", "read")
ERRORS = ("throttle", "5xx", "timeout")


def _aws_error(error: str, operation: str) -> Exception:
    if error == "throttle":
        return ClientError(
            {
                "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            },
            operation,
        )
    if error == "5xx":
        return ClientError(
            {
                "Error": {"Code": "InternalServerError", "Message": "We encountered an internal error"},
                "ResponseMetadata": {"HTTPStatusCode": 500},
            },
            operation,
        )
    if operation in ("GetItem", "Query", "GetObject"):
        return ReadTimeoutError(endpoint_url="https://storage.test")
    return ConnectTimeoutError(endpoint_url="https://storage.test")


def _dynamodb_step(operation: str, params: dict[str, Any]) -> str | None:
    if operation in ("Query", "GetItem"):
        return "read"
    if operation == "PutItem":
        sk = params.get("Item", {}).get("sk", {}).get("S", "")
        condition = params.get("ConditionExpression", "")
        if sk == "job" and condition.startswith("attribute_not_exists"):
            return "create"
        if sk == "job" and condition.startswith("v ="):
            return "claim"
        if sk.startswith("outcome-"):
            return "finish"
    return None


def _s3_step(operation: str, params: dict[str, Any]) -> str | None:
    key = params.get("Key", "")
    if operation == "GetObject":
        return "read"
    if operation == "PutObject":
        if key.endswith("/job") and "IfNoneMatch" in params:
            return "create"
        if key.endswith("/job") and "IfMatch" in params:
            return "claim"
        if "/outcome-" in key:
            return "finish"
    return None


class Faults:
    """``faults.fail("claim", "5xx", times=2)`` makes the next two claims fail; ``times=None``
    fails until ``clear()``. ``hits`` counts the failures injected."""

    def __init__(self, store: Any, monkeypatch: Any) -> None:
        self.store = store
        self.plan: dict[str, tuple[str, int | None]] = {}
        self.hits: dict[str, int] = {}
        if store.name in ("dynamodb", "s3"):
            service = "dynamodb" if store.name == "dynamodb" else "s3"
            classify = _dynamodb_step if store.name == "dynamodb" else _s3_step
            store.client.meta.events.register(f"before-parameter-build.{service}", self._aws_hook(classify))
        elif store.name == "efs":
            self._patch_efs(monkeypatch)
        else:
            raise ValueError(f"no fault injection for {store.name}")

    def fail(self, step: str, error: str, times: int | None = 1) -> None:
        assert step in STEPS and error in ERRORS
        self.plan[step] = (error, times)

    def clear(self) -> None:
        self.plan.clear()

    def _due(self, step: str | None) -> str | None:
        if step is None or step not in self.plan:
            return None
        error, times = self.plan[step]
        if times is not None:
            if times <= 0:
                return None
            self.plan[step] = (error, times - 1)
        self.hits[step] = self.hits.get(step, 0) + 1
        return error

    def _aws_hook(self, classify: Callable[[str, dict[str, Any]], str | None]) -> Callable[..., None]:
        def hook(model: Any, params: dict[str, Any], **kwargs: Any) -> None:
            error = self._due(classify(model.name, params))
            if error:
                raise _aws_error(error, model.name)

        return hook

    def _patch_efs(self, monkeypatch: Any) -> None:
        real_link, real_replace, real_open = os.link, os.replace, builtins.open

        def oserror(error: str) -> OSError:
            import errno

            code = {"throttle": errno.EAGAIN, "5xx": errno.EIO, "timeout": errno.ETIMEDOUT}[error]
            return OSError(code, os.strerror(code))

        def link(src: str, dst: str, *a: Any, **k: Any) -> None:
            step = "create" if dst.endswith("/job") else "finish" if "/outcome-" in dst else None
            if error := self._due(step):
                raise oserror(error)
            real_link(src, dst, *a, **k)

        def replace(src: str, dst: str, *a: Any, **k: Any) -> None:
            if dst.endswith("/job") and (error := self._due("claim")):
                raise oserror(error)
            real_replace(src, dst, *a, **k)

        def open_(path: Any, mode: str = "r", *a: Any, **k: Any) -> Any:
            if mode == "rb" and str(path).endswith(("/job",)) and (error := self._due("read")):
                raise oserror(error)
            return real_open(path, mode, *a, **k)

        monkeypatch.setattr(efs_module.os, "link", link)
        monkeypatch.setattr(efs_module.os, "replace", replace)
        monkeypatch.setattr(efs_module, "open", open_, raising=False)
