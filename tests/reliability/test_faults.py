"""What the service does when storage or Lambda fails at each step, on every real backend.

Outcomes promised: a POST that could not record its batch answers 503 and a retried POST
recovers; a step that fails during processing is retried or the batch fails with a cause by its
deadline -- never a silent 202 forever; a GET that cannot read answers 503 and deletes nothing.
"""

from __future__ import annotations

import pytest

from sfasync_service import app
from storage_backends.base import StorageUnavailable

from ..service.harness import Harness, body_of
from .faults import ERRORS, Faults

ROWS = [[0, "a"], [1, "b"]]
KINDS = ["efs", "dynamodb-inprocess", "s3-inprocess"]


@pytest.fixture(params=KINDS)
def env(request, tmp_path, monkeypatch):
    from moto import mock_aws

    from ..conftest import make_store

    monkeypatch.setattr(app, "OUTCOME_RETRY_DELAYS", (0.0, 0.0, 0.0, 0.0))
    with mock_aws():
        store = make_store(request.param, tmp_path)
        h = Harness(store, process_timeout_seconds=30, deadline_margin_seconds=10)
        yield h, Faults(store, monkeypatch)
        app.configure()


@pytest.mark.parametrize("error", ERRORS)
def test_post_when_the_create_fails(env, error):
    h, faults = env
    faults.fail("create", error)
    response = h.post(ROWS)
    assert response["statusCode"] == 503 and "retry" in body_of(response)["error"]
    assert h.invoker.events == []
    assert h.get()["statusCode"] == 404  # nothing half-recorded
    assert h.post(ROWS)["statusCode"] == 202  # Snowflake's retry recovers
    h.run_pending()
    assert body_of(h.get()) == {"data": ROWS}


@pytest.mark.parametrize("error", ERRORS)
def test_claim_failure_is_retried_by_lambda(env, error):
    h, faults = env
    h.post(ROWS)
    event = h.invoker.events.pop()
    faults.fail("claim", error)
    with pytest.raises(StorageUnavailable):  # raising makes Lambda retry the async event
        h.handle(event)
    assert h.get()["statusCode"] == 202
    assert h.handle(event)["processed"] is True  # the retry
    assert body_of(h.get()) == {"data": ROWS}


def test_transient_outcome_write_failure_is_retried(env):
    h, faults = env
    h.post(ROWS)
    faults.fail("finish", "5xx", times=2)
    assert h.run_pending() == [{"processed": True, "status": "SUCCEEDED"}]
    assert faults.hits["finish"] == 2
    assert body_of(h.get()) == {"data": ROWS}


def test_persistent_outcome_write_failure_ends_in_500_by_the_deadline(env):
    h, faults = env
    h.post(ROWS)
    faults.fail("finish", "timeout", times=None)
    with pytest.raises(StorageUnavailable):
        h.run_pending()
    faults.clear()
    assert h.get()["statusCode"] == 202
    h.clock.advance(41)
    failed = h.get()
    assert failed["statusCode"] == 500 and "deadline" in body_of(failed)["error"]


@pytest.mark.parametrize("error", ERRORS)
def test_get_when_storage_fails_is_503_and_deletes_nothing(env, error):
    h, faults = env
    h.post(ROWS)
    h.run_pending()
    faults.fail("read", error)
    assert h.get()["statusCode"] == 503
    assert body_of(h.get()) == {"data": ROWS}  # still there


def test_worker_crash_after_the_claim_ends_in_500_by_the_deadline(env, monkeypatch):
    h, _ = env
    h.post(ROWS)

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")  # the process dies after claiming, before any outcome

    monkeypatch.setattr(app, "_run", crash)
    with pytest.raises(SystemExit):
        h.run_pending()
    assert h.get()["statusCode"] == 202
    h.clock.advance(41)
    assert h.get()["statusCode"] == 500
    monkeypatch.undo()


def test_refused_invoke_leaves_nothing_to_hang(env):
    h, _ = env
    h.invoker.refuse = True
    assert h.post(ROWS)["statusCode"] == 503
    assert h.get()["statusCode"] == 500  # failed at once, not 202 until the deadline
    h.invoker.refuse = False
    assert h.post(ROWS)["statusCode"] == 202
    h.run_pending()
    assert body_of(h.get()) == {"data": ROWS}


def test_duplicate_events_and_retried_posts_give_one_result(env):
    h, _ = env
    for _ in range(3):
        h.post(ROWS)
    h.invoker.events *= 3
    results = h.run_pending()
    assert sum(r["processed"] for r in results) == 1
    assert body_of(h.get()) == {"data": ROWS}
