"""In-memory adapter: one process, for unit tests and as the reference the contract suite pins."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from .base import JobStore


class MemoryJobStore(JobStore):
    name = "memory"

    def __init__(self) -> None:
        self._parts: dict[tuple[str, str], tuple[bytes, int, int]] = {}
        self._lock = threading.Lock()
        self._versions = itertools.count(1)

    def _create(self, key: str, part: str, data: bytes, expires_at: int) -> Any | None:
        with self._lock:
            if (key, part) in self._parts:
                return None
            version = next(self._versions)
            self._parts[(key, part)] = (data, version, expires_at)
            return version

    def _replace(self, key: str, part: str, data: bytes, expires_at: int, token: Any) -> Any | None:
        with self._lock:
            stored = self._parts.get((key, part))
            if stored is None or stored[1] != token:
                return None
            version = next(self._versions)
            self._parts[(key, part)] = (data, version, expires_at)
            return version

    def _read(self, key: str, part: str) -> tuple[bytes, Any] | None:
        with self._lock:
            stored = self._parts.get((key, part))
        return None if stored is None else (stored[0], stored[1])

    def _delete_part(self, key: str, part: str) -> None:
        with self._lock:
            self._parts.pop((key, part), None)

    def _delete_all(self, key: str) -> None:
        with self._lock:
            for k in [k for k in self._parts if k[0] == key]:
                del self._parts[k]

    def sweep(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._lock:
            expired = {k for k, (_, _, exp) in self._parts.items() if exp <= now}
            expired_jobs = {key for key, part in expired if part == "job"}
            doomed = expired | {k for k in self._parts if k[0] in expired_jobs}
            for k in doomed:
                del self._parts[k]
        return len(expired_jobs) + len({k for k in expired if k[0] not in expired_jobs})

    def stored_parts(self) -> set[tuple[str, str]]:
        """Every stored (key, part): lets tests see exactly what is kept."""
        with self._lock:
            return set(self._parts)
