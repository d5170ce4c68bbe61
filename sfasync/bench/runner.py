"""Drives the workload through an endpoint and turns what was measured into one run record each.

A batch is sent as Snowflake sends it (``sfasync.client.Client``): one POST, then GET polls with
growing spacing until the result. Client-side: throughput, latencies, polls. Server-side (local
runs): the accounting lines every invocation wrote (``sfasync.bench.accounting``), summed and
divided by the number of batches.
"""

from __future__ import annotations

import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfasync.bench import accounting, cost, services
from sfasync.client import BatchError, Client, Signer

_TEXT = (
    "the service was good great excellent happy love wonderful but the delivery was bad slow terrible "
    "awful sad and i hate waiting for support product price quality is fine okay not really very quite "
    "today order arrived on time with a friendly note although the box looked damaged recommend never again"
)
WORDS = tuple(_TEXT.split(" "))
PROCESS_LINE_TIMEOUT = 60.0


@dataclass(frozen=True)
class Workload:
    function: str
    rows_per_batch: int
    row_bytes: int
    batches: int
    concurrency: int


@dataclass(frozen=True)
class Target:
    backend: str
    impl: str  # "sfasync" | "baseline"


def make_rows(count: int, row_bytes: int, seed: int) -> list[list[Any]]:
    """``count`` distinct English-looking texts of exactly ``row_bytes`` bytes (ASCII)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        words: list[str] = []
        length = 0
        while length < row_bytes:
            word = rng.choice(WORDS)
            words.append(word)
            length += len(word) + 1
        rows.append([" ".join(words)[:row_bytes].strip().ljust(row_bytes, ".")])
    return rows


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50 / p95 / p99 in milliseconds (nearest rank)."""
    if not values:
        return {"p50": None, "p95": None, "p99": None}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000, 2)

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99)}


@dataclass
class BatchOutcome:
    post_latencies: list[float] = field(default_factory=list)
    get_latencies: list[float] = field(default_factory=list)
    polls: int = 0
    time_to_result: float | None = None
    rows: int = 0
    processing_started: bool = False  # the POST was answered 202
    error: str | None = None


def run_batch(client: Client, rows: list[list[Any]], index: int, query_id: str) -> BatchOutcome:
    """One POST (a refusal is reported, not retried: the bench measures, it does not insist),
    then polls until the end."""
    outcome = BatchOutcome(rows=len(rows))
    batch_id = f"{query_id}:{index}:{uuid.uuid4().hex[:12]}"
    started = time.monotonic()
    try:
        post = client.post(batch_id, rows, query_id=query_id)
    except OSError as exc:
        outcome.error = f"POST failed: {exc}"
        return outcome
    outcome.post_latencies.append(post.latency)
    if post.status != 202:
        outcome.error = f"POST answered {post.status}: {post.message()}"
        return outcome
    outcome.processing_started = True
    try:
        _, stats = client.collect(batch_id, len(rows), query_id=query_id)
    except BatchError as exc:
        outcome.error = exc.detail
        return outcome
    outcome.get_latencies = list(stats.get_latencies)
    outcome.polls = stats.polls
    outcome.time_to_result = time.monotonic() - started
    return outcome


def drive(
    url: str,
    workload: Workload,
    rows: list[list[Any]],
    *,
    signer: Signer | None = None,
    on_batch: Callable[[], None] | None = None,
) -> tuple[list[BatchOutcome], float]:
    client = Client(
        url,
        function=workload.function,
        max_batch_rows=workload.rows_per_batch,
        concurrency=workload.concurrency,
        signer=signer,
        timeout=600.0,
        max_attempts=4,  # the bench measures; it does not insist as long as Snowflake would
    )
    query_id = str(uuid.uuid4())
    lock = threading.Lock()

    def one(index: int) -> BatchOutcome:
        outcome = run_batch(client, rows, index, query_id)
        if on_batch is not None:
            with lock:
                on_batch()
        return outcome

    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=workload.concurrency)
    try:
        outcomes = list(pool.map(one, range(workload.batches)))
    except BaseException:  # Ctrl-C: do not wait for batches still polling; stopping the endpoint ends them
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return outcomes, time.monotonic() - started


def wait_for_processing(directory: Path, since: float, expected: int) -> list[dict[str, Any]]:
    """The accounting lines, once every processing invocation that was started has written its own
    (a worker writes it just after storing the outcome, so a poll can see the result first)."""

    def complete() -> list[dict[str, Any]] | None:
        lines = accounting.read_lines(str(directory), since)
        return lines if sum(1 for line in lines if line["kind"] == "process") >= expected else None

    return services.wait_until(complete, PROCESS_LINE_TIMEOUT, f"{expected} processing invocations to finish")


