"""Runs ``sfasync serve`` / ``sfasync run`` as a real subprocess on a free port, as a user would."""

from __future__ import annotations

import contextlib
import http.client
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil

from sfasync.bench.services import wait_until
from tests.conftest import free_port
from tests.e2e import plugins

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Storage:
    """Where a server keeps its jobs; reused to restart a server on the same storage."""

    backend: str
    data_dir: Path
    moto_url: str | None = None
    name: str = field(default_factory=lambda: f"sfasync-e2e-{uuid.uuid4().hex[:10]}")

    def args(self) -> list[str]:
        args = ["--backend", self.backend]
        if self.backend == "efs":
            args += ["--data-dir", str(self.data_dir)]
        elif self.backend == "dynamodb":
            args += ["--table", self.name]
        else:
            args += ["--bucket", self.name]
        if self.moto_url and self.backend != "efs":
            args += ["--endpoint-url", self.moto_url]
        return args


def subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "lambda"), env.get("PYTHONPATH", "")]),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_ENDPOINT_URL", None)
    env.update(extra or {})
    return env


class ServerProcess:
    """One ``sfasync`` server subprocess in its own session (so that teardown can reap it all)."""

    def __init__(
        self,
        storage: Storage,
        workdir: Path,
        *,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
        command: str = "serve",
    ) -> None:
        self.storage = storage
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / f"server-{self.port}.log"
        cmd = [sys.executable, "-m", "sfasync.cli", command, *storage.args(), "--port", str(self.port)]
        cmd += ["--create", "--functions", plugins.FUNCTIONS, "--sweep-interval", "5", *(args or [])]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in cleanup()
        self.stdout: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(
            cmd,
            cwd=workdir,
            env=subprocess_env(env),
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,
            text=True,
        )
        assert self.proc.stdout is not None
        threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True).start()
        self.pgid = self.proc.pid

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.stdout.put(line)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> ServerProcess:
        def answers() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/echo", headers={"sf-external-function-query-batch-id": "ready?"})
                conn.getresponse().read()
                conn.close()
                return True
            except OSError:
                return False

        wait_until(answers, timeout, f"the server on port {self.port}\n{self.log()}", interval=0.1)
        return self

    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def interrupt(self, timeout: float = 20) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL the server alone (its workers and forkserver are left to fend for themselves)."""
        self.proc.kill()
        self.proc.wait(10)

    def read_stdout_until(self, marker: str, timeout: float) -> str:
        lines: list[str] = []
        end = time.monotonic() + timeout
        while not any(marker in line for line in lines):
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no {marker!r} on stdout within {timeout} s:\n{''.join(lines)}\n{self.log()}"
                )
            try:
                lines.append(self.stdout.get(timeout=left))
            except queue.Empty:
                continue
        return "".join(lines)

    def cleanup(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        self._log.close()


def gone(processes: list[psutil.Process]) -> bool:
    """Every process has exited (a zombie waiting for its reaper counts as exited)."""
    for proc in processes:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True
