"""``sfasync bench``: which storage backend to pick, with its cost per million rows.

Locally it starts what it needs (a moto server for DynamoDB and S3, the Comprehend stand-in for
``sentiment``, one ``sfasync serve`` endpoint per backend) and stops it afterwards; with ``--url`` it
measures a deployed endpoint from the client side only.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from sfasync.bench import report, runner, services

BACKENDS = ("efs", "dynamodb", "s3")
FUNCTIONS = ("echo", "sentiment")


def _names(raw: str, allowed: tuple[str, ...], what: str) -> list[str]:
    names = [n.strip().lower() for n in raw.split(",") if n.strip()]
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {', '.join(bad) or raw!r}; choose from {', '.join(allowed)}"
        )
    return names


def _sizes(raw: str) -> list[int]:
    try:
        sizes = [int(n) for n in raw.split(",") if n.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {raw!r}") from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="benchmark the storage backends: throughput, latency, requests, cost per million rows",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--backends",
        type=lambda raw: _names(raw, BACKENDS, "backend"),
        default=list(BACKENDS),
        help="comma-separated: efs,dynamodb,s3 (default all)",
    )
    parser.add_argument("--batches", type=int, default=8, help="batches per backend and workload (default 8)")
    parser.add_argument(
        "--rows-per-batch",
        type=_sizes,
        default=[4096],
        metavar="R[,R...]",
        help="rows per batch (default 4096)",
    )
    parser.add_argument(
        "--row-bytes",
        type=_sizes,
        default=[1024],
        metavar="B[,B...]",
        help="bytes of text per row (default 1024)",
    )
    parser.add_argument("--concurrency", type=int, default=4, help="batches in flight at a time (default 4)")
    parser.add_argument(
        "--function",
        type=lambda raw: _names(raw, FUNCTIONS, "function"),
        default=["echo"],
        help="echo (default) or sentiment, or both comma-separated; sentiment calls the local Comprehend "
        "stand-in",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also run the documentation's sample design (DynamoDB, result as one plain item)",
    )
    parser.add_argument(
        "--latency-model",
        choices=("none", "aws"),
        default="none",
        help="aws: add per-request latency drawn from published figures (default none)",
    )
    parser.add_argument("--url", help="a deployed endpoint instead of local ones (client-side figures only)")
    parser.add_argument("--sigv4", action="store_true", help="sign requests to --url with SigV4 (IAM auth)")
    parser.add_argument("--region", help="region for --sigv4 (default: from the URL)")
    parser.add_argument("--out", default="bench-out", help="output folder (default bench-out)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated rows (default 7)")
    parser.add_argument("--no-chart", action="store_true", help="skip bench.png")
    parser.set_defaults(func=bench)


def bench(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if args.batches < 1 or args.concurrency < 1:
        print("sfasync bench: --batches and --concurrency must be at least 1", file=sys.stderr)
        return 2
    workloads = [
        runner.Workload(function, rows, size, args.batches, args.concurrency)
        for function in args.function
        for rows in args.rows_per_batch
        for size in args.row_bytes
    ]
    if args.url:
        plan = [
            (runner.Target(args.backends[0] if len(args.backends) == 1 else "deployed", "sfasync"), w)
            for w in workloads
        ]
    else:
        targets = [runner.Target(b, "sfasync") for b in args.backends]
        if args.baseline:
            targets.append(runner.Target("dynamodb", "baseline"))
        plan = [(t, w) for w in workloads for t in targets]

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True)
    runs: list[dict[str, Any]] = []
    signer = None
    if args.url and args.sigv4:
        from sfasync.client import ClientError, SigV4Signer

        try:
            signer = SigV4Signer(args.region)
        except ClientError as exc:
            print(f"sfasync bench: {exc}", file=sys.stderr)
            return 2
    shared = runner.LocalServices(Path(tempfile.mkdtemp(prefix="sfasync-bench-")))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("starting", total=len(plan) * args.batches)
        try:
            if not args.url:
                progress.update(task, description="starting moto / Comprehend stand-in")
                shared.start(
                    need_moto=any(t.backend != "efs" for t, _ in plan),
                    need_comprehend=any(w.function == "sentiment" for _, w in plan),
                )
            for target, workload in plan:
                progress.update(
                    task,
                    description=f"{target.backend}{' baseline' if target.impl == 'baseline' else ''} "
                    f"{workload.function} {workload.rows_per_batch}x{workload.row_bytes} B",
                )
                rows = runner.make_rows(workload.rows_per_batch, workload.row_bytes, args.seed)
                advance = functools.partial(progress.advance, task)
                if args.url:
                    run = runner.run_remote(
                        args.url, target.backend, workload, rows, signer=signer, on_batch=advance
                    )
                else:
                    run = runner.run_local(
                        target, workload, rows, shared, latency_model=args.latency_model, on_batch=advance
                    )
                runs.append(run)
        except services.ServiceError as exc:
            console.print(f"sfasync bench: {exc}\n(logs of the local services: {shared.log_dir})")
            return 1
        finally:
            shared.stop()
        progress.update(task, description="measuring import times")
        options = {k: v for k, v in vars(args).items() if k not in ("func", "command")}
        environment = runner.environment(args.latency_model, options)
        if args.url:
            environment["url"] = args.url
        progress.update(task, description="done")
    shutil.rmtree(shared.log_dir, ignore_errors=True)  # logs and local job folders, kept only on failure
    table = report.write(out, runs, environment, png=not args.no_chart)
    print(table)
    print(
        f"written: {out / 'bench.md'}, {out / 'bench.json'}"
        + ("" if args.no_chart else f", {out / 'bench.png'}")
    )
    return 0
