"""The job state machine (SPEC §5), over a ``JobStore``.

    QUEUED --claim--> RUNNING --finish--> SUCCEEDED --first 200--> DELIVERED
       |                 |          \\--> FAILED (processor error)
       \\-----------------+--deadline passed / could not start--> FAILED
    FAILED (or expired, or stuck past its deadline) --new POST--> QUEUED (attempt + 1)

Every transition is a conditional write: creation is put-if-absent, every later change a
compare-and-swap on the record read just before, and an outcome is written once per attempt.
Nothing here knows how a record is stored.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from storage_backends.base import FINISHED, Job, JobStatus, JobStore, Outcome, StorageUnavailable

log = logging.getLogger("sfasync.jobs")


def job_key(function: str, batch_id: str) -> str:
    """Batch ids are opaque and untrusted: only their hash ever reaches a key or a path."""
    return hashlib.sha256(f"{function}\n{batch_id}".encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Submission:
    job: Job
    start: bool  # True when this POST must start (or restart) processing


@dataclass(frozen=True)
class Poll:
    status: JobStatus  # QUEUED/RUNNING (in progress), SUCCEEDED/DELIVERED (result), FAILED
    result: bytes | None = None
    result_size: int = 0
    cause: str | None = None


@dataclass(frozen=True)
class Timing:
    process_timeout_seconds: int
    deadline_margin_seconds: int
    job_ttl_seconds: int
    result_retention_seconds: int


class JobMachine:
    def __init__(self, store: JobStore, timing: Timing, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.timing = timing
        self.clock = clock

    # -- POST -----------------------------------------------------------------------------------
    def submit(self, key: str, function: str, staged_input: bool) -> Submission:
        """Record the batch. A known batch is restarted only if it failed, expired or is stuck
        past its deadline; otherwise nothing is started twice."""
        now = self.clock()
        fresh = self._new_job(key, function, attempt=1, staged_input=staged_input, now=now)
        for _ in range(3):  # a lost race means someone else moved the job: look again
            stored, created = self.store.create(fresh)
            if created:
                assert stored is not None
                return Submission(stored, start=True)
            if stored is None:  # deleted in between: create it afresh
                continue
            if not self._restartable(stored, now):
                return Submission(stored, start=False)
            retry = self._new_job(key, function, stored.attempt + 1, staged_input, now)
            restarted = self.store.update(stored, **retry.stored_fields())
            if restarted is not None:
                log.info("restarting batch %s as attempt %d", key[:12], restarted.attempt)
                return Submission(restarted, start=True)
        raise StorageUnavailable(f"batch {key[:12]} changed concurrently too often; retry")

    def _restartable(self, job: Job, now: float) -> bool:
        if job.is_expired(now):
            return True
        status = job.effective_status
        if status is JobStatus.FAILED:
            return True
        return status in (JobStatus.QUEUED, JobStatus.RUNNING) and now > job.deadline

    def _new_job(self, key: str, function: str, attempt: int, staged_input: bool, now: float) -> Job:
        t = self.timing
        return Job(
            key=key,
            function=function,
            status=JobStatus.QUEUED,
            attempt=attempt,
            created_at=now,
            deadline=now + t.process_timeout_seconds + t.deadline_margin_seconds,
            expires_at=int(
                now + max(t.job_ttl_seconds, t.process_timeout_seconds + t.deadline_margin_seconds)
            )
            + 1,
            staged_input=staged_input,
        )

    def abandon(self, job: Job, cause: str) -> None:
        """Processing could not be started: fail the attempt so that nothing waits for it and a
        retried POST restarts it. Best effort -- the deadline catches it otherwise."""
        try:
            current = self.store.load(job.key)
            if (
                current is not None
                and current.attempt == job.attempt
                and current.effective_status in (JobStatus.QUEUED, JobStatus.RUNNING)
            ):
                self._close_failed(current, cause)
        except StorageUnavailable:
            log.warning("could not mark batch %s failed; its deadline will", job.key[:12])

    # -- process --------------------------------------------------------------------------------
    def claim(self, job: Job) -> Job | None:
        """QUEUED -> RUNNING for exactly one process invocation: a compare-and-swap against the
        record as the POST stored it (carried in the process event), so a duplicated or stale
        event loses without reading anything first."""
        if job.status is not JobStatus.QUEUED or job.is_expired(self.clock()):
            return None
        return self.store.update(job, status=JobStatus.RUNNING)

    def finish(self, job: Job, outcome: Outcome) -> bool:
        # A staged input is left to expire with its job: deleting it would cost a DynamoDB
        # write unit per KB, which TTL deletion does for free.
        return self.store.finish(job, outcome)

    # -- GET ------------------------------------------------------------------------------------
    def poll(self, key: str) -> Poll | None:
        """None for an unknown or expired batch."""
        now = self.clock()
        job = self.store.load(key)
        if job is None or job.is_expired(now):
            return None
        status = job.effective_status
        if status in (JobStatus.QUEUED, JobStatus.RUNNING):
            if now <= job.deadline:
                return Poll(status)
            cause = (
                f"processing did not finish by its deadline ({job.deadline - job.created_at:.0f} s after "
                f"the POST): the processing invocation timed out, crashed or never started"
            )
            return self._fail_past_deadline(job, cause)
        if status is JobStatus.FAILED:
            cause = job.cause or (job.outcome.cause if job.outcome else None) or "processing failed"
            if job.status is not JobStatus.FAILED:
                self._close_failed(job, cause)
            return Poll(JobStatus.FAILED, cause=cause)
        assert job.outcome is not None and status in FINISHED
        if job.status is not JobStatus.DELIVERED:
            self._mark_delivered(job, now)
        return Poll(status, job.outcome.result, job.outcome.result_size)

    def _fail_past_deadline(self, job: Job, cause: str) -> Poll:
        try:
            closed = self._close_failed(job, cause)
        except StorageUnavailable:
            closed = True  # the answer is the same; cleanup happens on the next poll or by expiry
        if not closed:  # it changed under us (it may just have finished): answer from storage
            again = self.store.load(job.key)
            if again is not None and again.effective_status not in (JobStatus.QUEUED, JobStatus.RUNNING):
                return self.poll(job.key) or Poll(JobStatus.FAILED, cause=cause)
        return Poll(JobStatus.FAILED, cause=cause)

    def _close_failed(self, job: Job, cause: str) -> bool:
        """Mark the job FAILED, keep it only for the retention period, drop its staged input."""
        expires = min(job.expires_at, int(self.clock() + self.timing.result_retention_seconds) + 1)
        closed = self.store.update(job, status=JobStatus.FAILED, cause=cause, expires_at=expires)
        if closed is not None and job.staged_input:
            self.store.delete_input(job)
        return closed is not None

    def _mark_delivered(self, job: Job, now: float) -> None:
        expires = int(now + self.timing.result_retention_seconds) + 1
        current: Job | None = job
        try:
            for _ in range(3):
                # The record read may predate the claim (the job and its outcome are two reads),
                # so a lost compare-and-swap is retried on a fresh read.
                if current is None or current.status is JobStatus.DELIVERED or current.outcome is None:
                    return
                if self.store.update(current, status=JobStatus.DELIVERED, expires_at=expires) is not None:
                    return
                current = self.store.load(job.key)
            log.warning("batch %s: could not mark it delivered (it changed three times)", job.key[:12])
        except StorageUnavailable:
            # The result is in hand; answering 200 matters more than the bookkeeping. The record
            # then simply lives until its original expiry.
            log.warning("could not mark batch %s delivered", job.key[:12])
