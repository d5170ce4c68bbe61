"""Processors (SPEC §6): the functions behind ``/{function}``.

A processor is a callable that takes a list of argument lists (one per row, row number removed)
and returns a list of values of the same length. An exception fails the whole batch, with the
exception's message as the cause the caller sees.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from .echo import echo
from .sentiment import comprehend_sentiment, lexicon_sentiment

Processor = Callable[[list[list[Any]]], list[Any]]


class UnknownFunction(LookupError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown function {name!r}; known functions: {', '.join(known)}")
        self.name = name
        self.known = known


class PluginError(ValueError):
    """EXTRA_FUNCTIONS is malformed or names something that cannot be imported."""


def parse_plugins(spec: str) -> dict[str, str]:
    """``"name=module:callable,other=pkg.mod:fn"`` -> ``{"name": "module:callable", ...}``."""
    table: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, target = item.partition("=")
        name, target = name.strip(), target.strip()
        module, colon, attr = target.partition(":")
        if not sep or not name or not colon or not module or not attr or "/" in name:
            raise PluginError(f"EXTRA_FUNCTIONS entry {item!r} must look like name=module:callable")
        table[name] = target
    return table


def load_plugin(target: str) -> Processor:
    module_name, _, attr = target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise PluginError(f"cannot load processor {target!r}: {exc}") from exc
    if not callable(obj):
        raise PluginError(f"processor {target!r} is not callable")
    return obj


class Processors:
    """The function table: built-ins plus plug-ins, resolved by name (plug-ins imported lazily)."""

    def __init__(
        self,
        sentiment_engine: str,
        comprehend_client: Callable[[], Any],
        plugins: Mapping[str, str] | None = None,
        language_code: str = "en",
    ) -> None:
        def sentiment(rows: list[list[Any]]) -> list[Any]:
            if sentiment_engine == "lexicon":
                return lexicon_sentiment(rows)
            return comprehend_sentiment(rows, comprehend_client(), language_code)

        self._builtin: dict[str, Processor] = {"sentiment": sentiment, "echo": echo}
        self._plugins = dict(plugins or {})
        self._loaded: dict[str, Processor] = {}

    def names(self) -> list[str]:
        return sorted({*self._builtin, *self._plugins})

    def __contains__(self, name: object) -> bool:
        return name in self._builtin or name in self._plugins

    def get(self, name: str) -> Processor:
        if name in self._plugins:
            if name not in self._loaded:
                self._loaded[name] = load_plugin(self._plugins[name])
            return self._loaded[name]
        if name in self._builtin:
            return self._builtin[name]
        raise UnknownFunction(name, self.names())
