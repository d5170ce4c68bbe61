"""The storage port: one job record type, one status vocabulary, one abstract ``JobStore``.

A job is kept as up to three kinds of *parts* under one key (the SHA-256 of the batch id, never
the raw id):

- ``job`` -- the small mutable record (status, attempt, deadline, expiry). Created with a
  conditional write; every later change is a compare-and-swap on the token read with it.
- ``outcome-<attempt>`` -- the terminal result of one processing attempt (the gzip-compressed
  response body, or the failure cause). Written once, with a conditional create, by the
  invocation that claimed the attempt; reading it is how a poll sees completion.
- ``input-<attempt>`` -- the batch's rows, staged when the process event would be too large.

Keeping the outcome apart from the job record means a poll reads a small item while the batch
runs, and marking a batch delivered rewrites only the small record (on DynamoDB a write costs
the larger of the item before and after, so this keeps delivery at one write unit).

Adapters implement the byte-level primitives; this module owns (de)serialisation, the merge
of job and outcome into one view, and expiry.
"""

from __future__ import annotations

import enum
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any


class JobStatus(enum.StrEnum):
    QUEUED = "QUEUED"  # POST recorded it
    RUNNING = "RUNNING"  # a process invocation claimed it
    SUCCEEDED = "SUCCEEDED"  # the result is stored
    FAILED = "FAILED"  # processor error, deadline passed, or processing could not start
    DELIVERED = "DELIVERED"  # a GET answered 200; kept for the retention period


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.DELIVERED})


class StorageError(Exception):
    """Root of the storage errors."""


class StorageUnavailable(StorageError):
    """Throttled, timed out, 5xx, unreachable or misconfigured: the request answers 503."""


class UnknownBackend(StorageError, ValueError):
    """An unknown backend name; the message lists the valid ones."""


@dataclass(frozen=True)
class Outcome:
    """What one processing attempt produced."""

    attempt: int
    status: JobStatus  # SUCCEEDED or FAILED
    result: bytes | None = None  # gzip-compressed JSON response body ({"data": [...]})
    result_size: int = 0  # uncompressed size of that body, in bytes
    cause: str | None = None

    def to_bytes(self) -> bytes:
        header = {"attempt": self.attempt, "status": self.status.value, "result_size": self.result_size}
        if self.cause is not None:
            header["cause"] = self.cause
        return json.dumps(header).encode() + b"\n" + (self.result or b"")

    @classmethod
    def from_bytes(cls, data: bytes) -> Outcome:
        head, _, body = data.partition(b"\n")
        meta = json.loads(head)
        status = JobStatus(meta["status"])
        return cls(
            attempt=int(meta["attempt"]),
            status=status,
            result=body if status is JobStatus.SUCCEEDED else None,
            result_size=int(meta.get("result_size", 0)),
            cause=meta.get("cause"),
        )


