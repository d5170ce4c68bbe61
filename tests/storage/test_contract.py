"""One contract suite for ``JobStore``, run against every adapter (see ``conftest.store``)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from storage_backends.base import Job, JobStatus, Outcome


def new_job(key: str = "a" * 64, **changes) -> Job:  # type: ignore[no-untyped-def]
    now = time.time()
    job = Job(
        key=key,
        function="echo",
        status=JobStatus.QUEUED,
        attempt=1,
        created_at=now,
        deadline=now + 60,
        expires_at=int(now + 3600),
    )
    return job.evolve(**changes)


def test_create_is_conditional(store):
    job = new_job()
    created, fresh = store.create(job)
    assert fresh and created == job and created.token is not None
    existing, fresh = store.create(new_job(function="other"))
    assert not fresh and existing.function == "echo" and existing.status is JobStatus.QUEUED
    # the token returned by the create is good for a compare-and-swap without a read
    assert store.update(created, status=JobStatus.RUNNING) is not None


def test_load_returns_what_was_created(store):
    job = new_job(staged_input=True)
    store.create(job)
    loaded = store.load(job.key)
    assert loaded == job
    assert store.load("b" * 64) is None


def test_update_is_compare_and_swap(store):
    store.create(new_job())
    first = store.load("a" * 64)
    running = store.update(first, status=JobStatus.RUNNING)
    assert running is not None and running.status is JobStatus.RUNNING
    assert store.update(first, status=JobStatus.FAILED) is None  # stale token loses
    assert store.load("a" * 64).status is JobStatus.RUNNING
    assert store.update(running, status=JobStatus.DELIVERED) is not None


def test_concurrent_creates_and_claims_have_one_winner(store):
    results: list[object] = []
    barrier = threading.Barrier(6)

    def create() -> None:
        barrier.wait()
        results.append(store.create(new_job()))

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(created for _, created in results) == 1

    loaded = store.load("a" * 64)
    claims: list[object] = []
    barrier = threading.Barrier(6)

    def claim() -> None:
        barrier.wait()
        claims.append(store.update(loaded, status=JobStatus.RUNNING))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(c is not None for c in claims) == 1


def test_outcome_is_written_once_and_merged_into_the_job(store):
    job = new_job()
    store.create(job)
    job = store.update(store.load(job.key), status=JobStatus.RUNNING)
    assert store.finish(job, Outcome(1, JobStatus.SUCCEEDED, result=b"\x1f\x8bdata", result_size=10))
    assert not store.finish(job, Outcome(1, JobStatus.FAILED, cause="late duplicate"))
    loaded = store.load(job.key)
    assert loaded.status is JobStatus.RUNNING
    assert loaded.effective_status is JobStatus.SUCCEEDED
    assert loaded.outcome.result == b"\x1f\x8bdata" and loaded.outcome.result_size == 10


def test_a_new_attempt_does_not_see_the_old_outcome(store):
    job = new_job()
    store.create(job)
    store.finish(job, Outcome(1, JobStatus.FAILED, cause="boom"))
    failed = store.load(job.key)
    assert failed.effective_status is JobStatus.FAILED and failed.outcome.cause == "boom"
    restarted = store.update(failed, attempt=2, status=JobStatus.QUEUED)
    assert restarted.outcome is None
    assert store.load(job.key).effective_status is JobStatus.QUEUED
    assert store.finish(restarted, Outcome(2, JobStatus.SUCCEEDED, result=b"r", result_size=1))


def test_large_outcome_and_staged_input_round_trip(store):
    """Payloads far beyond one DynamoDB item (400 KB) are carried by every backend."""
    job = new_job()
    store.create(job)
    big_result = os.urandom(3 * 1024 * 1024 + 17)
    big_input = os.urandom(1024 * 1024 + 5)
    store.put_input(job, big_input)
    assert store.get_input(job) == big_input
    assert store.finish(job, Outcome(1, JobStatus.SUCCEEDED, result=big_result, result_size=1))
    assert store.load(job.key).outcome.result == big_result
    store.delete_input(job)
    assert store.get_input(job) is None
    assert store.load(job.key).outcome.result == big_result


def test_delete_removes_every_part(store):
    job = new_job()
    store.create(job)
    store.put_input(job, b"rows")
    store.finish(job, Outcome(1, JobStatus.SUCCEEDED, result=b"r", result_size=1))
    store.delete(job.key)
    assert store.load(job.key) is None
    assert store.get_input(job) is None
    assert store.create(job)[1]  # the key is free again


def test_sweep_removes_expired_records_only(store):
    now = time.time()
    expired = new_job(key="1" * 64, expires_at=int(now + 3600))
    live = new_job(key="2" * 64, expires_at=int(now + 3600))
    for job in (expired, live):
        store.create(job)
        store.finish(job, Outcome(1, JobStatus.SUCCEEDED, result=b"r", result_size=1))
        store.put_input(job, b"rows")
    # delivered: the record's expiry moves earlier than its outcome's and input's
    store.update(store.load(expired.key), status=JobStatus.DELIVERED, expires_at=int(now - 5))
    assert store.sweep(now) >= 1
    assert store.load(expired.key) is None
    assert store.load(live.key) is not None
    assert store.sweep(now) == 0
    # the expired job went whole: nothing of it is left to find, even parts that expire later
    store.delete(live.key)
    assert _stored_keys(store) == set()


def _stored_keys(store) -> set[str]:
    if store.name == "memory":
        return {k for k, _ in store.stored_parts()}
    if store.name == "dynamodb":
        return {i["pk"]["S"] for i in store.client.scan(TableName=store.table)["Items"]}
    if store.name == "s3":
        listing = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix)
        return {o["Key"] for o in listing.get("Contents", [])}
    return {p.name for p in __import__("pathlib").Path(store.root).glob("??/*")}


@pytest.mark.parametrize("bad", ["../../etc/passwd", "/abs", "A" * 64, ""])
def test_efs_refuses_keys_that_are_not_hashes(tmp_path, bad):
    from storage_backends.efs import EFSJobStore

    s = EFSJobStore(str(tmp_path / "jobs"))
    with pytest.raises(ValueError):
        s.create(new_job(key=bad))
    assert not any(p.name == "passwd" for p in tmp_path.rglob("*"))


def test_efs_sweep_spares_a_folder_a_create_just_made(tmp_path):
    """The sweep runs while POSTs create jobs: an empty job folder is a create in progress."""
    from storage_backends.efs import EFSJobStore

    s = EFSJobStore(str(tmp_path / "jobs"))
    folder = tmp_path / "jobs" / "ab" / ("ab" * 32)
    folder.mkdir(parents=True)
    assert s.sweep(time.time()) == 0 and folder.is_dir()
    assert s.sweep(time.time() + 7200) == 1 and not folder.exists()
