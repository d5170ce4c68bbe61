"""Plug-in processors used by the tests (EXTRA_FUNCTIONS=name=tests.service.plugins:fn)."""

from typing import Any


def boom(rows: list[list[Any]]) -> list[Any]:
    raise ValueError(f"cannot score {len(rows)} rows: the model is not loaded")


def wrong_length(rows: list[list[Any]]) -> list[Any]:
    return [1]


def concat(rows: list[list[Any]]) -> list[Any]:
    return ["-".join(str(a) for a in args) for args in rows]


FAILURES_LEFT = [0]


def flaky(rows: list[list[Any]]) -> list[Any]:
    """Fails while FAILURES_LEFT[0] > 0 (one failure used per call), then echoes."""
    if FAILURES_LEFT[0] > 0:
        FAILURES_LEFT[0] -= 1
        raise RuntimeError("temporary failure")
    return [args[0] for args in rows]
