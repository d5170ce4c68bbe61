"""Snowflake's asynchronous protocol through ``lambda_handler``, on every backend."""

from __future__ import annotations

import json

import pytest

from storage_backends.base import JobStatus, StorageUnavailable

from .harness import Harness, body_of

ROWS = [[0, "hello world"], [1, "I am happy"], [2, None]]
PLUGINS = ",".join(
    f"{name}=tests.service.plugins:{fn}"
    for name, fn in [("flaky", "flaky"), ("boom", "boom"), ("wrong", "wrong_length"), ("concat", "concat")]
)


@pytest.fixture
def h(store):
    return Harness(store, extra_functions=PLUGINS, process_timeout_seconds=30, deadline_margin_seconds=10)


def test_happy_path(h):
    assert h.post(ROWS)["statusCode"] == 202
    assert h.get()["statusCode"] == 202  # queued, not processed yet
    assert h.run_pending() == [{"processed": True, "status": "SUCCEEDED"}]
    done = h.get()
    assert done["statusCode"] == 200
    assert body_of(done) == {"data": ROWS}


def test_multi_argument_plugin_and_sentiment(h):
    h.post([[0, "a", 1], [1, "b", None]], function="concat")
    h.post([[0, "I am happy"], [1, None]], function="sentiment", batch_id="b2")
    h.run_pending()
    assert body_of(h.get("concat")) == {"data": [[0, "a-1"], [1, "b-None"]]}
    scores = body_of(h.get("sentiment", "b2"))["data"]
    assert set(scores[0][1]) == {"Positive", "Negative", "Neutral", "Mixed"}
    assert scores[0][1]["Positive"] > scores[0][1]["Negative"]
    assert scores[1] == [1, None]


def test_retried_post_starts_one_processing(h):
    for _ in range(3):
        assert h.post(ROWS)["statusCode"] == 202
    assert len(h.invoker.events) == 1
    h.run_pending()
    assert h.post(ROWS)["statusCode"] == 202  # after success: still nothing new
    assert h.invoker.events == []
    assert body_of(h.get()) == {"data": ROWS}


def test_duplicated_process_event_processes_once(h):
    h.post(ROWS)
    event = dict(h.invoker.events[0])
    h.invoker.events.append(dict(event))
    results = h.run_pending()
    assert [r["processed"] for r in results] == [True, False]
    assert body_of(h.get()) == {"data": ROWS}


def test_processor_error_gives_500_with_its_cause(h):
    h.post(ROWS, function="boom")
    h.run_pending()
    failed = h.get("boom")
    assert failed["statusCode"] == 500
    assert "the model is not loaded" in body_of(failed)["error"]
    assert h.get("boom")["statusCode"] == 500  # a repeated GET gets the same answer


def test_wrong_number_of_values_fails_the_batch(h):
    h.post(ROWS, function="wrong")
    h.run_pending()
    assert "returned 1 values for 3 rows" in body_of(h.get("wrong"))["error"]


def test_failed_batch_restarts_on_a_new_post(h):
    from . import plugins

    plugins.FAILURES_LEFT[0] = 1
    h.post(ROWS, function="flaky")
    h.run_pending()
    assert h.get("flaky")["statusCode"] == 500
    assert h.post(ROWS, function="flaky")["statusCode"] == 202  # Snowflake re-sends the batch
    assert len(h.invoker.events) == 1 and h.invoker.events[0]["attempt"] == 2
    h.run_pending()
    assert body_of(h.get("flaky")) == {"data": ROWS}


def test_deadline_passed_gives_500_and_closes_the_job(h):
    from sfasync_service.jobs import job_key

    h.post(ROWS)
    late_event = h.invoker.events.pop()  # the process event is delayed past the deadline
    assert h.get()["statusCode"] == 202
    h.clock.advance(41)  # PROCESS_TIMEOUT_SECONDS 30 + DEADLINE_MARGIN_SECONDS 10
    failed = h.get()
    assert failed["statusCode"] == 500 and "deadline" in body_of(failed)["error"]
    job = h.store.load(job_key("echo", "b1"))
    assert job.status is JobStatus.FAILED and job.expires_at <= h.clock.now + 601
    assert h.handle(late_event) == {"processed": False, "reason": "not claimed"}
    assert h.post(ROWS)["statusCode"] == 202  # a retried POST restarts it
    h.run_pending()
    assert body_of(h.get()) == {"data": ROWS}


def test_unknown_batch_is_404(h):
    response = h.get(batch_id="never-posted")
    assert response["statusCode"] == 404 and "error" in body_of(response)


def test_repeated_get_within_retention_then_404(h):
    h.post(ROWS)
    h.run_pending()
    first = h.get()
    h.clock.advance(300)
    assert h.get() == first
    h.clock.advance(301)  # past RESULT_RETENTION_SECONDS (600) after delivery
    assert h.get()["statusCode"] == 404


def test_abandoned_job_expires(h):
    h.post(ROWS)
    h.run_pending()  # finished, but nobody ever polls
    h.clock.advance(h.config.job_ttl_seconds + 1)
    assert h.get()["statusCode"] == 404
    assert h.store.sweep(h.clock.now) >= 1


def test_storage_unavailable_is_503(h, monkeypatch):
    def broken(*args, **kwargs):
        raise StorageUnavailable("throttled (test)")

    monkeypatch.setattr(type(h.store), "_create", broken)
    monkeypatch.setattr(type(h.store), "_read", broken)
    monkeypatch.setattr(type(h.store), "load", broken)
    for response in (h.post(ROWS), h.get()):
        assert response["statusCode"] == 503
        assert "retry" in body_of(response)["error"]


def test_refused_invoke_is_503_and_a_retry_recovers(h):
    h.invoker.refuse = True
    refused = h.post(ROWS)
    assert refused["statusCode"] == 503
    assert h.get()["statusCode"] == 500  # nothing left hanging at 202
    h.invoker.refuse = False
    assert h.post(ROWS)["statusCode"] == 202
    h.run_pending()
    assert body_of(h.get()) == {"data": ROWS}


def test_large_batch_is_staged_and_returned_intact(h):
    rows = [[i, f"{i:06d}" + "x" * 1018] for i in range(4096)]  # 4,096 rows x 1 KB
    assert h.post(rows)["statusCode"] == 202
    event = h.invoker.events[0]
    assert "rows" not in event and len(json.dumps(event)) < 1024  # staged, reference only
    h.run_pending()
    done = h.get()
    assert done["statusCode"] == 200
    assert done["headers"].get("Content-Encoding") == "gzip" and done["isBase64Encoded"]
    assert body_of(done) == {"data": rows}
    assert len(json.dumps(done)) < 6 * 1024 * 1024


def test_sweep_event(h):
    h.post(ROWS)
    h.run_pending()
    h.get()
    assert h.handle({"sfasync": "sweep"}) == {"swept": 0}


def test_delivery_is_recorded_even_when_the_poll_read_predates_the_claim(h, monkeypatch):
    """A poll may read the job record (QUEUED), then the outcome the worker wrote after it
    claimed the job: marking it delivered must not be lost to that stale read."""
    from sfasync_service.jobs import job_key

    h.post(ROWS)
    key = job_key("echo", "b1")
    stale = h.store.load(key)  # read before the claim
    h.run_pending()
    reads = iter([stale.evolve(outcome=h.store.load(key).outcome)])  # the poll's two reads straddle the claim
    real_load = h.store.load
    monkeypatch.setattr(h.store, "load", lambda k: next(reads, None) or real_load(k))
    assert body_of(h.get()) == {"data": ROWS}
    assert real_load(key).status is JobStatus.DELIVERED
