"""Settings, storage provisioning and the lifecycle of the local endpoint (``sfasync serve``).

The server configures the service the way Lambda does -- through the §7 environment variables --
so that its worker processes, which build their own store, see exactly the same settings. Flags
win over the environment.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfasync.server.context import LocalContext
from sfasync.server.events import request_to_event, response_to_answer
from sfasync.server.http import EndpointServer
from sfasync.server.sweep import PeriodicSweep
from sfasync.server.workers import WorkerPool, load_handler

log = logging.getLogger("sfasync.server")

BACKENDS = ("efs", "dynamodb", "s3")
DEFAULT_TABLE = "sfasync-jobs"
DEFAULT_BUCKET = "sfasync-jobs"
DEFAULT_DATA_DIR = ".sfasync/jobs"
READINESS_BATCH_ID = "sfasync-local-readiness-check"


class StartupError(RuntimeError):
    """The server cannot start; the message says what to fix."""


@dataclass
class ServerSettings:
    """What ``sfasync serve`` is told; ``None`` means "take it from the environment or the default"."""

    backend: str | None = None
    data_dir: str | None = None
    table: str | None = None
    bucket: str | None = None
    prefix: str | None = None
    endpoint_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    create: bool = False
    sentiment_engine: str | None = None
    process_timeout_seconds: int | None = None
    extra_functions: str | None = None
    # Like Lambda's reserved concurrency: at most this many worker processes at a time.
    concurrency: int = field(default_factory=lambda: max(4, 2 * (os.cpu_count() or 1)))
    queue_size: int = 1000
    sweep_interval_seconds: float = 60.0

    def environment(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """The §7 variables the service (and every worker) will run with."""
        env = dict(os.environ if env is None else env)
        backend = (self.backend or env.get("STORAGE_BACKEND") or "efs").strip().lower()
        if backend not in BACKENDS:
            raise StartupError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        env["STORAGE_BACKEND"] = backend
        if self.data_dir is not None or backend == "efs":
            env["JOBS_DIR"] = str(Path(self.data_dir or env.get("JOBS_DIR") or DEFAULT_DATA_DIR).resolve())
        if self.table is not None or backend == "dynamodb":
            env["JOBS_TABLE"] = self.table or env.get("JOBS_TABLE") or DEFAULT_TABLE
        if self.bucket is not None or backend == "s3":
            env["JOBS_BUCKET"] = self.bucket or env.get("JOBS_BUCKET") or DEFAULT_BUCKET
        if self.prefix is not None:
            env["JOBS_PREFIX"] = self.prefix
        if self.endpoint_url is not None:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        # Locally the offline engine is the default: no AWS account is needed.
        env["SENTIMENT_ENGINE"] = self.sentiment_engine or env.get("SENTIMENT_ENGINE") or "lexicon"
        if self.process_timeout_seconds is not None:
            env["PROCESS_TIMEOUT_SECONDS"] = str(self.process_timeout_seconds)
        if self.extra_functions is not None:
            env["EXTRA_FUNCTIONS"] = self.extra_functions
        if backend != "efs":
            env.setdefault("AWS_DEFAULT_REGION", env.get("AWS_REGION") or "us-east-1")
        return env


def provision_storage(env: dict[str, str]) -> None:
    """``--create``: the table / bucket / folder with the schema and settings Terraform gives it."""
    backend = env["STORAGE_BACKEND"]
    from storage_backends import provision

    try:
        provision(
            backend,
            table=env.get("JOBS_TABLE", ""),
            bucket=env.get("JOBS_BUCKET", ""),
            prefix=env.get("JOBS_PREFIX", "jobs/"),
            directory=env.get("JOBS_DIR", ""),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        )
    except Exception as exc:
        raise StartupError(f"--create failed for the {backend} backend: {exc}") from exc


def describe_storage(env: dict[str, str]) -> str:
    backend = env["STORAGE_BACKEND"]
    where = {
        "efs": env.get("JOBS_DIR", ""),
        "dynamodb": f"table {env.get('JOBS_TABLE', '')}",
        "s3": f"s3://{env.get('JOBS_BUCKET', '')}/{env.get('JOBS_PREFIX', 'jobs/')}",
    }[backend]
    endpoint = env.get("AWS_ENDPOINT_URL")
    return f"{backend} ({where}{', endpoint ' + endpoint if endpoint and backend != 'efs' else ''})"


def fail_unfinished_batch(event: dict[str, Any], cause: str) -> None:
    """A worker died or was killed: fail its batch now, unless it finished (or moved on) meanwhile.

    The local counterpart of an on-failure destination: on AWS the GET learns it only at the
    deadline. The worker is gone, so nothing else writes this attempt's outcome.
    """
    from sfasync_service.app import runtime
    from storage_backends.base import JobStatus

    if event.get("sfasync") != "process":  # another handler's event (SFASYNC_HANDLER): not ours to fail
        return
    rt = runtime()
    job = rt.store.load(str(event.get("key")))
    if job is None or job.attempt != event.get("attempt"):
        return
    if job.effective_status in (JobStatus.QUEUED, JobStatus.RUNNING):
        rt.machine.abandon(job, cause)


class LocalServer:
    """The handler behind HTTP, with a worker pool as its invoker and a periodic sweep.

    One at a time per process: ``start()`` writes the settings into ``os.environ`` (the workers
    read them from there). Workers are started through ``multiprocessing``'s forkserver, so the
    program's ``__main__`` must be importable (a module, or a script with a ``__main__`` guard).
    """

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self._httpd: EndpointServer | None = None
        self._pool: WorkerPool | None = None
        self._sweep: PeriodicSweep | None = None
        self._serving: threading.Thread | None = None
        self._stopped = threading.Event()
        self.env: dict[str, str] = {}

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Configure, provision (``--create``), check storage, bind, and serve in the background."""
        env = self.settings.environment()
        os.environ.update(env)  # the handler and every forked worker read their settings from here
        self.env = env
        from sfasync_service.app import configure
        from sfasync_service.config import Config, ConfigError

        try:
            config = Config.from_env(env)
        except ConfigError as exc:
            raise StartupError(str(exc)) from exc
        if self.settings.create:
            provision_storage(env)
        lambda_handler = load_handler()

        timeout = float(config.process_timeout_seconds)
        self._pool = WorkerPool(
            concurrency=self.settings.concurrency,
            timeout_seconds=timeout,
            queue_size=self.settings.queue_size,
            on_failure=fail_unfinished_batch,
        )
        self._pool.start()
        try:
            configure(invoker=self._pool)
            self._check_storage(lambda_handler, config.default_function, timeout)
            try:
                self._httpd = EndpointServer(
                    (self.settings.host, self.settings.port),
                    handler=lambda_handler,
                    max_body_bytes=config.max_body_bytes,
                    timeout_seconds=timeout,
                )
            except OSError as exc:
                raise StartupError(
                    f"cannot listen on {self.settings.host}:{self.settings.port}: {exc}"
                ) from exc
        except BaseException:
            self._pool.stop()
            raise
        self._sweep = PeriodicSweep(
            lambda_handler, interval_seconds=self.settings.sweep_interval_seconds, timeout_seconds=timeout
        )
        self._sweep.start()
        self._serving = threading.Thread(target=self._httpd.serve_forever, name="sfasync-http", daemon=True)
        self._serving.start()
        log.info(
            "listening on %s -- storage %s, sentiment engine %s, %d workers, timeout %.0f s",
            self.url,
            describe_storage(env),
            env["SENTIMENT_ENGINE"],
            self.settings.concurrency,
            timeout,
        )

    def wait(self) -> None:
        """Block until ``stop()``; Ctrl-C (``KeyboardInterrupt``) gets through every half second."""
        while not self._stopped.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop serving, end every worker process, and return when nothing is left running."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._sweep is not None:
            self._sweep.stop()
        if self._pool is not None:
            self._pool.stop()
        log.info("stopped")

    def _check_storage(self, handler: Any, function: str, timeout: float) -> None:
        """A GET for an unknown batch: builds the store once (before threads race) and proves it answers."""
        event = request_to_event(
            "GET",
            f"/{function}",
            [("sf-external-function-query-batch-id", READINESS_BATCH_ID)],
            None,
        )
        try:
            answer = response_to_answer(handler(event, LocalContext(timeout)))
        except Exception as exc:
            raise StartupError(f"the handler failed its first request: {exc}") from exc
        if answer.status >= 500:
            detail = answer.body.decode("utf-8", "replace")
            hint = "" if self.settings.create else " (use --create to create it)"
            raise StartupError(
                f"storage {describe_storage(self.env)} is not usable{hint}: HTTP {answer.status} {detail}"
            )
