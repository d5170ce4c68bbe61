"""A client that calls an endpoint the way Snowflake calls an asynchronous external function (SPEC §2).

``Client.call(rows)`` splits the rows into batches of at most ``max_batch_rows``, and for each
batch, concurrently: POSTs ``{"data": [[row_number, *args], ...]}`` with Snowflake's headers and a
fresh batch id, then -- on 202 -- polls GET with the same batch id and growing spacing until 200,
an error, or Snowflake's 600 s limit. Results come back in input order, with per-batch statistics
(the benchmark reads them).

Retries, as Snowflake does them, with exponential backoff and jitter (or the server's
``Retry-After``, if longer), within the batch's deadline:
- transport errors (connection refused/reset, timeouts) on POST and GET;
- 429, 502, 503 and 504 on POST and GET;
- 500 on POST (the batch was not recorded, or recorded idempotently: a retried POST reuses its
  batch id, so the service starts it at most once).
A 500 from GET is final: the contract uses it for a batch that failed (processor error, or its
deadline passed), and the service has already cleaned the batch up. Other 4xx answers are final.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

DEFAULT_MAX_BATCH_ROWS = 4096
SNOWFLAKE_TIMEOUT_SECONDS = 600.0
RETRY_POST = frozenset({429, 500, 502, 503, 504})
RETRY_GET = frozenset({429, 502, 503, 504})
USER_AGENT = "sfasync-call/0.1"


class ClientError(Exception):
    """The client cannot run as configured (bad URL, no credentials, ...)."""


class BatchError(Exception):
    """A batch failed; the message names the batch and carries the server's own message."""

    def __init__(self, batch_id: str, message: str, *, status: int | None = None, index: int = 0) -> None:
        self.batch_id = batch_id
        self.status = status
        self.index = index
        self.detail = message
        where = f"HTTP {status}: " if status is not None else ""
        super().__init__(f"batch {index} ({batch_id}) failed: {where}{message}")


class _Cancelled(Exception):
    pass


@dataclass
class BatchStats:
    """What happened to one batch; times in seconds."""

    index: int
    batch_id: str
    rows: int
    request_bytes: int = 0
    response_bytes: int = 0
    post_latencies: list[float] = field(default_factory=list)  # one per POST attempt
    get_latencies: list[float] = field(default_factory=list)  # one per GET (polls and retries)
    polls: int = 0
    retries: int = 0
    status: int | None = None  # the final HTTP status
    time_to_result: float | None = None  # first POST sent -> result received
    error: str | None = None


@dataclass
class CallResult:
    values: list[Any]
    batches: list[BatchStats]
    query_id: str
    elapsed: float


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    latency: float

    def message(self) -> str:
        """The server's error message: ``error``/``message`` of a JSON body, else the text."""
        try:
            payload = json.loads(self.body)
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            for key in ("error", "message", "errorMessage"):
                if payload.get(key):
                    return str(payload[key])
        text = self.body.decode("utf-8", "replace").strip()
        return text[:500] or http.client.responses.get(self.status, "no message")


