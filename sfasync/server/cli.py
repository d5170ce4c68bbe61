"""``sfasync serve``: the local endpoint in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType
from typing import Any

from sfasync.server.local import BACKENDS, LocalServer, ServerSettings, StartupError


def add_server_arguments(parser: argparse.ArgumentParser, *, port: int = 8080) -> None:
    """The flags ``serve`` and ``run`` share; each maps onto a §7 variable and wins over it."""
    parser.add_argument("--backend", choices=BACKENDS, help="job storage (STORAGE_BACKEND; default efs)")
    parser.add_argument("--data-dir", help="folder for the efs backend (JOBS_DIR; default .sfasync/jobs)")
    parser.add_argument("--table", help="DynamoDB table (JOBS_TABLE; default sfasync-jobs)")
    parser.add_argument("--bucket", help="S3 bucket (JOBS_BUCKET; default sfasync-jobs)")
    parser.add_argument("--prefix", help="key prefix in the bucket (JOBS_PREFIX; default jobs/)")
    parser.add_argument("--endpoint-url", help="AWS endpoint, e.g. a moto server (AWS_ENDPOINT_URL)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=port, help=f"port to listen on (default {port}; 0 = any free)"
    )
    parser.add_argument(
        "--create", action="store_true", help="create the table / bucket / folder as Terraform does"
    )
    parser.add_argument(
        "--sentiment-engine",
        choices=("lexicon", "comprehend"),
        help="SENTIMENT_ENGINE (default lexicon locally: no AWS account needed)",
    )
    parser.add_argument(
        "--process-timeout",
        type=int,
        metavar="SECONDS",
        help="longest processing run; a worker still running then is killed (PROCESS_TIMEOUT_SECONDS; 300)",
    )
    parser.add_argument(
        "--functions", metavar="NAME=MODULE:CALLABLE,...", help="plug-in processors (EXTRA_FUNCTIONS)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=ServerSettings().concurrency,
        help="worker processes at a time, like reserved concurrency (default %(default)s)",
    )
    parser.add_argument(
        "--queue-size", type=int, default=1000, help="events waiting for a worker before a POST gets 503"
    )
    parser.add_argument(
        "--sweep-interval",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="run the sweep of expired records this often (default 60; 0 = never)",
    )


def settings_from_args(args: argparse.Namespace) -> ServerSettings:
    return ServerSettings(
        backend=args.backend,
        data_dir=args.data_dir,
        table=args.table,
        bucket=args.bucket,
        prefix=args.prefix,
        endpoint_url=args.endpoint_url,
        host=args.host,
        port=args.port,
        create=args.create,
        sentiment_engine=args.sentiment_engine,
        process_timeout_seconds=args.process_timeout,
        extra_functions=args.functions,
        concurrency=args.concurrency,
        queue_size=args.queue_size,
        sweep_interval_seconds=args.sweep_interval,
    )


def setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr
    )
    # One line per request: the server's own. The handler's INFO lines repeat it; its warnings stay.
    logging.getLogger("sfasync").setLevel(logging.WARNING)
    logging.getLogger("sfasync.server").setLevel(logging.INFO)


def interrupt_on_sigterm() -> None:
    """SIGTERM stops the server the way Ctrl-C does."""

    def raise_interrupt(signum: int, frame: FrameType | None) -> Any:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, raise_interrupt)


def serve(args: argparse.Namespace) -> int:
    setup_logging()
    interrupt_on_sigterm()
    server = LocalServer(settings_from_args(args))
    try:
        server.start()
        print(f"sfasync serve: listening on {server.url} (Ctrl-C stops)", file=sys.stderr, flush=True)
        server.wait()
    except StartupError as exc:
        print(f"sfasync serve: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="the local endpoint: HTTP -> API Gateway proxy events for the Lambda handler",
        description="Serve the Lambda handler over HTTP, as API Gateway would, with each self-invocation "
        "in its own worker process. Flags win over the environment variables named in parentheses.",
    )
    add_server_arguments(parser)
    parser.set_defaults(func=serve)