def summarise(
    target: Target,
    workload: Workload,
    outcomes: list[BatchOutcome],
    elapsed: float,
    lines: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """One entry of ``bench.json``'s ``runs``."""
    n = len(outcomes)
    failures = [o.error for o in outcomes if o.error]
    run: dict[str, Any] = {
        "backend": target.backend,
        "impl": target.impl,
        "function": workload.function,
        "rows_per_batch": workload.rows_per_batch,
        "row_bytes": workload.row_bytes,
        "batches": n,
        "concurrency": workload.concurrency,
        "failed_batches": len(failures),
        "cannot_carry": failures[0] if failures else None,
    }
    done = [o for o in outcomes if o.time_to_result is not None]
    if failures:  # the report says so instead of a figure
        run.update(
            throughput_rows_per_s=None,
            latency_ms={k: percentiles([]) for k in ("post", "get", "time_to_result")},
            polls_per_batch=None,
        )
    else:
        run.update(
            throughput_rows_per_s=round(sum(o.rows for o in done) / elapsed, 1) if elapsed > 0 else None,
            latency_ms={
                "post": percentiles([t for o in outcomes for t in o.post_latencies]),
                "get": percentiles([t for o in outcomes for t in o.get_latencies]),
                "time_to_result": percentiles([o.time_to_result for o in done if o.time_to_result]),
            },
            polls_per_batch=round(statistics.fmean(o.polls for o in done), 2) if done else None,
        )
    usage = _usage(target, outcomes, lines) if lines is not None and not failures else None
    if usage is None:
        run.update(
            storage_requests_per_batch=None,
            bytes_written_per_batch=None,
            bytes_read_per_batch=None,
            dynamodb_write_units_per_batch=None,
            dynamodb_read_units_per_batch=None,
            comprehend_calls_per_batch=None,
            comprehend_units_per_batch=None,
            lambda_invocations_per_batch=None,
            api_gateway_requests_per_batch=None,
            lambda_billed_seconds_per_batch=None,
            worker_peak_rss_mb=None,
            cost_per_million_rows_usd=_client_side_cost(outcomes, workload) if not failures else None,
            by_phase_per_batch=None,
        )
        return run
    assert lines is not None
    requests = {k: round(v, 3) for k, v in sorted(usage.storage_requests.items())}
    dynamodb = target.backend == "dynamodb"
    run.update(
        storage_requests_per_batch={"total": round(sum(usage.storage_requests.values()), 3), **requests},
        bytes_written_per_batch=round(usage.bytes_written),
        bytes_read_per_batch=round(usage.bytes_read),
        dynamodb_write_units_per_batch=round(usage.write_units, 3) if dynamodb else None,
        dynamodb_read_units_per_batch=round(usage.read_units, 3) if dynamodb else None,
        comprehend_calls_per_batch=round(sum(line["comprehend_calls"] for line in lines) / n, 3),
        comprehend_units_per_batch=round(usage.comprehend_units, 3),
        lambda_invocations_per_batch=round(usage.lambda_invocations, 3),
        api_gateway_requests_per_batch=round(usage.api_requests, 3),
        lambda_billed_seconds_per_batch=round(usage.lambda_seconds, 3),
        worker_peak_rss_mb=round(max((line["peak_rss_mb"] or 0) for line in lines), 1),
        cost_per_million_rows_usd=cost.per_million_rows(usage, workload.rows_per_batch),
        by_phase_per_batch=by_phase(lines, n),
    )
    return run


def by_phase(lines: list[dict[str, Any]], batches: int) -> dict[str, Any]:
    """Where the storage work happens: per batch, for the POST, the processing and all GETs."""
    phases: dict[str, Any] = {}
    for phase in ("post", "process", "get"):
        mine = [line for line in lines if line["kind"] == phase]
        requests: Counter[str] = Counter()
        for line in mine:
            requests.update(line["storage_requests"])
        phases[phase] = {
            "storage_requests": {k: round(v / batches, 3) for k, v in sorted(requests.items())},
            "bytes_written": round(sum(line["bytes_written"] for line in mine) / batches),
            "dynamodb_write_units": round(sum(line["dynamodb_write_units"] for line in mine) / batches, 3),
            "dynamodb_read_units": round(sum(line["dynamodb_read_units"] for line in mine) / batches, 3),
            "duration_ms_mean": round(statistics.fmean(line["duration_s"] for line in mine) * 1000, 1)
            if mine
            else None,
        }
    return phases


def _client_side_cost(outcomes: list[BatchOutcome], workload: Workload) -> dict[str, Any]:
    """A deployed endpoint: only what the client sees is priced -- API Gateway requests and the
    Lambda invocations they imply (each request + one processing run); not GB-seconds, storage
    or Comprehend."""
    n = len(outcomes)
    api = sum(len(o.post_latencies) + len(o.get_latencies) for o in outcomes) / n
    per_batch = api * cost.usd("api_gateway_rest_request") + (api + 1) * cost.usd("lambda_request")
    return {
        "storage": None,
        "requests": round(per_batch * 1e6 / workload.rows_per_batch, 6),
        "comprehend": None,
        "total": None,
    }


def _usage(target: Target, outcomes: list[BatchOutcome], lines: list[dict[str, Any]]) -> cost.BatchUsage:
    n = len(outcomes)
    counted = [line for line in lines if line["kind"] in ("post", "get", "process")]
    requests: Counter[str] = Counter()
    for line in counted:
        requests.update(line["storage_requests"])

    def per_batch(name: str) -> float:
        return sum(float(line[name]) for line in counted) / n

    return cost.BatchUsage(
        backend=target.backend,
        impl=target.impl,
        storage_requests={k: v / n for k, v in requests.items()},
        bytes_written=per_batch("bytes_written"),
        bytes_read=per_batch("bytes_read"),
        write_units=per_batch("dynamodb_write_units"),
        read_units=per_batch("dynamodb_read_units"),
        api_requests=sum(1 for line in counted if line["kind"] in ("post", "get")) / n,
        lambda_invocations=len(counted) / n,
        lambda_seconds=sum(cost.billed_seconds(line["duration_s"]) for line in counted) / n,
        comprehend_units=per_batch("comprehend_units"),
    )


@dataclass
class LocalServices:
    """The moto server and the Comprehend stand-in, shared by every endpoint of a bench run."""

    log_dir: Path
    moto: services.Service | None = None
    moto_url: str | None = None
    comprehend: services.Service | None = None
    comprehend_url: str | None = None

    def start(self, *, need_moto: bool, need_comprehend: bool) -> None:
        if need_moto:
            self.moto, self.moto_url = services.start_moto(self.log_dir)
        if need_comprehend:
            self.comprehend, self.comprehend_url = services.start_comprehend(self.log_dir)

    def stop(self) -> None:
        for service in (self.comprehend, self.moto):
            if service is not None:
                service.stop()


def run_local(
    target: Target,
    workload: Workload,
    rows: list[list[Any]],
    shared: LocalServices,
    *,
    latency_model: str,
    on_batch: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Start the endpoint for ``target``, run the workload through it, stop it, summarise."""
    accounting_dir = Path(tempfile.mkdtemp(prefix="acct-", dir=shared.log_dir))
    endpoint, url = services.start_endpoint(
        target.backend,
        log_dir=shared.log_dir,
        accounting_dir=accounting_dir,
        moto_url=shared.moto_url,
        comprehend_url=shared.comprehend_url if workload.function == "sentiment" else None,
        concurrency=workload.concurrency,
        latency_model=latency_model,
        baseline=target.impl == "baseline",
    )
    if workload.function == "sentiment" and shared.comprehend_url:
        precompute_sentiment(shared.comprehend_url, rows)
    try:
        # A one-row batch first, not measured: the endpoint's forkserver, clients and caches warm up.
        warm = run_batch(Client(url, function=workload.function), rows[:1], 0, "sfasync-bench-warm-up")
        if warm.error:
            raise services.ServiceError(f"the warm-up batch failed: {warm.error}") from None
        since = time.time()
        outcomes, elapsed = drive(url, workload, rows, on_batch=on_batch)
        succeeded = sum(1 for o in outcomes if o.time_to_result is not None)
        if succeeded == len(outcomes):
            lines = wait_for_processing(accounting_dir, since, succeeded)
        else:  # not reported: a failed batch's worker may have been killed before writing its line
            lines = accounting.read_lines(str(accounting_dir), since)
    finally:
        endpoint.stop()
    return summarise(target, workload, outcomes, elapsed, lines)


def precompute_sentiment(comprehend_url: str, rows: list[list[Any]]) -> None:
    """Have the Comprehend stand-in score the workload's texts now, outside the measurement."""
    import boto3

    client = boto3.client("comprehend", endpoint_url=comprehend_url, **services.client_credentials())
    texts = [str(row[0]) for row in rows]
    for start in range(0, len(texts), 25):
        client.batch_detect_sentiment(TextList=texts[start : start + 25], LanguageCode="en")


def run_remote(
    url: str,
    label: str,
    workload: Workload,
    rows: list[list[Any]],
    *,
    signer: Signer | None,
    on_batch: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """A deployed endpoint: client-side figures only (storage is not observable from here)."""
    outcomes, elapsed = drive(url, workload, rows, signer=signer, on_batch=on_batch)
    return summarise(Target(label, "sfasync"), workload, outcomes, elapsed, None)


# -- environment -----------------------------------------------------------------------------------
def import_ms(statement: str, repeats: int = 3) -> float:
    """Median wall time of ``statement`` in a fresh interpreter (a cold start's import cost)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=services.offline_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout.strip()))
    return round(statistics.median(times) * 1000, 1)


def _handler_import_ms() -> float:
    try:
        return import_ms("import handler")
    except subprocess.CalledProcessError:
        return import_ms("import sfasync_service.app")


def environment(latency_model: str, options: dict[str, Any]) -> dict[str, Any]:
    import boto3
    import moto

    return {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "options": options,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "boto3": boto3.__version__,
        "moto": moto.__version__,
        "latency_model": latency_model,
        # Other work on the machine skews every timing (not the counts): say how busy it was.
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        # ``handler`` is the Lambda entry point (lambda/ in a checkout); the package otherwise.
        "handler_import_ms": _handler_import_ms(),
        "boto3_import_ms": import_ms("import boto3"),
        "comprehend": "local stand-in (sfasync.bench.comprehend: lexicon scores over the Comprehend API)",
    }
