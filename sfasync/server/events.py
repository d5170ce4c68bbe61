"""HTTP request <-> API Gateway REST proxy event (payload format 1.0), as API Gateway maps them.

The local server hands the handler exactly what API Gateway would: route ``/{function}`` with the
path's last segment as ``pathParameters.function`` (``/`` has none), lower-case header names,
``multiValue*`` twins, and a body that is base64-encoded when it is not plain UTF-8 text (a
compressed body, as with a binary media type on AWS).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

STAGE = "local"


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def request_to_event(
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes | None,
    *,
    source_ip: str = "127.0.0.1",
    request_id: str | None = None,
) -> dict[str, Any]:
    """Build the proxy event for one HTTP request (``target`` is the request line's path + query)."""
    parts = urlsplit(target)
    path = parts.path or "/"
    segments = [unquote(s) for s in path.split("/") if s]
    function = segments[-1] if segments else None

    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        key = name.lower()
        single[key] = value  # API Gateway keeps the last value in ``headers``
        multi.setdefault(key, []).append(value)

    query_single: dict[str, str] = {}
    query_multi: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        query_single[name] = value
        query_multi.setdefault(name, []).append(value)

    body_text: str | None
    is_base64 = False
    if not body:
        body_text = None
    else:
        encoded = "content-encoding" in single and single["content-encoding"].strip().lower() != "identity"
        try:
            body_text = None if encoded else body.decode("utf-8")
        except UnicodeDecodeError:
            body_text = None
        if body_text is None:
            body_text = base64.b64encode(body).decode("ascii")
            is_base64 = True

    resource = "/{function}" if function is not None else "/"
    request_id = request_id or str(uuid.uuid4())
    now = time.time()
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": single or None,
        "multiValueHeaders": multi or None,
        "queryStringParameters": query_single or None,
        "multiValueQueryStringParameters": query_multi or None,
        "pathParameters": {"function": function} if function is not None else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": method.upper(),
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{STAGE}{path}",
            "accountId": "000000000000",
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": "localhost",
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {
                "sourceIp": source_ip,
                "userAgent": single.get("user-agent"),
                "caller": None,
                "user": None,
                "userArn": None,
                "accessKey": None,
            },
            "domainName": single.get("host", "localhost"),
            "apiId": "local",
        },
        "body": body_text,
        "isBase64Encoded": is_base64,
    }


def response_to_answer(response: Any) -> HttpAnswer:
    """Map the handler's proxy response back to HTTP, as API Gateway does (base64 bodies decoded)."""
    if not isinstance(response, dict) or not isinstance(response.get("statusCode"), int):
        return bad_gateway()
    headers: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, values in (response.get("multiValueHeaders") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            headers.append((str(name), str(value)))
        seen.add(str(name).lower())
    for name, value in (response.get("headers") or {}).items():
        if str(name).lower() not in seen:
            headers.append((str(name), str(value)))
    raw = response.get("body") or ""
    try:
        body = (
            base64.b64decode(raw, validate=True) if response.get("isBase64Encoded") else raw.encode("utf-8")
        )
    except (ValueError, AttributeError):
        return bad_gateway()
    return HttpAnswer(int(response["statusCode"]), headers, body)


def bad_gateway() -> HttpAnswer:
    """What API Gateway answers when the integration fails or returns a malformed response."""
    return json_answer(502, {"message": "Internal server error"})


def json_answer(status: int, payload: dict[str, Any]) -> HttpAnswer:
    return HttpAnswer(status, [("Content-Type", "application/json")], json.dumps(payload).encode())
