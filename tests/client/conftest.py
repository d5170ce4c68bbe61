"""A tiny scripted HTTP server standing in for an endpoint, recording what the client sends."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    client_port: int = 0

    @property
    def batch_id(self) -> str:
        return self.headers["sf-external-function-query-batch-id"]

    def rows(self) -> list[list[Any]]:
        data = gzip.decompress(self.body) if self.headers.get("content-encoding") == "gzip" else self.body
        return list(json.loads(data)["data"])


Reply = tuple[int, dict[str, str], bytes]
# (request, every request so far) -> reply; "drop" closes the connection without answering.
Script = Callable[[Seen, list[Seen]], "Reply | str"]


@dataclass
class FakeEndpoint:
    url: str
    script: Script
    seen: list[Seen] = field(default_factory=list)

    def of(self, method: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method]


def json_reply(status: int, doc: Any) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(doc).encode()


def echo_async(request: Seen, seen: list[Seen]) -> Reply:
    """202 on POST; 202 on the first GET, then the rows' first argument back."""
    if request.method == "POST":
        return json_reply(202, {"status": "QUEUED"})
    gets = [s for s in seen if s.method == "GET" and s.batch_id == request.batch_id]
    if len(gets) < 2:
        return json_reply(202, {"status": "RUNNING"})
    post = next(s for s in seen if s.method == "POST" and s.batch_id == request.batch_id)
    return json_reply(200, {"data": [[row[0], row[1]] for row in post.rows()]})


@pytest.fixture
def fake() -> Iterator[FakeEndpoint]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Seen(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                body,
                time.monotonic(),
                self.client_address[1],
            )
            with lock:
                endpoint.seen.append(request)
                reply = endpoint.script(request, list(endpoint.seen))
            if reply == "drop":
                self.close_connection = True
                self.connection.close()
                return
            assert not isinstance(reply, str)
            status, headers, payload = reply
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = handle_any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    endpoint = FakeEndpoint(f"http://127.0.0.1:{server.server_address[1]}", echo_async)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
