"""The HTTP side of the local endpoint: a threaded server that turns requests into proxy events.

Like API Gateway it refuses bodies over the limit (413) from their declared length, without reading
them into memory, and answers 502 if the integration raises. One log line per request.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sfasync.server.context import LocalContext
from sfasync.server.events import HttpAnswer, bad_gateway, json_answer, request_to_event, response_to_answer

log = logging.getLogger("sfasync.server")

Handler = Callable[[dict[str, Any], Any], Any]
BATCH_HEADER = "sf-external-function-query-batch-id"

# After refusing a body, read and discard what the client still sends for at most this long, so
# that closing the socket does not reset the connection before the client has read the answer.
LINGER_SECONDS = 2.0


TOO_LARGE = json_answer(413, {"message": "Request Entity Too Large"})  # API Gateway's words


class _BodyTooLarge(Exception):
    pass


class _BadRequest(Exception):
    pass


class EndpointServer(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` carrying the handler, the body limit and the invocation timeout."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        *,
        handler: Handler,
        max_body_bytes: int,
        timeout_seconds: float,
    ) -> None:
        super().__init__(address, _RequestHandler)
        self.handler = handler
        self.max_body_bytes = max_body_bytes
        self.timeout_seconds = timeout_seconds


class _RequestHandler(BaseHTTPRequestHandler):
    server: EndpointServer
    protocol_version = "HTTP/1.1"
    server_version = "sfasync-local"
    timeout = 120  # seconds a connection may sit idle (or trickle a body) before it is closed

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue`` (curl sends it for large bodies): refuse an oversized body
        before the client sends it."""
        length = self.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.server.max_body_bytes:
            answer = TOO_LARGE
            self._send(answer, close=True)
            self._log_request(answer, time.monotonic())
            return False
        return super().handle_expect_100()

    def _handle(self) -> None:
        started = time.monotonic()
        request_id = str(uuid.uuid4())
        close_after = False
        try:
            body = self._read_body()
        except _BodyTooLarge:
            answer = TOO_LARGE
            close_after = True
        except _BadRequest as exc:
            answer = json_answer(400, {"message": str(exc)})
            close_after = True
        else:
            answer = self._invoke(body, request_id)
        self._send(answer, close=close_after)
        if close_after:
            self._linger()
        self._log_request(answer, started)

    def _log_request(self, answer: HttpAnswer, started: float) -> None:
        # Batch ids are untrusted: log a bounded, printable form.
        batch = "".join(c if c.isprintable() else "?" for c in self.headers.get(BATCH_HEADER, "-")[:120])
        log.info(
            '%s "%s %s" %d %d %.1fms batch=%s',
            self.client_address[0],
            self.command,
            self.path,
            answer.status,
            len(answer.body),
            (time.monotonic() - started) * 1000,
            batch,
        )

    def _read_body(self) -> bytes | None:
        limit = self.server.max_body_bytes
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return None
        try:
            length = int(raw_length)
        except ValueError as exc:
            raise _BadRequest("malformed Content-Length") from exc
        if length < 0:
            raise _BadRequest("malformed Content-Length")
        if length > limit:
            raise _BodyTooLarge
        return self.rfile.read(length) if length else b""

    def _read_chunked(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError as exc:
                raise _BadRequest("malformed chunked body") from exc
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > limit:
                raise _BodyTooLarge
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _invoke(self, body: bytes | None, request_id: str) -> HttpAnswer:
        event = request_to_event(
            self.command,
            self.path,
            self.headers.items(),
            body,
            source_ip=self.client_address[0],
            request_id=request_id,
        )
        context = LocalContext(self.server.timeout_seconds, aws_request_id=request_id)
        try:
            return response_to_answer(self.server.handler(event, context))
        except Exception:
            log.exception("lambda_handler raised on %s %s", self.command, self.path)
            return bad_gateway()

    def _send(self, answer: HttpAnswer, *, close: bool) -> None:
        self.send_response(answer.status)
        names = set()
        for name, value in answer.headers:
            if name.lower() in ("content-length", "connection", "transfer-encoding"):
                continue
            names.add(name.lower())
            self.send_header(name, value)
        if "content-type" not in names and answer.body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)
        self.wfile.flush()

    def _linger(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(0.5)
            end = time.monotonic() + LINGER_SECONDS
            while time.monotonic() < end and self.connection.recv(65536):
                pass
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _handle

    def log_error(self, format: str, *args: Any) -> None:
        log.warning("%s: " + format, self.client_address[0], *args)
