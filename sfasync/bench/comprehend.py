"""A local stand-in for Amazon Comprehend's sentiment API, so that offline runs make (and count)
real ``BatchDetectSentiment`` / ``DetectSentiment`` calls: moto does not implement them.

It speaks the service's wire protocol (JSON 1.1, ``X-Amz-Target: Comprehend_20171127.<Action>``),
enforces its documented limits (25 documents per batch call, 5,000 UTF-8 bytes per document) and
scores with the offline lexicon engine (``sfasync_service.processors.sentiment.lexicon_score``),
remembering each text's score: the bench scores a workload's texts once before measuring, so that
the stand-in's CPU does not compete with the endpoint being measured (Comprehend's own time is what
``--latency-model aws`` adds).
Point a client at it with ``AWS_ENDPOINT_URL_COMPREHEND``. Run: ``python -m sfasync.bench.comprehend
--port P``; it prints ``ready`` once it listens.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_DOCUMENTS = 25
MAX_TEXT_BYTES = 5000
TARGET_PREFIX = "Comprehend_20171127."


class _Refused(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@functools.lru_cache(maxsize=200_000)
def _lexicon(text: str) -> dict[str, float]:
    from sfasync_service.processors.sentiment import lexicon_score

    return lexicon_score(text)


def _score(text: Any) -> dict[str, Any]:
    if not isinstance(text, str) or not text:
        raise _Refused("InvalidRequestException", "Text must be a non-empty string")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise _Refused("TextSizeLimitExceededException", f"Text exceeds {MAX_TEXT_BYTES} bytes")
    score = dict(_lexicon(text))
    label = max(score, key=lambda k: score[k]).upper()
    return {"Sentiment": label, "SentimentScore": score}


def answer(action: str, request: dict[str, Any]) -> dict[str, Any]:
    if action == "DetectSentiment":
        return _score(request.get("Text"))
    if action == "BatchDetectSentiment":
        texts = request.get("TextList")
        if not isinstance(texts, list) or not texts:
            raise _Refused("InvalidRequestException", "TextList must be a non-empty list")
        if len(texts) > MAX_DOCUMENTS:
            raise _Refused("BatchSizeLimitExceededException", f"at most {MAX_DOCUMENTS} documents")
        results, errors = [], []
        for index, text in enumerate(texts):
            try:
                results.append({"Index": index, **_score(text)})
            except _Refused as exc:
                errors.append({"Index": index, "ErrorCode": exc.kind, "ErrorMessage": str(exc)})
        return {"ResultList": results, "ErrorList": errors}
    raise _Refused("UnknownOperationException", f"{action} is not served by this stand-in")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each answer waits for the client's delayed ACK (40 ms)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        action = self.headers.get("X-Amz-Target", "").removeprefix(TARGET_PREFIX)
        try:
            status, doc = 200, answer(action, json.loads(body or b"{}"))
        except _Refused as exc:
            status, doc = 400, {"__type": exc.kind, "message": str(exc)}
        except ValueError as exc:
            status, doc = 400, {"__type": "SerializationException", "message": str(exc)}
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ComprehendServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = ComprehendServer(args.host, args.port)
    _score("warm up the lexicon")
    print(f"ready {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
