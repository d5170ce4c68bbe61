"""The local ``Invoker``: every self-invocation runs in its own worker process, like an ``Event`` invoke.

A ``WorkerPool`` accepts process events at once (``invoke_async``) into a bounded queue; at most
``concurrency`` of them run at a time (Lambda's reserved concurrency). Each event gets a *fresh*
process, forked from a ``forkserver`` that has already imported the service code, so starting one
is cheap and nothing is shared with the server but the environment (the worker builds its own
store from it). The pool enforces ``PROCESS_TIMEOUT_SECONDS`` as Lambda enforces its timeout: a
worker still running then is killed. A worker that crashes, hangs or is killed affects only its
own batch: the pool reports it (``on_failure``) and the server fails that batch at once with the
cause, so its next GET answers 500; should even that fail, the batch's deadline does the same.

Lambda retries a failed asynchronous invocation; the pool does not: a retry of a batch that was
claimed would lose the claim anyway.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from sfasync.server.context import LocalContext

log = logging.getLogger("sfasync.server")

# Imported once by the forkserver so that every worker starts with them loaded.
PRELOAD = ["sfasync.server.workers", "sfasync.server._preload"]
# Seconds a worker gets between SIGTERM and SIGKILL when the server stops.
STOP_GRACE_SECONDS = 2.0


class _NoInvoker:
    """Workers process; they never start further invocations."""

    def invoke_async(self, event: dict[str, Any], context: Any) -> None:
        from sfasync_service.invokers import InvokeError

        raise InvokeError("a local worker cannot start asynchronous invocations")


DEFAULT_HANDLER = "sfasync_service.app:lambda_handler"


def load_handler() -> Callable[[Any, Any], Any]:
    """The function served: ``SFASYNC_HANDLER=module:function`` (default the service's handler).
    Another handler -- e.g. the benchmark's baseline design -- still gets this server's invoker
    through ``sfasync_service.app.configure``."""
    target = os.environ.get("SFASYNC_HANDLER", "").strip() or DEFAULT_HANDLER
    module, _, attr = target.partition(":")
    handler: Callable[[Any, Any], Any] = getattr(importlib.import_module(module), attr)
    return handler


def run_event(event: dict[str, Any], timeout_seconds: float, request_id: str) -> None:
    """Entry point of a worker process: one event through ``lambda_handler``, then exit."""
    # Ctrl-C reaches the whole process group; the server decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Self-destruct shortly after the timeout even if the server is gone (SIGKILLed).
    signal.alarm(int(timeout_seconds) + 2)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s worker[%(process)d] %(levelname)s %(message)s", force=True
    )
    from sfasync_service.app import configure

    configure(invoker=_NoInvoker())
    load_handler()(event, LocalContext(timeout_seconds, aws_request_id=request_id))


@dataclass
class _Queued:
    event: dict[str, Any]
    request_id: str
    queued_at: float


class WorkerPool:
    """Bounded-concurrency process pool implementing ``sfasync_service.invokers.Invoker``."""

    def __init__(
        self,
        *,
        concurrency: int,
        timeout_seconds: float,
        queue_size: int = 1000,
        on_failure: Callable[[dict[str, Any], str], None] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("worker concurrency must be at least 1")
        self.concurrency = concurrency
        self.timeout_seconds = timeout_seconds
        self._queue: queue.Queue[_Queued | None] = queue.Queue(maxsize=queue_size)
        self._mp = multiprocessing.get_context("forkserver")
        self._mp.set_forkserver_preload(PRELOAD)
        self._running: dict[int, BaseProcess] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._on_failure = on_failure

    # -- Invoker -------------------------------------------------------------------------------
    def invoke_async(self, event: dict[str, Any], context: Any) -> None:
        from sfasync_service.invokers import InvokeError

        if self._stopping.is_set():
            raise InvokeError("the local server is stopping")
        request_id = str(getattr(context, "aws_request_id", "")) or f"evt-{time.time_ns()}"
        try:
            self._queue.put_nowait(_Queued(event, request_id, time.monotonic()))
        except queue.Full as exc:
            raise InvokeError(f"worker queue full ({self._queue.maxsize} events waiting)") from exc

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        from multiprocessing import forkserver

        forkserver.ensure_running()  # pay the imports now, not on the first POST
        for n in range(self.concurrency):
            thread = threading.Thread(target=self._dispatch, name=f"sfasync-dispatch-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop taking events, end running workers (SIGTERM, then SIGKILL) and wait for them."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        while True:  # queued events are dropped: their jobs fail by deadline, as after a crash
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        for _ in self._threads:
            self._queue.put(None)
        self._signal_running(BaseProcess.terminate)
        end = time.monotonic() + STOP_GRACE_SECONDS
        for thread in self._threads:  # each dispatcher returns once its worker has exited
            thread.join(max(0.0, end - time.monotonic()))
        self._signal_running(BaseProcess.kill)
        for thread in self._threads:
            thread.join(5)
        _stop_forkserver()

    def _signal_running(self, how: Callable[[BaseProcess], None]) -> None:
        with self._lock:
            for proc in self._running.values():
                with contextlib.suppress(ValueError, OSError):  # it may have just exited
                    how(proc)

    # -- internals -----------------------------------------------------------------------------
    def _dispatch(self) -> None:
        while True:
            job = self._queue.get()
            if job is None or self._stopping.is_set():
                return
            try:
                self._run(job)
            except Exception:  # a dispatcher must survive anything a worker does
                log.exception("worker for %s failed to run", _describe(job.event))

    def _run(self, job: _Queued) -> None:
        proc = self._mp.Process(
            target=run_event,
            args=(job.event, self.timeout_seconds, job.request_id),
            name=f"sfasync-worker-{job.request_id}",
        )
        with self._lock:
            if self._stopping.is_set():
                return
            proc.start()
            assert proc.pid is not None
            self._running[proc.pid] = proc
        started = time.monotonic()
        try:
            proc.join(self.timeout_seconds)
            if proc.is_alive():
                proc.kill()  # Lambda's hard timeout
                proc.join()
                cause = (
                    f"the processing invocation timed out after {self.timeout_seconds:.0f} s and was killed"
                )
                log.warning("worker %s for %s: %s", proc.pid, _describe(job.event), cause)
                self._failed(job.event, cause)
            elif self._stopping.is_set():
                log.info("worker %s for %s stopped with the server", proc.pid, _describe(job.event))
            elif proc.exitcode != 0:
                cause = f"the processing invocation's worker process died ({_exit(proc)})"
                log.warning("worker %s for %s: %s", proc.pid, _describe(job.event), cause)
                self._failed(job.event, cause)
            else:
                log.info(
                    "worker %s for %s done in %.3f s (queued %.3f s)",
                    proc.pid,
                    _describe(job.event),
                    time.monotonic() - started,
                    started - job.queued_at,
                )
        finally:
            with self._lock:
                self._running.pop(proc.pid, None)

    def _failed(self, event: dict[str, Any], cause: str) -> None:
        if self._on_failure is None:
            return
        try:
            self._on_failure(event, cause)
        except Exception:  # the batch's deadline fails it anyway
            log.exception("could not mark %s failed", _describe(event))


def _describe(event: dict[str, Any]) -> str:
    key = str(event.get("key", "?"))
    return f"{event.get('function', '?')}/{key[:12]} attempt {event.get('attempt', '?')}"


def _exit(proc: BaseProcess) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _stop_forkserver() -> None:
    """End multiprocessing's forkserver process so that nothing outlives the server."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()  # closes the "alive" pipe and reaps the forkserver
