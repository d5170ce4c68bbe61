"""``sfasync bench`` end to end: a small run over every backend and the baseline (the JSON a user
gets), exact request counts for a batch that needs exactly one poll, and the baseline's limits."""

from __future__ import annotations

import json
import math
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfasync.bench import accounting, runner, services
from sfasync.cli import main
from sfasync.client import Client

RUN_KEYS = {
    "backend",
    "impl",
    "rows_per_batch",
    "row_bytes",
    "batches",
    "throughput_rows_per_s",
    "latency_ms",
    "polls_per_batch",
    "storage_requests_per_batch",
    "bytes_written_per_batch",
    "bytes_read_per_batch",
    "dynamodb_write_units_per_batch",
    "dynamodb_read_units_per_batch",
    "comprehend_calls_per_batch",
    "worker_peak_rss_mb",
    "cost_per_million_rows_usd",
}
ROWS = 60


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench-out")
    argv = ["bench", "--backends", "efs,dynamodb,s3", "--baseline", "--function", "sentiment"]
    argv += ["--batches", "2", "--rows-per-batch", str(ROWS), "--row-bytes", "64", "--out", str(out)]
    assert main(argv) == 0
    return out, json.loads((out / "bench.json").read_text()), (out / "bench.md").read_text()


def test_a_small_run_writes_the_documented_json_for_every_backend_and_the_baseline(small_run) -> None:
    out, doc, _ = small_run
    assert set(doc) == {"runs", "prices", "environment"}
    assert [(r["backend"], r["impl"]) for r in doc["runs"]] == [
        ("efs", "sfasync"),
        ("dynamodb", "sfasync"),
        ("s3", "sfasync"),
        ("dynamodb", "baseline"),
    ]
    for run in doc["runs"]:
        assert not RUN_KEYS - set(run)
        assert run["cannot_carry"] is None
        assert (run["rows_per_batch"], run["row_bytes"], run["batches"]) == (ROWS, 64, 2)
        assert run["throughput_rows_per_s"] > 0
        for kind in ("post", "get", "time_to_result"):
            figures = run["latency_ms"][kind]
            assert set(figures) == {"p50", "p95", "p99"}
            assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"]
        requests = run["storage_requests_per_batch"]
        assert requests["total"] == pytest.approx(sum(v for k, v in requests.items() if k != "total"))
        assert run["polls_per_batch"] >= 1
        assert run["bytes_written_per_batch"] > 0 and run["bytes_read_per_batch"] > 0
        assert run["worker_peak_rss_mb"] > 0
        split = run["cost_per_million_rows_usd"]
        assert set(split) == {"storage", "requests", "comprehend", "total"}
        assert split["total"] == pytest.approx(
            split["storage"] + split["requests"] + split["comprehend"], abs=1e-5
        )
        has_units = run["backend"] == "dynamodb"
        assert (run["dynamodb_write_units_per_batch"] is not None) is has_units
        assert (run["dynamodb_read_units_per_batch"] is not None) is has_units
    assert doc["prices"]["date"] and doc["prices"]["prices"]["api_gateway_rest_request"]["usd"] > 0
    assert doc["environment"]["handler_import_ms"] > 0 and doc["environment"]["boto3_import_ms"] > 0
    assert (out / "bench.png").stat().st_size > 0


def test_sentiment_calls_comprehend_once_per_25_rows_and_the_baseline_once_per_row(small_run) -> None:
    _, doc, _ = small_run
    calls = {(r["backend"], r["impl"]): r["comprehend_calls_per_batch"] for r in doc["runs"]}
    for backend in ("efs", "dynamodb", "s3"):
        assert calls[(backend, "sfasync")] == math.ceil(ROWS / 25)
    assert calls[("dynamodb", "baseline")] == ROWS


def test_the_table_names_every_run(small_run) -> None:
    _, _, table = small_run
    for name in ("| efs |", "| dynamodb |", "| s3 |", "| dynamodb (baseline) |"):
        assert name in table
    assert "us-east-1" in table


# -- exact counts ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[runner.LocalServices]:
    shared = runner.LocalServices(tmp_path_factory.mktemp("bench-services"))
    shared.start(need_moto=True, need_comprehend=False)
    try:
        yield shared
    finally:
        shared.stop()


