"""Soak: the local endpoint on each backend under many concurrent batches.

Promised: every row returned exactly once, in order, with its own value; zero 5xx answers; and,
once the retention period and a sweep have passed, zero job records left in storage. Prints the
throughput. `make test` runs a short version; `make soak` the full one (200 concurrent batches
of 4,096 rows per backend): SOAK_BATCHES, SOAK_ROWS and SOAK_CONCURRENCY set the size.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import boto3
import pytest

from sfasync.client import Client
from tests.e2e.harness import ServerProcess, Storage, wait_until

BATCHES = int(os.environ.get("SOAK_BATCHES", "12"))
ROWS = int(os.environ.get("SOAK_ROWS", "512"))
CONCURRENCY = int(os.environ.get("SOAK_CONCURRENCY", str(min(BATCHES, 32))))
RETENTION = 2
STATUS = re.compile(r'"(?:GET|POST) [^"]*" (\d{3}) ')
REPORT = Path(os.environ.get("SOAK_REPORT", "build/soak.json"))


def records_left(storage: Storage) -> int:
    if storage.backend == "efs":
        return sum(1 for p in Path(storage.data_dir).glob("[0-9a-f][0-9a-f]/*") if p.is_dir())
    if storage.backend == "dynamodb":
        client = boto3.client("dynamodb", endpoint_url=storage.moto_url, region_name="us-east-1")
        return int(client.scan(TableName=storage.name, Select="COUNT")["Count"])
    client = boto3.client("s3", endpoint_url=storage.moto_url, region_name="us-east-1")
    return int(client.list_objects_v2(Bucket=storage.name).get("KeyCount", 0))


@pytest.mark.parametrize("backend", ["efs", "dynamodb", "s3"])
def test_soak(backend, request, tmp_path):
    moto = request.getfixturevalue("moto_server") if backend != "efs" else None
    storage = Storage(backend, tmp_path / "jobs", moto)
    env = {"RESULT_RETENTION_SECONDS": str(RETENTION), "PROCESS_TIMEOUT_SECONDS": "120"}
    server = ServerProcess(storage, tmp_path / "server", env=env, args=["--sweep-interval", "1"])
    try:
        server.wait_ready()
        rows = [[f"{backend}-row-{i:07d}"] for i in range(BATCHES * ROWS)]
        client = Client(server.url, function="echo", max_batch_rows=ROWS, concurrency=CONCURRENCY)
        started = time.monotonic()
        result = client.call(rows)
        elapsed = time.monotonic() - started

        assert result.values == [row[0] for row in rows]  # every row once, in order, its own value
        assert len(set(result.values)) == len(rows)
        statuses = [int(s) for s in STATUS.findall(server.log())]
        server_errors = sum(s >= 500 for s in statuses)
        bad = [line for line in server.log().splitlines() if re.search(r'" 5\d\d |WARNING|ERROR', line)]
        assert server_errors == 0, f"{server_errors} 5xx answers:\n" + "\n".join(bad[:20])
        assert sum(b.retries for b in result.batches) == 0

        # delivered results expire after the retention period; the periodic sweep removes them
        left = wait_until(lambda: records_left(storage) == 0 or None, RETENTION + 60, "an empty store")
        assert left
        throughput = len(rows) / elapsed
        figures = {
            "backend": backend,
            "batches": BATCHES,
            "rows_per_batch": ROWS,
            "concurrency": CONCURRENCY,
            "rows": len(rows),
            "seconds": round(elapsed, 2),
            "throughput_rows_per_s": round(throughput),
            "requests": len(statuses),
            "http_5xx": server_errors,
            "rows_lost": 0,
            "records_left_after_retention_and_sweep": records_left(storage),
        }
        print(f"\nsoak {json.dumps(figures)}")
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        with REPORT.open("a") as f:
            f.write(json.dumps(figures) + "\n")
    finally:
        server.cleanup()
