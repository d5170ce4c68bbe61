"""Optional instrumentation of a process (the benchmark's request accounting and latency model).

Off unless ``SFASYNC_INSTRUMENT`` names a factory ``module:callable``; then the factory's object
sees every AWS client and store the composition root builds and wraps every handler invocation:

- ``client(client) -> client`` -- e.g. registers botocore event handlers on it;
- ``store(store) -> store``;
- ``invocation(event) -> context manager`` around one ``lambda_handler`` call.

Off, each hook returns what it was given: nothing is imported and nothing changes.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_instrument: list[Any] = []  # [] = not resolved yet; [None] = off


def _get() -> Any:
    if not _instrument:
        target = os.environ.get("SFASYNC_INSTRUMENT", "").strip()
        factory: Any = None
        if target:
            module, _, attr = target.partition(":")
            factory = getattr(importlib.import_module(module), attr)
        _instrument.append(factory() if factory else None)
    return _instrument[0]


def client(obj: T) -> T:
    hooks = _get()
    return obj if hooks is None else hooks.client(obj)


def store(obj: T) -> T:
    hooks = _get()
    return obj if hooks is None else hooks.store(obj)


@contextlib.contextmanager
def invocation(event: Any) -> Iterator[None]:
    hooks = _get()
    if hooks is None:
        yield
        return
    with hooks.invocation(event):
        yield
