"""Composition root and event dispatcher: ``lambda_handler`` for every event the function gets.

Clients, the store and the function table are built once per container (lazily, from the
environment) and reused by every invocation. Tests and the local server replace parts of it
with ``configure``.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import storage_backends
from storage_backends._aws import client as aws_client
from storage_backends.base import Job, JobStatus, JobStore, Outcome, StorageUnavailable

from . import instrument, protocol
from .config import Config, ConfigError
from .invokers import InvokeError, Invoker, LambdaInvoker
from .jobs import JobMachine, Timing, job_key
from .processors import PluginError, Processors, UnknownFunction, parse_plugins
from .protocol import HttpError

log = logging.getLogger("sfasync")
if not logging.getLogger().handlers:  # Lambda installs its own handler; elsewhere add one
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(levelname)s %(name)s %(message)s"
    )

PROCESS = "process"
SWEEP = "sweep"
# Pauses between attempts to store an outcome: a computed result must not be lost to a
# transient storage error (botocore has already retried each attempt).
OUTCOME_RETRY_DELAYS = (0.0, 0.2, 1.0, 3.0)
# Bytes of a process event besides its rows (key, job record, token), rounded up.
PROCESS_EVENT_OVERHEAD = 1024


@dataclass
class Runtime:
    config: Config
    store: JobStore
    invoker: Invoker
    processors: Processors
    machine: JobMachine


_lock = threading.Lock()
_runtime: Runtime | None = None
_overrides: dict[str, Any] = {}


def configure(
    *,
    config: Config | None = None,
    store: JobStore | None = None,
    invoker: Invoker | None = None,
    processors: Processors | None = None,
) -> None:
    """Replace parts of the composition root in this process (the rest is built from the
    environment on first use). Calling it again resets what was built before."""
    global _runtime
    with _lock:
        _overrides.clear()
        _overrides.update(
            {
                k: v
                for k, v in dict(config=config, store=store, invoker=invoker, processors=processors).items()
                if v
            }
        )
        _runtime = None


def _boto3_client(service: str, config: Config) -> Any:
    # The same construction (timeouts, retries, pool size) as the storage adapters' clients.
    return instrument.client(aws_client(service, region=config.aws_region or None))


def runtime() -> Runtime:
    global _runtime
    if _runtime is not None:
        return _runtime
    with _lock:
        if _runtime is None:
            config: Config = _overrides.get("config") or Config.from_env()
            store = _overrides.get("store") or storage_backends.create_store(
                config.storage_backend,
                table=config.jobs_table,
                bucket=config.jobs_bucket,
                prefix=config.jobs_prefix,
                directory=config.jobs_dir,
                region=config.aws_region or None,
            )
            store = instrument.store(store)
            invoker = _overrides.get("invoker") or LambdaInvoker(_boto3_client("lambda", config))
            comprehend: list[Any] = []

            def comprehend_client() -> Any:
                if not comprehend:
                    comprehend.append(_boto3_client("comprehend", config))
                return comprehend[0]

            processors = _overrides.get("processors") or Processors(
                config.sentiment_engine,
                comprehend_client,
                parse_plugins(config.extra_functions),
                language_code=config.extra.get("COMPREHEND_LANGUAGE", "en"),
            )
            timing = Timing(
                config.process_timeout_seconds,
                config.deadline_margin_seconds,
                config.job_ttl_seconds,
                config.result_retention_seconds,
            )
            _runtime = Runtime(config, store, invoker, processors, JobMachine(store, timing))
    return _runtime


def lambda_handler(event: Any, context: Any) -> Any:
    with instrument.invocation(event):  # a no-op unless SFASYNC_INSTRUMENT is set
        return _dispatch(event, context)


def _dispatch(event: Any, context: Any) -> Any:
    if isinstance(event, dict) and "httpMethod" in event:
        return handle_http(event, context)
    kind = event.get("sfasync") if isinstance(event, dict) else None
    if kind == PROCESS:
        return handle_process(event, context)
    if kind == SWEEP:
        removed = runtime().store.sweep()
        log.info("sweep removed %d expired records", removed)
        return {"swept": removed}
    log.error(
        "ignoring an event that is neither HTTP, process nor sweep: %.200s", json.dumps(event, default=str)
    )
    return {"error": "unrecognised event"}


# -- HTTP -----------------------------------------------------------------------------------------
def handle_http(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    try:
        rt = runtime()
        request = protocol.parse(
            event, default_function=rt.config.default_function, max_body_bytes=rt.config.max_body_bytes
        )
        if request.function not in rt.processors:
            raise HttpError(404, str(UnknownFunction(request.function, rt.processors.names())))
        key = job_key(request.function, request.batch_id)
        response = _post(rt, request, key, context) if request.method == "POST" else _get(rt, key)
    except HttpError as exc:
        response = protocol.error_response(exc.status, exc.message, exc.headers)
    except (StorageUnavailable, InvokeError, ConfigError, PluginError) as exc:
        log.warning("answering 503: %s", exc)
        response = protocol.error_response(503, f"service unavailable, retry: {exc}")
    except Exception:  # a bug: still a documented answer, never an unhandled exception
        log.exception("unexpected error")
        response = protocol.error_response(500, "internal error")
    log.info(
        "%s %s -> %s (%.1f ms)",
        event.get("httpMethod"),
        event.get("path"),
        response["statusCode"],
        (time.monotonic() - started) * 1000,
    )
    return response


def _post(rt: Runtime, request: protocol.Request, key: str, context: Any) -> dict[str, Any]:
    rows = request.rows or []
    rows_json = json.dumps(rows, separators=(",", ":"))
    staged = len(rows_json) + PROCESS_EVENT_OVERHEAD > rt.config.async_payload_limit_bytes
    submission = rt.machine.submit(key, request.function, staged_input=staged)
    job = submission.job
    if not submission.start:
        return protocol.json_response(202, {"status": job.effective_status.value})
    event = process_event(job)
    try:
        if staged:
            rt.store.put_input(job, gzip.compress(rows_json.encode(), compresslevel=6, mtime=0))
        else:
            event["rows"] = rows
        rt.invoker.invoke_async(event, context)
    except (StorageUnavailable, InvokeError) as exc:
        rt.machine.abandon(job, f"processing could not be started: {exc}")
        raise
    return protocol.json_response(202, {"status": job.status.value})


def process_event(job: Job) -> dict[str, Any]:
    """The self-invocation's event: the job record as stored, with its compare-and-swap token,
    so the claim needs no read; ``rows`` is added unless the input was staged."""
    return {
        "sfasync": PROCESS,
        "key": job.key,
        "function": job.function,
        "attempt": job.attempt,
        "job": job.to_bytes().decode(),
        "token": job.token,
    }


def _get(rt: Runtime, key: str) -> dict[str, Any]:
    poll = rt.machine.poll(key)
    if poll is None:
        raise HttpError(404, "unknown or expired batch id")
    if poll.result is not None:
        return protocol.result_response(poll.result, poll.result_size, rt.config.gzip_response_over_bytes)
    if poll.cause is not None:
        return protocol.error_response(500, poll.cause)
    return protocol.json_response(202, {"status": poll.status.value})


# -- process --------------------------------------------------------------------------------------
def handle_process(event: dict[str, Any], context: Any) -> dict[str, Any]:
    rt = runtime()
    try:
        job = Job.from_bytes(event["job"], token=event["token"])
        if (job.key, job.attempt, job.function) != (event["key"], event["attempt"], event["function"]):
            raise ValueError("the job record does not match the event")
    except (KeyError, TypeError, ValueError) as exc:
        log.error("malformed process event (%s): %.200s", exc, json.dumps(event, default=str))
        return {"processed": False, "reason": "malformed event"}
    key, attempt = job.key, job.attempt
    # Storage errors before the claim propagate: Lambda retries the asynchronous event.
    claimed = rt.machine.claim(job)
    if claimed is None:
        log.info("batch %s attempt %s already claimed, finished or gone: nothing to do", key[:12], attempt)
        return {"processed": False, "reason": "not claimed"}
    job = claimed
    outcome = _run(rt, job, event.get("rows"))
    for delay in OUTCOME_RETRY_DELAYS:
        time.sleep(delay)
        try:
            rt.machine.finish(job, outcome)
            break
        except StorageUnavailable as exc:
            log.warning("storing the outcome of %s failed (%s); retrying", key[:12], exc)
    else:
        raise StorageUnavailable(f"could not store the outcome of batch {key[:12]}")
    log.info("batch %s attempt %d %s", key[:12], attempt, outcome.status.value)
    return {"processed": True, "status": outcome.status.value}


def _run(rt: Runtime, job: Job, rows: Any) -> Outcome:
    try:
        if rows is None:
            staged = rt.store.get_input(job)
            if staged is None:
                raise RuntimeError("the staged input of this batch is missing")
            rows = json.loads(gzip.decompress(staged))
        processor = rt.processors.get(job.function)
        values = processor([list(row[1:]) for row in rows])
        if not isinstance(values, list) or len(values) != len(rows):
            got = len(values) if isinstance(values, list) else type(values).__name__
            raise ValueError(f"processor {job.function!r} returned {got} values for {len(rows)} rows")
        result, size = protocol.encode_result(rows, values)
        return Outcome(job.attempt, JobStatus.SUCCEEDED, result=result, result_size=size)
    except Exception as exc:
        log.exception("batch %s failed", job.key[:12])
        return Outcome(job.attempt, JobStatus.FAILED, cause=f"{type(exc).__name__}: {exc}")
