"""``sfasync``: the command-line entry point. Each subcommand lives in its own module, which adds
its parser with ``add_parser(subparsers)`` and sets ``func`` (returning the exit status)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# One module per subcommand; a new one (e.g. ``bench``) registers by adding its module here.
COMMAND_MODULES = (
    "sfasync.server.cli",  # serve
    "sfasync.call",  # call
    "sfasync.demo",  # run
    "sfasync.bench.cli",  # bench (optional until it lands)
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sfasync",
        description="Asynchronous remote service for Snowflake external functions: "
        "local endpoint, client, benchmark.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue  # that subcommand is not part of this build
            raise
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
