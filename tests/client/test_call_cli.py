"""``sfasync call``: rows in from files, arguments or stdin; the result out as a table, JSON or CSV."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sfasync.call import read_rows
from sfasync.cli import main
from tests.client.conftest import FakeEndpoint, json_reply

FAST = ["--max-batch-rows", "4096"]


def test_reads_csv_and_json_lines() -> None:
    assert read_rows("a,1\nb,2\n") == [["a", "1"], ["b", "2"]]
    assert read_rows("text,n\na,1\n", header=True) == [["a", "1"]]
    assert read_rows('["a", 1, null]\n\n"b"\n') == [["a", 1, None], ["b"]]
    assert read_rows("[1]\n", "csv") == [["[1]"]]


def test_prints_a_snowflake_like_table(fake: FakeEndpoint, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", fake.url, "--function", "echo", "--rows", "hello world", "I am happy"]) == 0
    out = capsys.readouterr().out
    assert "Row" in out and "VALUE" in out
    assert '"hello world"' in out and '"I am happy"' in out


def test_reads_an_input_file_and_writes_json_lines(
    fake: FakeEndpoint, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('["a", 1]\n["b", 2]\n')
    fake.script = lambda request, seen: json_reply(200, {"data": [[n, args] for n, *args in request.rows()]})
    assert main(["call", fake.url, "-f", "echo", "--input", str(rows), "--output", "json", "-q"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [["a", 1], ["b", 2]]


def test_reads_stdin_and_writes_csv(
    fake: FakeEndpoint, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("x\ny\n"))
    assert main(["call", fake.url, "-f", "echo", "--output", "csv", "-q"]) == 0
    assert capsys.readouterr().out.splitlines() == ["row,value", "1,x", "2,y"]


def test_shows_progress_and_a_summary_over_several_batches(
    fake: FakeEndpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [str(n) for n in range(5)]
    assert main(["call", fake.url, "-f", "echo", "--max-batch-rows", "2", "--rows", *rows, "-o", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == [json.dumps(r) for r in rows]
    assert "5 rows in 3 batches" in captured.err


def test_a_failed_batch_is_reported_with_its_id_and_the_servers_message(
    fake: FakeEndpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.script = lambda request, seen: (
        json_reply(202, {})
        if request.method == "POST"
        else json_reply(500, {"error": "ZeroDivisionError: boom"})
    )
    assert main(["call", fake.url, "-f", "echo", "--rows", "x"]) == 1
    err = capsys.readouterr().err
    assert "ZeroDivisionError: boom" in err and "HTTP 500" in err
    assert fake.of("POST")[0].batch_id in err.replace("\n", "")


def test_an_unreachable_endpoint_is_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "http://127.0.0.1:9", "--rows", "x", "--timeout", "1"]) == 1
    assert "ConnectionRefusedError" in capsys.readouterr().err.replace("\n", "")


def test_sigv4_signs_every_post_and_poll(fake: FakeEndpoint, capsys: pytest.CaptureFixture[str]) -> None:
    # credentials from the usual chain: here the environment (tests/conftest.py sets fake ones)
    assert (
        main(["call", fake.url, "-f", "echo", "--sigv4", "--region", "eu-west-1", "--rows", "x", "-q"]) == 0
    )
    assert len(fake.seen) == 3
    for request in fake.seen:
        assert "/eu-west-1/execute-api/aws4_request" in request.headers["authorization"]
        assert "x-amz-date" in request.headers