def one_poll(
    local: runner.LocalServices, backend: str, *, baseline: bool = False
) -> tuple[Counter[str], dict]:
    """POST one echo batch, wait until its processing invocation has recorded itself, then GET once:
    a batch that needs exactly one poll. Returns the storage requests by kind and the totals."""
    accounting_dir = local.log_dir / f"acct-{backend}-{baseline}-{uuid.uuid4().hex[:6]}"
    endpoint, url = services.start_endpoint(
        backend,
        log_dir=local.log_dir,
        accounting_dir=accounting_dir,
        moto_url=local.moto_url,
        comprehend_url=None,
        concurrency=2,
        baseline=baseline,
    )
    try:
        client = Client(url, function="echo")
        rows = [["hello"], ["world"], [None]]
        since = time.time()
        assert client.post("one-poll-batch", rows).status == 202
        runner.wait_for_processing(accounting_dir, since, expected=1)
        answer = client.get("one-poll-batch")
        assert answer.status == 200, answer.body
        assert json.loads(answer.body) == {"data": [[0, "hello"], [1, "world"], [2, None]]}
    finally:
        endpoint.stop()
    lines = accounting.read_lines(str(accounting_dir), since)
    assert Counter(line["kind"] for line in lines) == {"post": 1, "process": 1, "get": 1}
    requests: Counter[str] = Counter()
    for line in lines:
        requests.update(line["storage_requests"])
    totals = {
        name: sum(line[name] for line in lines)
        for name in ("bytes_written", "bytes_read", "dynamodb_write_units", "dynamodb_read_units")
    }
    return requests, totals


def test_dynamodb_one_poll_batch_makes_five_requests(local: runner.LocalServices) -> None:
    # POST: conditional PutItem. Process: PutItem (the claim, a compare-and-swap against the record
    # the event carries), PutItem (outcome). The poll: one Query. Delivery: PutItem. That is the
    # target, 4 + polls. Every item is under 1 KB; the poll's read under 4 KB.
    requests, totals = one_poll(local, "dynamodb")
    assert requests == {"PutItem": 4, "Query": 1}
    assert totals["dynamodb_write_units"] == 4
    assert totals["dynamodb_read_units"] == 1
    assert totals["bytes_written"] > 0 and totals["bytes_read"] > 0


@pytest.mark.parametrize(
    ("backend", "put", "get"), [("s3", "PutObject", "GetObject"), ("efs", "write", "read")]
)
def test_s3_and_efs_one_poll_batch_make_six_requests(local: runner.LocalServices, backend, put, get) -> None:
    # As DynamoDB, but a poll reads two objects (the record and the outcome): 4 + 2 x polls.
    requests, totals = one_poll(local, backend)
    assert requests == {put: 4, get: 2}
    assert totals["bytes_written"] > 0 and totals["bytes_read"] > 0
    assert totals["dynamodb_write_units"] == totals["dynamodb_read_units"] == 0


def test_baseline_one_poll_batch_makes_two_puts_and_one_get(local: runner.LocalServices) -> None:
    requests, totals = one_poll(local, "dynamodb", baseline=True)
    assert requests == {"PutItem": 2, "GetItem": 1}
    assert totals["dynamodb_write_units"] == 2 and totals["dynamodb_read_units"] == 1


def test_the_baseline_cannot_carry_a_result_over_400_kb_where_sfasync_can(
    local: runner.LocalServices,
) -> None:
    workload = runner.Workload("echo", rows_per_batch=100, row_bytes=4500, batches=1, concurrency=1)
    rows = runner.make_rows(workload.rows_per_batch, workload.row_bytes, seed=3)
    baseline = runner.run_local(
        runner.Target("dynamodb", "baseline"), workload, rows, local, latency_model="none"
    )
    assert "Item size has exceeded" in baseline["cannot_carry"]
    assert baseline["throughput_rows_per_s"] is None and baseline["cost_per_million_rows_usd"] is None
    carried = runner.run_local(
        runner.Target("dynamodb", "sfasync"), workload, rows, local, latency_model="none"
    )
    assert carried["cannot_carry"] is None and carried["throughput_rows_per_s"] > 0


def test_a_deployed_url_is_measured_from_the_client_side(local: runner.LocalServices, tmp_path: Path) -> None:
    endpoint, url = services.start_endpoint(
        "efs",
        log_dir=local.log_dir,
        accounting_dir=tmp_path / "unused",
        moto_url=None,
        comprehend_url=None,
        concurrency=2,
    )
    try:
        argv = ["bench", "--url", url, "--batches", "2", "--rows-per-batch", "10", "--row-bytes", "32"]
        assert main([*argv, "--no-chart", "--out", str(tmp_path / "out")]) == 0
    finally:
        endpoint.stop()
    (run,) = json.loads((tmp_path / "out" / "bench.json").read_text())["runs"]
    assert run["cannot_carry"] is None and run["throughput_rows_per_s"] > 0
    assert run["polls_per_batch"] >= 1
    # Storage is not observable from a client: no figure rather than a made-up one.
    assert run["storage_requests_per_batch"] is None and run["dynamodb_write_units_per_batch"] is None
    assert run["cost_per_million_rows_usd"]["storage"] is None
    assert run["cost_per_million_rows_usd"]["requests"] > 0
