"""The periodic sweep: ``{"sfasync": "sweep"}`` every interval, as Terraform schedules it on AWS."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sfasync.server.context import LocalContext

log = logging.getLogger("sfasync.server")

SWEEP_EVENT = {"sfasync": "sweep"}


class PeriodicSweep:
    def __init__(
        self,
        handler: Callable[[dict[str, Any], Any], Any],
        *,
        interval_seconds: float,
        timeout_seconds: float,
    ) -> None:
        self._handler = handler
        self.interval_seconds = interval_seconds
        self._timeout_seconds = timeout_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sfasync-sweep", daemon=True)

    def start(self) -> None:
        if self.interval_seconds > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def run_once(self) -> Any:
        return self._handler(dict(SWEEP_EVENT), LocalContext(self._timeout_seconds))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            try:
                result = self.run_once()
                log.info("sweep: %s", result)
            except Exception:  # the next sweep may succeed; never stop serving over it
                log.exception("sweep failed")
