"""The local endpoint's lifecycle: SIGKILL and restart on the same storage, clean stops, ``make run``."""

from __future__ import annotations

import json
import re
import signal
import time
from pathlib import Path

import pytest

from sfasync.client import BatchError, Client
from sfasync_service.jobs import job_key
from tests.e2e.conftest import STRICT_TIMEOUTS
from tests.e2e.harness import ServerProcess, Storage, gone, wait_until

DEADLINE = sum(
    float(STRICT_TIMEOUTS[name]) for name in ("PROCESS_TIMEOUT_SECONDS", "DEADLINE_MARGIN_SECONDS")
)


def test_after_sigkill_a_restarted_server_serves_finished_batches_and_fails_unfinished_ones(
    storage_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    storage: Storage = storage_factory()
    first = ServerProcess(storage, tmp_path / "first", env=STRICT_TIMEOUTS).wait_ready()
    try:
        echo = Client(first.url, function="echo", timeout=30)
        assert echo.run_batch([["delivered"]], batch_id="b-delivered")[0] == ["delivered"]
        assert echo.post("b-finished", [["finished"]]).status == 202
        finished_key = job_key("echo", "b-finished")[:12]
        wait_until(
            lambda: f"echo/{finished_key} attempt 1 done" in first.log(), 15, "b-finished to be processed"
        )
        assert Client(first.url, function="hang").post("b-unfinished", [["never"]]).status == 202
        posted = time.monotonic()
        orphans = wait_until(
            lambda: found if len(found := first.descendants()) >= 2 else None,
            15,
            "the forkserver and the hanging worker",
        )
        first.kill()
    finally:
        first.cleanup()

    second = ServerProcess(storage, tmp_path / "second", env=STRICT_TIMEOUTS).wait_ready()
    try:
        echo = Client(second.url, function="echo", timeout=30)
        assert echo.collect("b-delivered", 1)[0] == ["delivered"]  # again: Snowflake may repeat a GET
        assert echo.collect("b-finished", 1)[0] == ["finished"]
        with pytest.raises(BatchError) as failure:
            Client(second.url, function="hang", timeout=30).collect("b-unfinished", 1)
        assert failure.value.status == 500
        assert "deadline" in str(failure.value)
        assert time.monotonic() - posted < DEADLINE + 10  # ended by its deadline, did not hang
        # What the killed server left behind ends by itself: the worker shortly after its timeout.
        wait_until(lambda: gone(orphans), DEADLINE + 5, "the orphaned worker and forkserver to exit")
    finally:
        second.cleanup()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_ends_the_server_and_every_worker(tmp_path: Path, signum: signal.Signals) -> None:
    server = ServerProcess(Storage("efs", tmp_path / "jobs"), tmp_path).wait_ready()
    try:
        hang = Client(server.url, function="hang")
        for n in range(3):
            assert hang.post(f"stuck-{n}", [["x"]]).status == 202
        processes = wait_until(
            lambda: found if len(found := server.descendants()) >= 4 else None,
            15,
            "three busy workers and the forkserver",
        )
        server.proc.send_signal(signum)
        assert server.proc.wait(15) == 0
        wait_until(lambda: gone(processes), 10, "every worker process to exit")
    finally:
        server.cleanup()


def test_make_run_shows_the_example_table_then_keeps_serving(tmp_path: Path) -> None:
    demo = ServerProcess(
        Storage("efs", tmp_path / "jobs"), tmp_path, command="run", env={"SENTIMENT_ENGINE": "lexicon"}
    )
    try:
        out = demo.read_stdout_until("curl -s http", timeout=60)
        assert re.search(r"Row\s*┃\s*VALUE", out), out
        scores = {
            int(m.group(1)): json.loads(m.group(2)) for m in re.finditer(r"│\s*(\d+)\s*│\s*(\{.*\})\s*│", out)
        }
        assert sorted(scores) == [1, 2], out
        assert set(scores[1]) == {"Positive", "Negative", "Neutral", "Mixed"}
        assert scores[2]["Positive"] > 0.5  # "I am happy"
        assert f"call {demo.url} --function sentiment" in out
        assert f"curl -s -X POST {demo.url}/sentiment" in out
        # ... and it keeps serving until interrupted.
        assert Client(demo.url, function="echo").call([["still serving"]]).values == ["still serving"]
        assert demo.interrupt() == 0
    finally:
        demo.cleanup()


def test_the_periodic_sweep_removes_expired_records_from_storage(tmp_path: Path) -> None:
    storage = Storage("efs", tmp_path / "jobs")
    server = ServerProcess(
        storage, tmp_path, env={"RESULT_RETENTION_SECONDS": "1"}, args=["--sweep-interval", "0.5"]
    ).wait_ready()
    try:
        assert Client(server.url, function="echo").run_batch([["x"]], batch_id="swept")[0] == ["x"]
        key = job_key("echo", "swept")
        folder = storage.data_dir / key[:2] / key
        assert folder.exists()  # delivered, kept for RESULT_RETENTION_SECONDS
        wait_until(lambda: not folder.exists(), 15, "the sweep to remove the delivered batch")
    finally:
        server.cleanup()
