"""Filesystem adapter: any POSIX folder -- an EFS access point mounted into Lambda on AWS, a
local folder elsewhere (the embedded default).

Layout: ``<dir>/<key[:2]>/<key>/<part>``. A part is written to a temporary file and then
published atomically: ``link()`` for a create (fails if the name exists: an exclusive create
with no window in which a reader sees half a file), ``rename()`` for an update. Updates are
compare-and-swap on the content's SHA-256 under a POSIX record lock (``lockf``; EFS supports
NFSv4 locking) on one of 256 lock files. A part's expiry is its modification time, so a sweep
needs only ``stat``. EFS gives close-to-open consistency: every read opens the file anew.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

from .base import JobStore, StorageUnavailable

_KEY = re.compile(r"[0-9a-f]{64}")
_PART = re.compile(r"(job|outcome-\d+|input-\d+)")
TMP_MAX_AGE = 3600.0
_THREAD_LOCKS = [
    threading.Lock() for _ in range(256)
]  # temporary files older than this are debris of a crashed writer


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EFSJobStore(JobStore):
    name = "efs"

    def __init__(self, directory: str) -> None:
        if not directory:
            raise ValueError("the efs backend needs a folder (JOBS_DIR / --data-dir)")
        self.root = os.path.abspath(directory)
        self.ops: Counter[str] = Counter()  # storage requests by kind, for the benchmark
        try:
            os.makedirs(os.path.join(self.root, ".locks"), exist_ok=True)
            os.makedirs(os.path.join(self.root, ".trash"), exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot use {self.root}: {exc}") from exc

    # -- primitives ---------------------------------------------------------------------------
    def _create(self, key: str, part: str, data: bytes, expires_at: int) -> Any | None:
        self.ops["write"] += 1
        with self._errors("create"):
            folder = self._folder(key)
            for _ in range(3):
                try:
                    os.makedirs(folder, exist_ok=True)
                    tmp = self._tmp(folder, data, expires_at)
                except FileNotFoundError:  # the folder was deleted under us: make it again
                    continue
                try:
                    os.link(tmp, os.path.join(folder, part))
                    return _digest(data)
                except FileExistsError:
                    return None
                except FileNotFoundError:
                    continue
                finally:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(tmp)
            raise StorageUnavailable(f"{folder} keeps disappearing")

    def _replace(self, key: str, part: str, data: bytes, expires_at: int, token: Any) -> Any | None:
        self.ops["write"] += 1
        path = self._path(key, part)
        with self._errors("update"), self._locked(key):
            try:
                with open(path, "rb") as current:
                    if _digest(current.read()) != token:
                        return None
            except FileNotFoundError:
                return None
            tmp = self._tmp(os.path.dirname(path), data, expires_at)
            os.replace(tmp, path)
            return _digest(data)

    def _read(self, key: str, part: str) -> tuple[bytes, Any] | None:
        self.ops["read"] += 1
        with self._errors("read"):
            try:
                with open(self._path(key, part), "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                return None
        return data, _digest(data)

    def _delete_part(self, key: str, part: str) -> None:
        self.ops["delete"] += 1
        with self._errors("delete"), contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(key, part))

    def _delete_all(self, key: str) -> None:
        self.ops["delete"] += 1
        with self._errors("delete"):
            self._discard(self._folder(key))

    def sweep(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        removed = 0
        with self._errors("sweep"):
            for shard in self._entries(self.root):
                if shard.name.startswith("."):
                    continue
                for folder in self._entries(shard.path):
                    if self._expired(folder.path, now):
                        self._discard(folder.path)
                        removed += 1
            trash = os.path.join(self.root, ".trash")
            for debris in self._entries(trash):  # left by a crash between rename and rmtree
                shutil.rmtree(debris.path, ignore_errors=True)
        return removed

    # -- helpers --------------------------------------------------------------------------------
    def _folder(self, key: str) -> str:
        if not _KEY.fullmatch(key):  # keys are SHA-256 hex: nothing else becomes a path
            raise ValueError(f"invalid job key {key[:80]!r}")
        return os.path.join(self.root, key[:2], key)

    def _path(self, key: str, part: str) -> str:
        if not _PART.fullmatch(part):
            raise ValueError(f"invalid part name {part[:80]!r}")
        return os.path.join(self._folder(key), part)

    @staticmethod
    def _tmp(folder: str, data: bytes, expires_at: int) -> str:
        tmp = os.path.join(folder, f".tmp-{uuid.uuid4().hex}")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.utime(tmp, (expires_at, expires_at))
        return tmp

    def _discard(self, folder: str) -> None:
        """Make the folder disappear atomically (rename), then remove it."""
        doomed = os.path.join(self.root, ".trash", f"{os.path.basename(folder)}-{uuid.uuid4().hex}")
        try:
            os.rename(folder, doomed)
        except FileNotFoundError:
            return
        shutil.rmtree(doomed, ignore_errors=True)

    def _expired(self, folder: str, now: float) -> bool:
        try:
            return os.stat(os.path.join(folder, "job")).st_mtime <= now
        except FileNotFoundError:
            pass
        # No record: parts orphaned by a deleted job, or a crashed writer's temporary files.
        try:
            entries = list(os.scandir(folder))
            if not entries:  # just made by a create that is about to link its record
                return os.stat(folder).st_ctime + TMP_MAX_AGE <= now
        except FileNotFoundError:
            return False
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):
                st = entry.stat()
                limit = st.st_ctime + TMP_MAX_AGE if entry.name.startswith(".tmp-") else st.st_mtime
                if limit > now:
                    return False
        return True

    @staticmethod
    def _entries(path: str) -> list[os.DirEntry[str]]:
        try:
            return [e for e in os.scandir(path) if e.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            return []

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        # POSIX record locks exclude other processes only; a thread lock excludes our own threads.
        with _THREAD_LOCKS[int(key[:2], 16)], open(os.path.join(self.root, ".locks", key[:2]), "a+b") as lock:
            fcntl.lockf(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(lock, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise StorageUnavailable(f"{what} under {self.root}: {exc}") from exc


def provision(directory: str) -> None:
    """Create the folder (on AWS, the EFS access point creates its root directory)."""
    os.makedirs(directory, exist_ok=True)
