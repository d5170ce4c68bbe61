"""Drive ``lambda_handler`` in-process the way API Gateway and Lambda would: proxy events in,
process events captured by a recording invoker and delivered when the test says so."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass, field, replace
from typing import Any

from sfasync_service import app
from sfasync_service.config import Config
from sfasync_service.invokers import InvokeError
from storage_backends.base import JobStore

BATCH = "sf-external-function-query-batch-id"


class FakeClock:
    def __init__(self, start: float = 1_900_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class RecordingInvoker:
    events: list[dict[str, Any]] = field(default_factory=list)
    refuse: bool = False

    def invoke_async(self, event: dict[str, Any], context: Any) -> None:
        if self.refuse:
            raise InvokeError("Lambda refused the invoke (test)")
        self.events.append(json.loads(json.dumps(event)))  # what crosses the wire is JSON


class Context:
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:sfasync-test"
    function_name = "sfasync-test"
    aws_request_id = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def proxy_event(
    method: str,
    function: str = "echo",
    batch_id: str | None = "b1",
    body: Any = None,
    headers: dict[str, str] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    hdrs = {"sf-external-function-format": "json", "sf-external-function-format-version": "1.0"}
    if batch_id is not None:
        hdrs[BATCH] = batch_id
    hdrs.update(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode()
        base64_body = True
    return {
        "httpMethod": method,
        "resource": "/{function}",
        "path": f"/{function}",
        "pathParameters": {"function": function} if function else None,
        "headers": hdrs,
        "body": body,
        "isBase64Encoded": base64_body,
    }


def body_of(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        data = base64.b64decode(raw)
        if response["headers"].get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return json.loads(data)
    return json.loads(raw)


class Harness:
    def __init__(self, store: JobStore, config: Config | None = None, **config_changes: Any) -> None:
        self.store = store
        self.config = replace(config or Config(sentiment_engine="lexicon"), **config_changes)
        self.invoker = RecordingInvoker()
        self.clock = FakeClock()
        app.configure(config=self.config, store=store, invoker=self.invoker)
        app.runtime().machine.clock = self.clock

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        return app.lambda_handler(event, Context())

    def post(
        self, rows: list[list[Any]], function: str = "echo", batch_id: str = "b1", **kw: Any
    ) -> dict[str, Any]:
        return self.handle(proxy_event("POST", function, batch_id, {"data": rows}, **kw))

    def get(self, function: str = "echo", batch_id: str = "b1") -> dict[str, Any]:
        return self.handle(proxy_event("GET", function, batch_id))

    def run_pending(self) -> list[dict[str, Any]]:
        """Deliver every captured process event (as Lambda's async queue would)."""
        results = []
        while self.invoker.events:
            results.append(self.handle(self.invoker.events.pop(0)))
        return results
