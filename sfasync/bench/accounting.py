"""Request accounting (and the optional latency model) inside the server and its workers.

The bench starts each endpoint with ``SFASYNC_INSTRUMENT=sfasync.bench.accounting:Accounting`` and
``SFASYNC_ACCOUNTING_DIR=DIR``. Every process then appends one JSON line per handler invocation to
``DIR/acct-<pid>.jsonl`` (written and closed at once, so a killed worker loses at most its own):
the storage requests it made by kind, the bytes it wrote and read, the DynamoDB units it consumed,
its Comprehend calls and units, its duration and -- for a processing invocation -- its peak RSS.

What is counted, and how:

- DynamoDB and S3: botocore ``after-call`` events on the store's client (one per API call, after
  botocore's own retries; a failed conditional write or a 404 counts: AWS bills them).
- ``efs``: the adapter's primitives (read / write / delete -- the kinds of ``EFSJobStore.ops``),
  with the bytes they move.
- Comprehend: ``after-call`` on the Comprehend client.
- DynamoDB units, computed from item sizes as AWS defines them (attribute names + values): a write
  costs ceil(size / 1 KB) units per item (at least 1); a strongly consistent read ceil(size / 4 KB),
  for a Query the sum of the returned items rounded up once per request (at least 1); a delete
  costs the deleted item's size when the response returns it, else 1 unit. A replaced item is
  charged its new size (in both designs measured here the replaced item is the small record).

``SFASYNC_LATENCY_MODEL=aws`` adds a delay drawn from ``prices.LATENCIES`` before every request
sent (botocore ``before-send``; the adapter for ``efs``) and before a processing invocation runs
(Lambda's asynchronous dispatch).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import random
import resource
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sfasync.bench.prices import LATENCIES

ENV_DIR = "SFASYNC_ACCOUNTING_DIR"
ENV_LATENCY = "SFASYNC_LATENCY_MODEL"
STORAGE_SERVICES = ("dynamodb", "s3")
BATCH_HEADER = "sf-external-function-query-batch-id"


# -- DynamoDB item sizes and units -----------------------------------------------------------------
def number_size(text: str) -> int:
    """Bytes of a DynamoDB number: 1 byte per 2 significant digits, plus 1."""
    mantissa = text.strip().lstrip("+-").lower().split("e")[0].replace(".", "")
    digits = mantissa.strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def value_size(value: dict[str, Any]) -> int:
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        return number_size(raw)
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in raw)
    if kind == "NS":
        return sum(number_size(n) for n in raw)
    if kind == "BS":
        return sum(len(b) for b in raw)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in raw)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in raw.items())
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it: attribute names plus values."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, consistent: bool = True) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


@dataclass
class DynamoCost:
    write_units: float = 0.0
    read_units: float = 0.0
    bytes_written: int = 0
    bytes_read: int = 0


def dynamodb_cost(operation: str, params: dict[str, Any], parsed: dict[str, Any], ok: bool) -> DynamoCost:
    """Units and bytes of one DynamoDB request (``params`` as given to botocore, ``parsed`` its answer)."""
    cost = DynamoCost()
    consistent = bool(params.get("ConsistentRead"))
    if operation == "PutItem":
        size = item_size(params.get("Item", {}))
        cost.write_units = write_units(size)  # a failed condition still consumes the write
        cost.bytes_written = size if ok else 0
    elif operation == "UpdateItem":
        cost.write_units = write_units(item_size(parsed.get("Attributes", {})))
    elif operation == "DeleteItem":
        old = parsed.get("Attributes")
        cost.write_units = write_units(item_size(old)) if old else 1
    elif operation == "GetItem":
        size = item_size(parsed.get("Item", {}))
        cost.read_units = read_units(size, consistent)
        cost.bytes_read = size
    elif operation in ("Query", "Scan"):
        size = sum(item_size(item) for item in parsed.get("Items", []))
        cost.read_units = read_units(size, consistent)
        cost.bytes_read = size
    elif operation == "BatchWriteItem":
        for requests in params.get("RequestItems", {}).values():
            for request in requests:
                if "PutRequest" in request:
                    size = item_size(request["PutRequest"]["Item"])
                    cost.write_units += write_units(size)
                    cost.bytes_written += size
                else:
                    cost.write_units += 1
    elif operation == "BatchGetItem":
        for items in parsed.get("Responses", {}).values():
            for item in items:
                size = item_size(item)
                cost.read_units += read_units(size)
                cost.bytes_read += size
    return cost


def comprehend_units(text: str) -> int:
    """Comprehend bills units of 100 characters, at least 3 per document."""
    return max(3, math.ceil(len(text) / 100))


def _body_size(body: Any) -> int:
    """Bytes of a PutObject body (botocore turns bytes into a file-like object before we see it)."""
    if isinstance(body, bytes | bytearray):
        return len(body)
    if isinstance(body, str):
        return len(body.encode("utf-8"))
    try:
        position = body.tell()
        size = body.seek(0, os.SEEK_END)
        body.seek(position)
        return int(size)
    except (AttributeError, OSError, ValueError):
        return 0


# -- the latency model -----------------------------------------------------------------------------
class LatencyModel:
    """Log-normal delays with the median and 99th percentile of ``prices.LATENCIES``."""

    Z99 = 2.3263

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)

    def draw(self, name: str) -> float:
        """Seconds."""
        figure = LATENCIES[name]
        mu = math.log(figure["p50_ms"])
        sigma = math.log(figure["p99_ms"] / figure["p50_ms"]) / self.Z99
        return self._random.lognormvariate(mu, sigma) / 1000.0

    def sleep(self, name: str) -> None:
        time.sleep(self.draw(name))


# -- per invocation --------------------------------------------------------------------------------
@dataclass
class Record:
    kind: str
    batch: str = ""
    started: float = field(default_factory=time.time)
    requests: Counter[str] = field(default_factory=Counter)
    bytes_written: int = 0
    bytes_read: int = 0
    write_units: float = 0.0
    read_units: float = 0.0
    comprehend_calls: int = 0
    comprehend_units: int = 0

    def line(self, duration: float, rss_mb: float | None) -> str:
        return json.dumps(
            {
                "pid": os.getpid(),
                "kind": self.kind,
                "batch": self.batch,
                "started": self.started,
                "duration_s": duration,
                "storage_requests": dict(self.requests),
                "bytes_written": self.bytes_written,
                "bytes_read": self.bytes_read,
                "dynamodb_write_units": self.write_units,
                "dynamodb_read_units": self.read_units,
                "comprehend_calls": self.comprehend_calls,
                "comprehend_units": self.comprehend_units,
                "peak_rss_mb": rss_mb,
            },
            separators=(",", ":"),
        )


def classify(event: Any) -> tuple[str, str]:
    """(kind, batch) of a handler event: ``post``/``get`` for HTTP, ``sweep``, else ``process``."""
    if not isinstance(event, dict):
        return "other", ""
    if "httpMethod" in event:
        headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
        return str(event["httpMethod"]).lower(), str(headers.get(BATCH_HEADER, ""))
    if event.get("sfasync") == "sweep":
        return "sweep", ""
    return "process", str(event.get("key") or event.get("batch_id") or "")


class Accounting:
    """The ``SFASYNC_INSTRUMENT`` factory (see ``sfasync_service.instrument``)."""

    def __init__(self) -> None:
        self.directory = os.environ.get(ENV_DIR, "")
        model = os.environ.get(ENV_LATENCY, "none").strip().lower()
        self.latency = LatencyModel() if model == "aws" else None
        self._local = threading.local()
        self._write_lock = threading.Lock()

    # -- hooks ------------------------------------------------------------------------------------
    def client(self, client: Any) -> Any:
        events = client.meta.events
        service = client.meta.service_model.service_name
        events.register("before-parameter-build", self._remember_params)
        events.register("after-call", functools.partial(self._after_call, service))
        if self.latency is not None:
            events.register("before-send", functools.partial(self._delay, service))
        return client

    def store(self, store: Any) -> Any:
        if getattr(store, "name", "") == "efs":
            self._wrap_filesystem(store)
        elif getattr(store, "client", None) is not None:
            self.client(store.client)
        return store

    @contextlib.contextmanager
    def invocation(self, event: Any) -> Iterator[None]:
        kind, batch = classify(event)
        if kind == "process" and self.latency is not None:
            self.latency.sleep("lambda_async_dispatch")  # the event waits in Lambda's queue
        record = Record(kind, batch)
        self._local.record = record
        started = time.perf_counter()
        try:
            yield
        finally:
            duration = time.perf_counter() - started
            self._local.record = None
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if kind == "process" else None
            self._write(record.line(duration, rss))

    # -- botocore ---------------------------------------------------------------------------------
    def _current(self) -> Record | None:
        return getattr(self._local, "record", None)

    @staticmethod
    def _remember_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["sfasync_params"] = params

    def _after_call(
        self, service: str, http_response: Any, parsed: dict[str, Any], model: Any, context: Any, **_: Any
    ) -> None:
        record = self._current()
        if record is None:
            return
        operation = model.name
        params = (context or {}).get("sfasync_params") or {}
        ok = getattr(http_response, "status_code", 500) < 300
        if service == "dynamodb":
            record.requests[operation] += 1
            cost = dynamodb_cost(operation, params, parsed or {}, ok)
            record.write_units += cost.write_units
            record.read_units += cost.read_units
            record.bytes_written += cost.bytes_written
            record.bytes_read += cost.bytes_read
        elif service == "s3":
            record.requests[operation] += 1
            if ok and operation == "PutObject":
                record.bytes_written += _body_size(params.get("Body", b""))
            elif ok and operation == "GetObject":
                record.bytes_read += int((parsed or {}).get("ContentLength") or 0)
        elif service == "comprehend":
            record.comprehend_calls += 1
            texts = params.get("TextList") or ([params["Text"]] if "Text" in params else [])
            record.comprehend_units += sum(comprehend_units(text) for text in texts)

    def _delay(self, service: str, **_: Any) -> None:
        assert self.latency is not None
        if service in STORAGE_SERVICES or service == "comprehend":
            self.latency.sleep(service)

    # -- filesystem -------------------------------------------------------------------------------
    def _wrap_filesystem(self, store: Any) -> None:
        kinds = {
            "_create": "write",
            "_replace": "write",
            "_read": "read",
            "_delete_part": "delete",
            "_delete_all": "delete",
        }
        for method, kind in kinds.items():
            setattr(store, method, self._counted(getattr(store, method), kind))

    def _counted(self, primitive: Any, kind: str) -> Any:
        @functools.wraps(primitive)
        def counted(*args: Any, **kwargs: Any) -> Any:
            if self.latency is not None:
                self.latency.sleep("efs_read" if kind == "read" else "efs_write")
            result = primitive(*args, **kwargs)
            record = self._current()
            if record is not None:
                record.requests[kind] += 1
                if kind == "write" and result:
                    record.bytes_written += len(args[2])  # (key, part, data, ...)
                elif kind == "read" and result is not None:
                    record.bytes_read += len(result[0])
            return result

        return counted

    # -- output -----------------------------------------------------------------------------------
    def _write(self, line: str) -> None:
        if not self.directory:
            return
        path = os.path.join(self.directory, f"acct-{os.getpid()}.jsonl")
        with self._write_lock, open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def read_lines(directory: str, since: float = 0.0) -> list[dict[str, Any]]:
    """Every invocation recorded in ``directory`` that started at or after ``since`` (epoch s)."""
    lines: list[dict[str, Any]] = []
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return lines
    for name in names:
        if not name.startswith("acct-"):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            for raw in f:
                try:
                    line = json.loads(raw)
                except ValueError:  # a line cut short by a killed worker
                    continue
                if line.get("started", 0) >= since:
                    lines.append(line)
    return lines
