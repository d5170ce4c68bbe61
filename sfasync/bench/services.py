"""What a local bench run starts and stops: a moto server (DynamoDB, S3), the Comprehend stand-in,
and one ``sfasync serve`` endpoint per backend -- each a subprocess in its own session, so that the
processes measured do not share the bench's interpreter, and so that stopping one reaps it all."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import sfasync

REPO = Path(sfasync.__file__).resolve().parents[1]
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


class ServiceError(RuntimeError):
    """A local service did not start; the message carries its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def offline_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every local service: fake credentials, never a real AWS account."""
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COMPREHEND"):
        env.pop(name, None)
    env.update(FAKE_CREDENTIALS)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO), str(REPO / "lambda"), env.get("PYTHONPATH")])
    )
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy; ServiceError after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise ServiceError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Service:
    """One subprocess; ``stop()`` interrupts it, then kills its whole session."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}.log"
        self._log: IO[bytes] = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True, cwd=log_dir
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise ServiceError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(15)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything of its session still alive
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        self._log.close()


def _answers_http(service: Service, port: int, method: str, path: str, headers: dict[str, str]) -> bool:
    service.check_alive()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request(method, path, headers=headers)
        conn.getresponse().read()
        conn.close()
        return True
    except OSError:
        return False


def start_moto(log_dir: Path) -> tuple[Service, str]:
    port = free_port()
    service = Service(
        "moto",
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        offline_env(),
        log_dir,
    )
    try:
        wait_until(lambda: _answers_http(service, port, "GET", "/moto-api/", {}), 60, "the moto server")
    except BaseException:
        service.stop()
        raise
    return service, f"http://127.0.0.1:{port}"


def start_comprehend(log_dir: Path) -> tuple[Service, str]:
    port = free_port()
    service = Service(
        "comprehend",
        [sys.executable, "-m", "sfasync.bench.comprehend", "--port", str(port)],
        offline_env(),
        log_dir,
    )
    try:
        wait_until(lambda: "ready" in service.log(), 60, "the Comprehend stand-in")
    except BaseException:
        service.stop()
        raise
    return service, f"http://127.0.0.1:{port}"


def client_credentials() -> dict[str, str]:
    """boto3 client arguments for a local emulator: fake credentials, us-east-1."""
    return {
        "region_name": FAKE_CREDENTIALS["AWS_REGION"],
        "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def create_baseline_table(moto_url: str, table: str) -> None:
    import boto3

    from sfasync.bench.baseline import provision

    provision(boto3.client("dynamodb", endpoint_url=moto_url, **client_credentials()), table)


def start_endpoint(
    backend: str,
    *,
    log_dir: Path,
    accounting_dir: Path,
    moto_url: str | None,
    comprehend_url: str | None,
    concurrency: int,
    latency_model: str = "none",
    baseline: bool = False,
) -> tuple[Service, str]:
    """``sfasync serve`` for ``backend`` with accounting on; with ``baseline``, the sample's handler
    on a fresh ``batch_id``-keyed DynamoDB table."""
    port = free_port()
    name = f"sfasync-bench-{uuid.uuid4().hex[:8]}"
    args = [
        "--backend",
        backend,
        "--port",
        str(port),
        "--sweep-interval",
        "0",
        "--concurrency",
        str(concurrency),
    ]
    env = {
        "SFASYNC_INSTRUMENT": "sfasync.bench.accounting:Accounting",
        "SFASYNC_ACCOUNTING_DIR": str(accounting_dir),
        "SFASYNC_LATENCY_MODEL": latency_model,
        "SENTIMENT_ENGINE": "comprehend" if comprehend_url else "lexicon",
        "LOG_LEVEL": "WARNING",
    }
    if comprehend_url:
        env["AWS_ENDPOINT_URL_COMPREHEND"] = comprehend_url
    if backend == "efs":
        args += ["--data-dir", str(log_dir / f"{name}-jobs")]
    elif backend == "dynamodb":
        args += ["--table", name]
    else:
        args += ["--bucket", name]
    if backend != "efs":
        assert moto_url is not None
        args += ["--endpoint-url", moto_url]
    if baseline:
        assert moto_url is not None and backend == "dynamodb"
        create_baseline_table(moto_url, name)
        env["SFASYNC_HANDLER"] = "sfasync.bench.baseline:lambda_handler"
    else:
        args.append("--create")
    accounting_dir.mkdir(parents=True, exist_ok=True)
    label = f"endpoint-{'baseline' if baseline else backend}-{port}"
    service = Service(label, [sys.executable, "-m", "sfasync.cli", "serve", *args], offline_env(env), log_dir)
    headers = {"sf-external-function-query-batch-id": "sfasync-bench-ready?"}
    try:
        wait_until(lambda: _answers_http(service, port, "GET", "/echo", headers), 60, f"the {label}")
    except BaseException:
        service.stop()
        raise
    return service, f"http://127.0.0.1:{port}"
