"""The local endpoint end to end, on every backend: what a Snowflake query sees through ``sfasync call``."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time

import pytest

from sfasync.client import BatchError, Client
from tests.e2e.conftest import STRICT_TIMEOUTS
from tests.e2e.harness import ServerProcess, subprocess_env

DEADLINE = float(STRICT_TIMEOUTS["PROCESS_TIMEOUT_SECONDS"]) + float(
    STRICT_TIMEOUTS["DEADLINE_MARGIN_SECONDS"]
)


def client(server: ServerProcess, function: str, **kwargs) -> Client:  # type: ignore[no-untyped-def]
    return Client(server.url, function=function, timeout=60, **kwargs)


def test_single_argument_rows_come_back_in_order_over_three_full_batches(endpoint: ServerProcess) -> None:
    rows = [[f"text {n}"] for n in range(3 * 4096)]
    result = client(endpoint, "echo").call(rows)
    assert result.values == [f"text {n}" for n in range(3 * 4096)]
    assert [b.rows for b in result.batches] == [4096, 4096, 4096]
    assert len({b.batch_id for b in result.batches}) == 3
    assert all(b.time_to_result and b.post_latencies and b.get_latencies for b in result.batches)


def test_multi_argument_rows_keep_every_argument_and_null(endpoint: ServerProcess) -> None:
    rows = [[n, f"text {n}", None if n % 7 == 0 else n * 0.5] for n in range(3 * 4096)]
    result = client(endpoint, "echo").call(rows)
    assert result.values == rows


def test_sentiment_with_the_offline_engine(endpoint: ServerProcess) -> None:
    values = client(endpoint, "sentiment").call([["hello world"], ["I am happy"], [None]]).values
    assert set(values[0]) == {"Positive", "Negative", "Neutral", "Mixed"}
    assert values[1]["Positive"] > values[0]["Positive"]


def test_32_concurrent_batches_each_get_exactly_their_own_rows(endpoint: ServerProcess) -> None:
    rows = [[f"batch {n // 40} row {n % 40}"] for n in range(32 * 40)]
    result = client(endpoint, "echo", max_batch_rows=40, concurrency=32).call(rows)
    assert result.values == [row[0] for row in rows]
    assert len(result.batches) == 32


def test_gzip_compressed_request_body(endpoint: ServerProcess) -> None:
    rows = [[f"compressible text {n % 10}"] for n in range(4096)]
    gz = client(endpoint, "echo", compress=True)
    result = gz.call(rows)
    assert result.values == [row[0] for row in rows]
    assert result.batches[0].request_bytes < len(json.dumps(rows)) / 5


def test_body_over_10_mb_is_refused_with_413_and_the_server_keeps_serving(endpoint: ServerProcess) -> None:
    rows = [["x" * 1_000_000] for _ in range(11)]
    with pytest.raises(BatchError) as failure:
        client(endpoint, "echo", max_attempts=1).call(rows)
    assert failure.value.status == 413
    assert client(endpoint, "echo").call([["still here"]]).values == ["still here"]


@pytest.mark.parametrize("expect", [False, True], ids=["plain", "expect-100-continue"])
def test_413_is_answered_from_content_length_before_the_body_is_sent(
    endpoint: ServerProcess, expect: bool
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    conn.putrequest("POST", "/echo")
    conn.putheader("sf-external-function-query-batch-id", "too-big")
    conn.putheader("Content-Length", str(11 * 1024 * 1024))
    if expect:
        conn.putheader("Expect", "100-continue")
    conn.endheaders()  # not a byte of the body
    response = conn.getresponse()
    assert response.status == 413
    conn.close()


def test_a_processor_error_fails_the_batch_with_its_cause(endpoint: ServerProcess) -> None:
    with pytest.raises(BatchError) as failure:
        client(endpoint, "fail").call([["a"], ["b"]])
    assert failure.value.status == 500
    assert "plug-in refused 2 rows" in str(failure.value)
    assert failure.value.batch_id in str(failure.value)


def test_unknown_function_names_the_known_ones(endpoint: ServerProcess) -> None:
    with pytest.raises(BatchError) as failure:
        client(endpoint, "nope").call([["a"]])
    assert failure.value.status == 404
    assert "echo" in str(failure.value)


@pytest.mark.parametrize(
    ("function", "cause"),
    [("crash", "worker process died (exit code 3)"), ("hang", "timed out after 2 s")],
    ids=["crash", "hang"],
)
def test_a_dying_or_hanging_worker_fails_only_its_batch_within_the_deadline(
    strict_endpoint: ServerProcess, function: str, cause: str
) -> None:
    others: dict[str, object] = {}

    def concurrent_batches() -> None:
        try:
            rows = [[f"row {n}"] for n in range(8 * 50)]
            others["values"] = client(strict_endpoint, "echo", max_batch_rows=50).call(rows).values
        except Exception as exc:  # reported by the assertion below
            others["error"] = exc

    started = time.monotonic()
    thread = threading.Thread(target=concurrent_batches)
    thread.start()
    with pytest.raises(BatchError) as failure:
        client(strict_endpoint, function, poll_max=0.5).call([["doomed"]])
    elapsed = time.monotonic() - started
    thread.join(30)
    assert failure.value.status == 500
    assert cause in str(failure.value)
    # A crash fails the batch at once; a hang when its worker is killed (2 s after it started).
    # Either way about the deadline, not Snowflake's 600 s.
    assert elapsed < (DEADLINE if function == "crash" else DEADLINE + 2)
    assert others.get("values") == [f"row {n}" for n in range(8 * 50)], others.get("error")
    # ... and the server keeps serving.
    assert client(strict_endpoint, "echo").call([["after"]]).values == ["after"]


CSV_JSON = ["--header", "--output", "json"]


def test_the_call_command_reads_a_csv_file_and_prints_json(endpoint: ServerProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = tmp_path / "rows.csv"
    rows.write_text('text,n\nhello,1\n"a, b",2\n')
    done = subprocess.run(
        [sys.executable, "-m", "sfasync.cli", "call", endpoint.url, "-f", "echo", "-i", str(rows), *CSV_JSON],
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(),
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [["hello", "1"], ["a, b", "2"]]


def test_create_made_the_storage_as_terraform_does(endpoint: ServerProcess) -> None:
    storage = endpoint.storage
    if storage.backend == "efs":
        assert storage.data_dir.is_dir()
        return
    import boto3

    aws = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    if storage.backend == "dynamodb":
        dynamodb = aws.client("dynamodb", endpoint_url=storage.moto_url)
        table = dynamodb.describe_table(TableName=storage.name)["Table"]
        assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
        ttl = dynamodb.describe_time_to_live(TableName=storage.name)["TimeToLiveDescription"]
        assert ttl["AttributeName"] == "expires_at" and ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
    else:
        s3 = aws.client("s3", endpoint_url=storage.moto_url)
        rules = s3.get_bucket_lifecycle_configuration(Bucket=storage.name)["Rules"]
        assert any(rule["Status"] == "Enabled" and "Expiration" in rule for rule in rules)
        block = s3.get_public_access_block(Bucket=storage.name)["PublicAccessBlockConfiguration"]
        assert all(block.values())