class Signer(Protocol):
    def __call__(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> dict[str, str]:
        """Return the headers to send (``headers`` plus the signature)."""


class SigV4Signer:
    """Signs requests for an API Gateway with ``AWS_IAM`` auth: SigV4, service ``execute-api``.

    Credentials come from the usual chain (environment, profile, SSO, instance role) through
    ``boto3.Session``; the region from ``region``, else the URL (``*.execute-api.<region>.*``),
    else the session.
    """

    _URL_REGION = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com", re.IGNORECASE)

    def __init__(self, region: str | None = None, *, session: Any = None, profile: str | None = None) -> None:
        import boto3

        self._session = session or boto3.Session(profile_name=profile)
        self._credentials = self._session.get_credentials()
        if self._credentials is None:
            raise ClientError(
                "--sigv4: no AWS credentials found (environment, profile, SSO or instance role)"
            )
        self._region = region

    def region_for(self, url: str) -> str:
        match = self._URL_REGION.search(urlsplit(url).netloc)
        region = self._region or (match.group(1) if match else None) or self._session.region_name
        if not region:
            raise ClientError("--sigv4: cannot tell the region; pass --region")
        return str(region)

    def __call__(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(method=method, url=url, data=body or b"", headers=dict(headers))
        SigV4Auth(self._credentials.get_frozen_credentials(), "execute-api", self.region_for(url)).add_auth(
            request
        )
        return dict(request.headers.items())


def function_url(url: str, function: str | None) -> str:
    """``URL`` names the endpoint; ``--function`` appends the function as the path's last segment."""
    if not function:
        return url
    parts = urlsplit(url)
    path = parts.path.rstrip("/") + "/" + function
    return parts._replace(path=path).geturl()


class Client:
    """Calls one external-function URL like Snowflake does. Thread-safe; reusable across calls."""

    def __init__(
        self,
        url: str,
        *,
        function: str | None = None,
        max_batch_rows: int = DEFAULT_MAX_BATCH_ROWS,
        concurrency: int = 8,
        compress: bool = False,
        timeout: float = SNOWFLAKE_TIMEOUT_SECONDS,
        signer: Signer | None = None,
        custom_headers: Mapping[str, str] | None = None,
        poll_initial: float = 0.05,
        poll_factor: float = 1.5,
        poll_max: float = 2.0,
        max_attempts: int = 8,
        backoff_base: float = 0.1,
        backoff_max: float = 5.0,
        request_timeout: float = 60.0,
        keep_alive: bool = True,
    ) -> None:
        self.url = function_url(url, function)
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ClientError(f"not an http(s) URL: {url!r}")
        if max_batch_rows < 1 or concurrency < 1:
            raise ClientError("--max-batch-rows and --concurrency must be at least 1")
        self.function = function or (parts.path.rstrip("/").rsplit("/", 1)[-1] or "sentiment")
        self.max_batch_rows = max_batch_rows
        self.concurrency = concurrency
        self.compress = compress
        self.timeout = timeout
        self.signer = signer
        self.custom_headers = {f"sf-custom-{k.lower()}": v for k, v in (custom_headers or {}).items()}
        self.poll_initial = poll_initial
        self.poll_factor = poll_factor
        self.poll_max = poll_max
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.request_timeout = request_timeout
        self.keep_alive = keep_alive
        self._lock = threading.Lock()
        self._connections: dict[int, http.client.HTTPConnection] = {}  # by thread

    # -- the whole query -------------------------------------------------------------------------
    def call(
        self,
        rows: Sequence[Sequence[Any]],
        *,
        on_batch_done: Callable[[BatchStats], None] | None = None,
    ) -> CallResult:
        """Send every row, return one value per row in input order; raise ``BatchError`` on failure."""
        started = time.monotonic()
        query_id = str(uuid.uuid4())
        size = self.max_batch_rows
        chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
        cancel = threading.Event()
        stats: list[BatchStats | None] = [None] * len(chunks)
        values: list[list[Any] | None] = [None] * len(chunks)
        errors: list[BatchError] = []
        workers: set[int] = set()

        def run(index: int) -> None:
            if cancel.is_set():
                return  # a batch failed: send no more
            workers.add(threading.get_ident())
            try:
                values[index], stats[index] = self.run_batch(
                    chunks[index], index=index, query_id=query_id, cancel=cancel
                )
            except BatchError as exc:
                errors.append(exc)
                cancel.set()  # Snowflake abandons the query on the first failed batch
                return
            except _Cancelled:
                return
            if on_batch_done is not None:
                on_batch_done(stats[index])  # type: ignore[arg-type]

        with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(chunks)))) as pool:
            for future in [pool.submit(run, i) for i in range(len(chunks))]:
                future.result()
        for thread in workers:  # the pool's threads are gone: so are their connections
            self._drop_connection(thread)
        if errors:
            raise min(errors, key=lambda e: e.index)
        flat = [value for chunk in values for value in (chunk or [])]
        return CallResult(flat, [s for s in stats if s is not None], query_id, time.monotonic() - started)

    # -- one batch -------------------------------------------------------------------------------
    def run_batch(
        self,
        rows: Sequence[Sequence[Any]],
        *,
        index: int = 0,
        query_id: str | None = None,
        batch_id: str | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[list[Any], BatchStats]:
        """POST one batch and poll it to the end; return its values in row order and its stats."""
        query_id = query_id or str(uuid.uuid4())
        batch_id = batch_id or new_batch_id(query_id, index)
        stats = BatchStats(index=index, batch_id=batch_id, rows=len(rows))
        body = self.encode(rows)
        stats.request_bytes = len(body)
        deadline = time.monotonic() + self.timeout
        try:
            response = self._with_retries("POST", batch_id, query_id, body, stats, deadline, cancel)
            values = self._poll(response, len(rows), query_id, stats, deadline, cancel)
        except BatchError as exc:
            stats.error = str(exc)
            raise
        return values, stats

    def collect(self, batch_id: str, rows: int, *, query_id: str = "q") -> tuple[list[Any], BatchStats]:
        """Poll a batch that was POSTed before (perhaps by another client) until it ends."""
        stats = BatchStats(index=0, batch_id=batch_id, rows=rows)
        deadline = time.monotonic() + self.timeout
        try:
            first = Response(202, {}, b"", 0.0)
            values = self._poll(first, rows, query_id, stats, deadline, None)
        except BatchError as exc:
            stats.error = str(exc)
            raise
        return values, stats

    def _poll(
        self,
        response: Response,
        rows: int,
        query_id: str,
        stats: BatchStats,
        deadline: float,
        cancel: threading.Event | None,
    ) -> list[Any]:
        started = deadline - self.timeout
        delay = self.poll_initial
        while response.status == 202:
            self._sleep(min(delay, max(0.0, deadline - time.monotonic())), cancel)
            if time.monotonic() >= deadline:
                raise BatchError(stats.batch_id, f"no result within {self.timeout:.0f} s", index=stats.index)
            delay = min(delay * self.poll_factor, self.poll_max)
            stats.polls += 1
            response = self._with_retries("GET", stats.batch_id, query_id, None, stats, deadline, cancel)
        stats.status = response.status
        stats.response_bytes = len(response.body)
        if response.status != 200:
            raise BatchError(stats.batch_id, response.message(), status=response.status, index=stats.index)
        values = parse_result(response.body, rows, stats.batch_id, stats.index)
        stats.time_to_result = time.monotonic() - started
        return values

    def encode(self, rows: Sequence[Sequence[Any]]) -> bytes:
        """The POST body Snowflake sends: ``{"data": [[row_number, *args], ...]}``, gzipped if asked."""
        body = json.dumps({"data": [[n, *row] for n, row in enumerate(rows)]}).encode("utf-8")
        return gzip.compress(body, mtime=0) if self.compress else body

    def post(self, batch_id: str, rows: Sequence[Sequence[Any]], *, query_id: str = "q") -> Response:
        """One POST, no retries (for tests and tools)."""
        return self.request("POST", batch_id, query_id, self.encode(rows))

    def get(self, batch_id: str, *, query_id: str = "q") -> Response:
        """One GET poll, no retries (for tests and tools)."""
        return self.request("GET", batch_id, query_id, None)

    # -- HTTP ------------------------------------------------------------------------------------
    def headers(self, batch_id: str, query_id: str, *, has_body: bool) -> dict[str, str]:
        name = self.function
        signature = "(ARGS VARIANT)"
        headers = {
            "sf-external-function-format": "json",
            "sf-external-function-format-version": "1.0",
            "sf-external-function-query-batch-id": batch_id,
            "sf-external-function-current-query-id": query_id,
            "sf-external-function-name": name,
            "sf-external-function-name-base64": base64.b64encode(name.encode()).decode(),
            "sf-external-function-signature": signature,
            "sf-external-function-signature-base64": base64.b64encode(signature.encode()).decode(),
            "sf-external-function-return-type": "VARIANT",
            "sf-external-function-return-type-base64": base64.b64encode(b"VARIANT").decode(),
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
            "User-Agent": USER_AGENT,
            **self.custom_headers,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
            if self.compress:
                headers["Content-Encoding"] = "gzip"
        return headers

    def request(
        self, method: str, batch_id: str, query_id: str, body: bytes | None, timeout: float | None = None
    ) -> Response:
        """One HTTP exchange; raises ``OSError``/``http.client.HTTPException`` on transport failure."""
        headers = self.headers(batch_id, query_id, has_body=body is not None)
        if self.signer is not None:
            headers = self.signer(method, self.url, headers, body)
        parts = urlsplit(self.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        timeout = timeout or self.request_timeout
        conn, reused = self._connection(timeout)
        sent = time.monotonic()
        try:
            try:
                raw = self._exchange(conn, method, target, body, headers)
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                if not reused:
                    raise
                # The server closed an idle kept-alive connection: not a failure, reconnect once.
                self._drop_connection()
                conn, _ = self._connection(timeout)
                sent = time.monotonic()
                raw = self._exchange(conn, method, target, body, headers)
            data = raw.read()
        except BaseException:
            self._drop_connection()
            raise
        latency = time.monotonic() - sent
        response_headers = {k.lower(): v for k, v in raw.getheaders()}
        if raw.will_close or not self.keep_alive:
            self._drop_connection()
        if response_headers.get("content-encoding", "").lower() == "gzip":
            data = gzip.decompress(data)
        return Response(raw.status, response_headers, data, latency)

    @staticmethod
    def _exchange(
        conn: http.client.HTTPConnection,
        method: str,
        target: str,
        body: bytes | None,
        headers: dict[str, str],
    ) -> http.client.HTTPResponse:
        conn.request(method, target, body=body, headers=headers)
        return conn.getresponse()

    def _connection(self, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection to the endpoint (kept alive between requests, as Snowflake's are)."""
        with self._lock:
            conn = self._connections.get(threading.get_ident())
        reused = conn is not None and conn.sock is not None
        if conn is None:
            parts = urlsplit(self.url)
            kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            conn = kind(parts.hostname or "", parts.port, timeout=timeout)
            with self._lock:
                self._connections[threading.get_ident()] = conn
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn, reused

    def _drop_connection(self, thread: int | None = None) -> None:
        with self._lock:
            conn = self._connections.pop(threading.get_ident() if thread is None else thread, None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        """Close the kept-alive connections of every thread (the client stays usable)."""
        with self._lock:
            threads = list(self._connections)
        for thread in threads:
            self._drop_connection(thread)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _with_retries(
        self,
        method: str,
        batch_id: str,
        query_id: str,
        body: bytes | None,
        stats: BatchStats,
        deadline: float,
        cancel: threading.Event | None,
    ) -> Response:
        retryable = RETRY_POST if method == "POST" else RETRY_GET
        latencies = stats.post_latencies if method == "POST" else stats.get_latencies
        problem = ""
        status: int | None = None
        retry_after = 0.0
        for attempt in range(self.max_attempts):
            if attempt:
                stats.retries += 1
                backoff = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
                wait = max(backoff * random.uniform(0.5, 1.0), retry_after)
                self._sleep(min(wait, max(0.0, deadline - time.monotonic())), cancel)
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sent = time.monotonic()
            try:
                response = self.request(method, batch_id, query_id, body, min(self.request_timeout, left))
            except (OSError, http.client.HTTPException) as exc:
                latencies.append(time.monotonic() - sent)
                problem, status = f"{method} failed: {type(exc).__name__}: {exc}", None
                continue
            latencies.append(response.latency)
            if response.status not in retryable:
                return response
            problem, status = response.message(), response.status
            retry_after = _seconds(response.headers.get("retry-after"))
        raise BatchError(
            batch_id,
            f"{problem} (gave up after {stats.retries} retries)"
            if problem
            else f"no result within {self.timeout:.0f} s",
            status=status,
            index=stats.index,
        )

    @staticmethod
    def _sleep(seconds: float, cancel: threading.Event | None) -> None:
        if cancel is None:
            time.sleep(seconds)
        elif cancel.wait(seconds):
            raise _Cancelled


def _seconds(value: str | None) -> float:
    """A ``Retry-After`` given in seconds (an HTTP date is ignored: the backoff applies)."""
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0


def new_batch_id(query_id: str, index: int) -> str:
    """Opaque and fresh per batch (Snowflake's look like ``<query id>:<n>:<random>``)."""
    return f"{query_id}:{index}:{uuid.uuid4().hex[:12]}"


def parse_result(body: bytes, rows: int, batch_id: str, index: int = 0) -> list[Any]:
    """Check a 200 answer has exactly one entry per row number and return the values in row order."""
    try:
        data = json.loads(body)["data"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BatchError(
            batch_id, f"answer is not {{'data': [...]}}: {exc}", status=200, index=index
        ) from exc
    if not isinstance(data, list) or len(data) != rows:
        count = len(data) if isinstance(data, list) else "no"
        raise BatchError(batch_id, f"answer has {count} rows for the {rows} sent", status=200, index=index)
    values: list[Any] = [None] * rows
    seen = [False] * rows
    for entry in data:
        if (
            not isinstance(entry, list)
            or len(entry) != 2
            or not isinstance(entry[0], int)
            or not 0 <= entry[0] < rows
            or seen[entry[0]]
        ):
            raise BatchError(
                batch_id, f"answer has a bad row entry {str(entry)[:80]}", status=200, index=index
            )
        seen[entry[0]] = True
        values[entry[0]] = entry[1]
    return values
