"""Snowflake's wire format and the HTTP contract (SPEC §2, §4).

Parsing turns an API Gateway REST proxy event (payload format 1.0) into a ``Request`` or raises
``HttpError`` with the status and message the caller gets. Nothing here touches storage.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from dataclasses import dataclass
from typing import Any

BATCH_ID_HEADER = "sf-external-function-query-batch-id"
# A compressed body may expand to at most this many times the body limit (gzip-bomb guard).
MAX_EXPANSION = 8
# Lambda's synchronous response payload limit (the whole JSON document we return).
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
ALLOWED_METHODS = ("GET", "POST")


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Request:
    method: str
    function: str
    batch_id: str
    headers: dict[str, str]
    rows: list[list[Any]] | None  # POST only: [[row_number, arg1, ...], ...]


def _headers(event: dict[str, Any]) -> dict[str, str]:
    """Header names are case-insensitive: fold them to lower case (single and multi-value)."""
    folded: dict[str, str] = {}
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict):
        for name, values in multi.items():
            if isinstance(name, str) and isinstance(values, list) and values and isinstance(values[0], str):
                folded[name.lower()] = values[0]
    single = event.get("headers")
    if isinstance(single, dict):
        for name, value in single.items():
            if isinstance(name, str) and isinstance(value, str):
                folded[name.lower()] = value
    return folded


def function_name(event: dict[str, Any], default: str) -> str:
    params = event.get("pathParameters")
    if isinstance(params, dict) and isinstance(params.get("function"), str) and params["function"]:
        return params["function"]
    path = event.get("path")
    if isinstance(path, str):
        segment = path.rstrip("/").rsplit("/", 1)[-1]
        if segment:
            return segment
    return default


def raw_body(event: dict[str, Any], max_bytes: int) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise HttpError(400, "request body must be a string")
    if event.get("isBase64Encoded") is True:
        if len(body) // 4 * 3 > max_bytes + 3:
            raise HttpError(413, f"request body exceeds the limit of {max_bytes} bytes")
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise HttpError(400, "isBase64Encoded is true but the body is not valid base64") from exc
    else:
        data = body.encode("utf-8", "surrogatepass")
    if len(data) > max_bytes:
        raise HttpError(413, f"request body of {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    return data


def decode_content(data: bytes, encoding: str, max_bytes: int) -> bytes:
    """gzip / deflate / identity; the decompressed body may not exceed ``max_bytes``."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return data
    if encoding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":
        # RFC 9110's deflate is zlib-wrapped; some clients send a raw stream. Accept both.
        wbits = zlib.MAX_WBITS if data[:1] and (data[0] & 0x0F) == 8 else -zlib.MAX_WBITS
    else:
        raise HttpError(415, f"unsupported Content-Encoding {encoding!r}; use gzip, deflate or identity")
    decompressor = zlib.decompressobj(wbits)
    try:
        out = decompressor.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise HttpError(400, f"request body is not valid {encoding} data: {exc}") from exc
    if len(out) > max_bytes:
        raise HttpError(413, f"decompressed request body exceeds {max_bytes} bytes")
    if not decompressor.eof:
        raise HttpError(400, f"request body is truncated {encoding} data")
    return out


def parse_rows(data: bytes) -> list[list[Any]]:
    """``{"data": [[row_number, args...], ...]}`` with unique non-negative integer row numbers."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise HttpError(400, f"request body is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or "data" not in doc:
        raise HttpError(400, 'request body must be a JSON object with a "data" array')
    rows = doc["data"]
    if not isinstance(rows, list):
        raise HttpError(400, '"data" must be an array of rows')
    seen: set[int] = set()
    for index, row in enumerate(rows):
        if not isinstance(row, list) or not row:
            raise HttpError(400, f"row {index} must be a non-empty array [row_number, args...]")
        number = row[0]
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise HttpError(400, f"row {index} must start with a non-negative integer row number")
        if number in seen:
            raise HttpError(400, f"row number {number} appears more than once")
        seen.add(number)
    return rows


def parse(event: dict[str, Any], *, default_function: str, max_body_bytes: int) -> Request:
    method = event.get("httpMethod")
    method = method.upper() if isinstance(method, str) else ""
    if method not in ALLOWED_METHODS:
        raise HttpError(
            405, f"method {method or '(none)'} not allowed; use POST or GET", {"Allow": "GET, POST"}
        )
    headers = _headers(event)
    function = function_name(event, default_function)
    batch_id = headers.get(BATCH_ID_HEADER, "")
    if not batch_id:
        raise HttpError(400, f"missing header {BATCH_ID_HEADER}")
    rows = None
    if method == "POST":
        data = decode_content(
            raw_body(event, max_body_bytes),
            headers.get("content-encoding", ""),
            MAX_EXPANSION * max_body_bytes,
        )
        rows = parse_rows(data)
    return Request(method, function, batch_id, headers, rows)


# -- responses ------------------------------------------------------------------------------------
def json_response(status: int, doc: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(doc, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return json_response(status, {"error": message}, headers)


def encode_result(rows: list[list[Any]], values: list[Any]) -> tuple[bytes, int]:
    """The 200 body for a batch, gzip-compressed for storage: (compressed, uncompressed size)."""
    body = json.dumps(
        {"data": [[row[0], value] for row, value in zip(rows, values, strict=True)]},
        separators=(",", ":"),
        allow_nan=False,
    ).encode()
    return gzip.compress(body, compresslevel=6, mtime=0), len(body)


def result_response(compressed: bytes, size: int, gzip_over_bytes: int) -> dict[str, Any]:
    """200 with the stored body: plain JSON when small, gzip + base64 when large, so the whole
    Lambda response stays under its 6 MB limit."""
    if size <= gzip_over_bytes:
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "body": gzip.decompress(compressed).decode(),
            "isBase64Encoded": False,
        }
    encoded = base64.b64encode(compressed).decode()
    if len(encoded) + 512 > LAMBDA_RESPONSE_LIMIT:
        return error_response(
            500,
            f"the result ({size} bytes, {len(compressed)} compressed) does not fit Lambda's 6 MB "
            "response limit even gzip-compressed; lower MAX_BATCH_ROWS for this function",
        )
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        "body": encoded,
        "isBase64Encoded": True,
    }