@dataclass(frozen=True)
class Job:
    key: str
    function: str
    status: JobStatus
    attempt: int
    created_at: float
    deadline: float
    expires_at: int  # epoch seconds; records past it are invisible and swept
    staged_input: bool = False
    cause: str | None = None
    # Filled by load(): the outcome of the current attempt, when there is one.
    outcome: Outcome | None = field(default=None, compare=False)
    # Opaque compare-and-swap token of the stored job part (version, ETag, content hash).
    token: Any = field(default=None, compare=False)

    @property
    def effective_status(self) -> JobStatus:
        """The status a reader sees: a stored QUEUED/RUNNING job with an outcome has finished."""
        if self.status in (JobStatus.QUEUED, JobStatus.RUNNING) and self.outcome is not None:
            return self.outcome.status
        return self.status

    def is_expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires_at

    def stored_fields(self) -> dict[str, Any]:
        """What the job record keeps (not the loaded outcome nor the CAS token)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("outcome", "token")}

    def to_bytes(self) -> bytes:
        data = self.stored_fields()
        data["status"] = self.status.value
        return json.dumps(data, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes, token: Any = None) -> Job:
        raw = json.loads(data)
        raw["status"] = JobStatus(raw["status"])
        return cls(**raw, token=token)

    def evolve(self, **changes: Any) -> Job:
        return replace(self, **changes)


def outcome_part(attempt: int) -> str:
    return f"outcome-{attempt}"


def input_part(attempt: int) -> str:
    return f"input-{attempt}"


class JobStore(ABC):
    """Port to the shared storage. Adapters implement the primitives below; all reads are
    strongly consistent. Every primitive raises ``StorageUnavailable`` for transient or
    configuration failures, translated from the vendor error with ``raise ... from``."""

    #: registry name
    name: str = ""

    # -- primitives ---------------------------------------------------------------------------
    @abstractmethod
    def _create(self, key: str, part: str, data: bytes, expires_at: int) -> Any | None:
        """Write the part only if absent: its new token, or None if it already existed."""

    @abstractmethod
    def _replace(self, key: str, part: str, data: bytes, expires_at: int, token: Any) -> Any | None:
        """Overwrite the part only if its stored token is still ``token``; return the new token,
        or None if another writer got there first (or the part is gone)."""

    @abstractmethod
    def _read(self, key: str, part: str) -> tuple[bytes, Any] | None:
        """The part's bytes and token, or None."""

    @abstractmethod
    def _delete_part(self, key: str, part: str) -> None:
        """Remove one part (absent is fine)."""

    @abstractmethod
    def _delete_all(self, key: str) -> None:
        """Remove every part of the key (absent is fine)."""

    @abstractmethod
    def sweep(self, now: float | None = None) -> int:
        """Physically remove every record whose ``expires_at`` has passed; return how many jobs
        (or orphaned parts) were removed."""

    # -- job operations (shared by every adapter) -----------------------------------------------
    def create(self, job: Job) -> tuple[Job | None, bool]:
        """Conditionally create the job: ``(job with its token, True)`` if created, otherwise
        ``(the job already stored, False)`` -- None there if it vanished in between."""
        token = self._create(job.key, "job", job.to_bytes(), job.expires_at)
        if token is not None:
            return job.evolve(token=token), True
        return self.load(job.key), False

    def load(self, key: str) -> Job | None:
        found = self._read(key, "job")
        if found is None:
            return None
        job = Job.from_bytes(found[0], token=found[1])
        return self._with_outcome(job, self._read(key, outcome_part(job.attempt)))

    @staticmethod
    def _with_outcome(job: Job, found: tuple[bytes, Any] | None) -> Job:
        if found is None:
            return job
        outcome = Outcome.from_bytes(found[0])
        return job.evolve(outcome=outcome) if outcome.attempt == job.attempt else job

    def update(self, current: Job, **changes: Any) -> Job | None:
        """Compare-and-swap: apply ``changes`` if the stored job is still ``current``.
        Returns the new job (keeping the loaded outcome), or None if the race was lost."""
        new = current.evolve(**changes)
        token = self._replace(current.key, "job", new.to_bytes(), new.expires_at, current.token)
        if token is None:
            return None
        outcome = new.outcome if new.attempt == current.attempt else None
        return new.evolve(token=token, outcome=outcome)

    def finish(self, job: Job, outcome: Outcome) -> bool:
        """Record the attempt's outcome once. False if this attempt already has one."""
        return (
            self._create(job.key, outcome_part(outcome.attempt), outcome.to_bytes(), job.expires_at)
            is not None
        )

    def put_input(self, job: Job, data: bytes) -> None:
        """Stage the batch's rows for the job's current attempt. Each attempt has its own part,
        and only the POST that started the attempt writes it: one conditional create."""
        self._create(job.key, input_part(job.attempt), data, job.expires_at)

    def get_input(self, job: Job) -> bytes | None:
        found = self._read(job.key, input_part(job.attempt))
        return None if found is None else found[0]

    def delete_input(self, job: Job) -> None:
        self._delete_part(job.key, input_part(job.attempt))

    def delete(self, key: str) -> None:
        self._delete_all(key)


def chunks(data: bytes, size: int) -> Iterable[bytes]:
    """Split ``data`` into pieces of at most ``size`` bytes (at least one piece)."""
    if not data:
        yield b""
        return
    for start in range(0, len(data), size):
        yield data[start : start + size]
