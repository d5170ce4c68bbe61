"""``sfasync run`` (what ``make run`` does): the local endpoint with the embedded default storage,
the example batch through it the way Snowflake sends it, then serve until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Any

from sfasync.call import make_console, render_table
from sfasync.client import BatchError, Client
from sfasync.server.cli import add_server_arguments, run_server, settings_from_args
from sfasync.server.local import LocalServer

EXAMPLE_ROWS = [["hello world"], ["I am happy"]]
EXAMPLE_FUNCTION = "sentiment"


def how_to_call(url: str, program: str) -> str:
    body = '{"data": [[0, "hello world"], [1, "I am happy"]]}'
    header = "-H 'sf-external-function-query-batch-id: demo-1'"
    return "\n".join(
        [
            f"The endpoint keeps serving on {url} (Ctrl-C stops it). Call it like Snowflake does:",
            f'  {program} call {url} --function sentiment --rows "hello world" "I am happy"',
            f"  {program} call {url} --function echo --input rows.csv --output json",
            "or by hand (POST answers 202, GET polls until 200):",
            f"  curl -s -X POST {url}/sentiment {header} -H 'Content-Type: application/json' -d '{body}'",
            f"  curl -s {url}/sentiment {header}",
        ]
    )


def program_name() -> str:
    local = Path(".venv/bin/sfasync")
    return str(local) if local.exists() else "sfasync"


def run_demo(args: argparse.Namespace, out: IO[str] | None = None) -> int:
    out = out or sys.stdout
    settings = settings_from_args(args)
    settings.backend = settings.backend or "efs"
    settings.create = True
    console = make_console(out)

    def example(server: LocalServer) -> int:
        url = server.url
        console.print(
            f"sfasync: local endpoint on {url}, storage {settings.backend} "
            f"in {server.env.get('JOBS_DIR', '')}, "
            f"sentiment engine {server.env['SENTIMENT_ENGINE']}",
            markup=False,
            highlight=False,
        )
        console.print(f"\nExample batch through {url}/{EXAMPLE_FUNCTION}:", markup=False, highlight=False)
        try:
            result = Client(url, function=EXAMPLE_FUNCTION, timeout=60).call(EXAMPLE_ROWS)
        except BatchError as exc:
            console.print(f"the example batch failed: {exc}", markup=False, highlight=False)
            return 1
        render_table(result.values, console)
        console.print("\n" + how_to_call(url, program_name()), markup=False, highlight=False)
        out.flush()
        return 0

    return run_server("run", settings, example)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="make run: local endpoint + the example batch through it, then keep serving",
        description="Start the local endpoint (efs backend on a local folder, offline sentiment engine), "
        "send "
        "the example batch through it the way Snowflake does, print the result, keep serving until Ctrl-C.",
    )
    add_server_arguments(parser)
    parser.set_defaults(func=run_demo)
