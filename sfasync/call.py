"""``sfasync call URL``: send rows to an endpoint the way Snowflake does and print the result.

Rows come from ``--input FILE`` (CSV, or JSON lines: one array of arguments per line, or one
value for a single argument), from ``--rows TEXT ...`` (one single-argument row each), or from
stdin. Output: a table like Snowflake's (``Row | VALUE``), JSON lines, or CSV.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sfasync.client import (
    DEFAULT_MAX_BATCH_ROWS,
    SNOWFLAKE_TIMEOUT_SECONDS,
    BatchError,
    BatchStats,
    CallResult,
    Client,
    ClientError,
    SigV4Signer,
)

FORMATS = ("auto", "csv", "jsonl")
OUTPUTS = ("table", "json", "csv")


# -- input ----------------------------------------------------------------------------------------
def read_rows(text: str, fmt: str = "auto", *, header: bool = False) -> list[list[Any]]:
    """Rows of arguments from CSV or JSON lines (``auto`` decides by the first non-blank line)."""
    lines = text.splitlines()
    if fmt == "auto":
        first = next((line.strip() for line in lines if line.strip()), "")
        fmt = "jsonl" if first[:1] in ("[", "{", '"') else "csv"
    if fmt == "jsonl":
        rows: list[list[Any]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                raise ClientError(f"line {number} is not JSON: {exc}") from exc
            rows.append(value if isinstance(value, list) else [value])
        return rows[1:] if header else rows
    records = [list(r) for r in csv.reader(io.StringIO(text)) if r]
    return records[1:] if header else records


def load_input(args: argparse.Namespace, stdin: IO[str]) -> list[list[Any]]:
    if args.rows:
        return [[text] for text in args.rows]
    if args.input and args.input != "-":
        path = Path(args.input)
        fmt = args.format
        if fmt == "auto" and path.suffix.lower() in (".csv", ".jsonl", ".ndjson", ".json"):
            fmt = "csv" if path.suffix.lower() == ".csv" else "jsonl"
        return read_rows(path.read_text(encoding="utf-8"), fmt, header=args.header)
    if stdin.isatty():
        raise ClientError("no rows: give --input FILE, --rows TEXT ..., or pipe rows on stdin")
    return read_rows(stdin.read(), args.format, header=args.header)


# -- output ---------------------------------------------------------------------------------------
def make_console(out: IO[str]) -> Console:
    """A console on ``out``; off a terminal, wide enough that no table row wraps (pipes, files, logs)."""
    isatty = getattr(out, "isatty", None)
    return Console(file=out, soft_wrap=True, width=None if isatty and isatty() else 1000)


def cell(value: Any) -> str:
    """How Snowflake shows a VARIANT: as JSON (NULL for SQL NULL)."""
    if value is None:
        return "NULL"
    return json.dumps(value, ensure_ascii=False)


def render_table(values: Sequence[Any], console: Console) -> None:
    table = Table("Row", "VALUE", show_lines=False)
    for number, value in enumerate(values, start=1):
        table.add_row(str(number), cell(value))
    console.print(table)


def render(values: Sequence[Any], output: str, out: IO[str], console: Console | None = None) -> None:
    if output == "table":
        render_table(values, console or make_console(out))
    elif output == "json":
        for value in values:
            out.write(json.dumps(value, ensure_ascii=False) + "\n")
    else:
        writer = csv.writer(out)
        writer.writerow(["row", "value"])
        for number, value in enumerate(values, start=1):
            writer.writerow(
                [number, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)]
            )


def summary(result: CallResult) -> str:
    batches = result.batches
    polls = sum(b.polls for b in batches)
    retries = sum(b.retries for b in batches)
    rows = sum(b.rows for b in batches)
    return (
        f"{rows} rows in {len(batches)} batch{'es' if len(batches) != 1 else ''}, "
        f"{result.elapsed:.2f} s, {polls} polls, {retries} retries"
    )


# -- the command ----------------------------------------------------------------------------------
def client_from_args(args: argparse.Namespace) -> Client:
    signer = SigV4Signer(args.region, profile=args.profile) if args.sigv4 else None
    return Client(
        args.url,
        function=args.function,
        max_batch_rows=args.max_batch_rows,
        concurrency=args.concurrency,
        compress=args.gzip,
        timeout=args.timeout,
        signer=signer,
        custom_headers=dict(_header(h) for h in args.header_value or []),
    )


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise ClientError(f"--header wants NAME=VALUE, got {text!r}")
    return name.strip(), value


def call_rows(client: Client, rows: list[list[Any]], *, progress: bool, console: Console) -> CallResult:
    batches = (len(rows) + client.max_batch_rows - 1) // client.max_batch_rows
    if not progress or batches <= 1:
        return client.call(rows)
    with Progress(
        TextColumn("[bold]batches"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("batches", total=batches)

        def done(_: BatchStats) -> None:
            bar.advance(task)

        return client.call(rows, on_batch_done=done)


def run_call(args: argparse.Namespace, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    errors = Console(stderr=True, highlight=False)
    try:
        client = client_from_args(args)
        rows = load_input(args, stdin)
    except (ClientError, OSError) as exc:
        errors.print(f"sfasync call: {exc}", markup=False)
        return 2
    if not rows:
        errors.print("sfasync call: no rows to send", markup=False)
        return 2
    try:
        result = call_rows(client, rows, progress=not args.quiet, console=errors)
    except BatchError as exc:
        errors.print(f"sfasync call: {exc}", markup=False)
        return 1
    render(result.values, args.output, stdout)
    if not args.quiet:
        errors.print(summary(result), markup=False, style="dim")
    return 0


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "call",
        help="call an endpoint like Snowflake does (batches, headers, POST + GET polls, retries)",
        description="Send rows to an external-function endpoint (local or API Gateway) the way Snowflake "
        "does, and print one value per row.",
    )
    parser.add_argument("url", metavar="URL", help="endpoint, e.g. http://127.0.0.1:8080 or an invoke URL")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--input", "-i", metavar="FILE", help="CSV or JSON-lines file, one column per argument"
    )
    source.add_argument("--rows", nargs="+", metavar="TEXT", help="single-argument rows given inline")
    parser.add_argument("--format", choices=FORMATS, default="auto", help="input format (default: detect)")
    parser.add_argument("--header", action="store_true", help="the input's first line is a header; skip it")
    parser.add_argument(
        "--function", "-f", help="function name, appended to URL's path (e.g. sentiment, echo)"
    )
    parser.add_argument("--max-batch-rows", type=int, default=DEFAULT_MAX_BATCH_ROWS, help="rows per batch")
    parser.add_argument("--concurrency", type=int, default=8, help="batches in flight at a time (default 8)")
    parser.add_argument("--gzip", action="store_true", help="gzip-compress request bodies")
    parser.add_argument(
        "--timeout",
        type=float,
        default=SNOWFLAKE_TIMEOUT_SECONDS,
        help="give up on a batch after this many seconds (default 600, Snowflake's limit)",
    )
    parser.add_argument("--sigv4", action="store_true", help="sign requests (API Gateway with AWS_IAM auth)")
    parser.add_argument("--region", help="region for --sigv4 (default: from the URL or the AWS config)")
    parser.add_argument("--profile", help="AWS profile for --sigv4")
    parser.add_argument(
        "--header-value",
        "-H",
        action="append",
        metavar="NAME=VALUE",
        help="a user header, sent as sf-custom-NAME (like HEADERS = (...) in Snowflake)",
    )
    parser.add_argument(
        "--output", "-o", choices=OUTPUTS, default="table", help="result format (default table)"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    parser.set_defaults(func=run_call)
