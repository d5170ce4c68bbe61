"""Plug-in processors for the end-to-end tests (EXTRA_FUNCTIONS=name=tests.e2e.plugins:callable)."""

from __future__ import annotations

import os
import time
from typing import Any


def fail(rows: list[list[Any]]) -> list[Any]:
    raise ValueError(f"plug-in refused {len(rows)} rows")


def crash(rows: list[list[Any]]) -> list[Any]:
    os._exit(3)  # the worker dies without a word, as on an out-of-memory kill


def hang(rows: list[list[Any]]) -> list[Any]:
    time.sleep(3600)  # far past PROCESS_TIMEOUT_SECONDS
    return [None for _ in rows]


def slow(rows: list[list[Any]]) -> list[Any]:
    time.sleep(0.5)
    return [row[0] if len(row) == 1 else row for row in rows]


FUNCTIONS = ",".join(f"{name}=tests.e2e.plugins:{name}" for name in ("fail", "crash", "hang", "slow"))
