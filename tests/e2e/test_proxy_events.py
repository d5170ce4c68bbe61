"""HTTP request <-> API Gateway REST proxy event (format 1.0), as the local server maps them."""

from __future__ import annotations

import base64
import gzip
import json

from sfasync.server.events import request_to_event, response_to_answer
from sfasync_service import protocol

HEADERS = [
    ("Host", "127.0.0.1:8080"),
    ("SF-External-Function-Query-Batch-Id", "b-1"),
    ("X-Twice", "one"),
    ("X-Twice", "two"),
]


def test_a_post_becomes_the_event_api_gateway_would_send() -> None:
    body = json.dumps({"data": [[0, "a"], [1, "b"]]}).encode()
    event = request_to_event("POST", "/echo?x=1&x=2&y=", HEADERS, body, source_ip="10.0.0.9")
    assert event["httpMethod"] == "POST" and event["path"] == "/echo"
    assert event["resource"] == "/{function}" and event["pathParameters"] == {"function": "echo"}
    assert event["headers"]["sf-external-function-query-batch-id"] == "b-1"
    assert event["headers"]["x-twice"] == "two"
    assert event["multiValueHeaders"]["x-twice"] == ["one", "two"]
    assert event["queryStringParameters"] == {"x": "2", "y": ""}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "y": [""]}
    assert event["body"] == body.decode() and event["isBase64Encoded"] is False
    assert event["requestContext"]["identity"]["sourceIp"] == "10.0.0.9"
    assert event["requestContext"]["httpMethod"] == "POST"
    request = protocol.parse(event, default_function="sentiment", max_body_bytes=1 << 20)
    assert (request.function, request.batch_id, request.rows) == ("echo", "b-1", [[0, "a"], [1, "b"]])


def test_a_compressed_body_arrives_base64_encoded() -> None:
    raw = json.dumps({"data": [[0, "a"]]}).encode()
    event = request_to_event("POST", "/echo", [*HEADERS, ("Content-Encoding", "gzip")], gzip.compress(raw))
    assert event["isBase64Encoded"] is True
    assert gzip.decompress(base64.b64decode(event["body"])) == raw
    assert protocol.parse(event, default_function="sentiment", max_body_bytes=1 << 20).rows == [[0, "a"]]


def test_the_root_path_and_a_get_without_body() -> None:
    event = request_to_event("GET", "/", HEADERS, None)
    assert event["resource"] == "/" and event["pathParameters"] is None
    assert event["body"] is None and event["queryStringParameters"] is None
    assert protocol.parse(event, default_function="sentiment", max_body_bytes=1).function == "sentiment"


def test_the_answer_is_mapped_back_with_base64_bodies_decoded() -> None:
    answer = response_to_answer(
        {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json", "Content-Encoding": "gzip"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x1f\x8b binary").decode(),
            "isBase64Encoded": True,
        }
    )
    assert answer.status == 200 and answer.body == b"\x1f\x8b binary"
    assert ("Set-Cookie", "a=1") in answer.headers and ("Set-Cookie", "b=2") in answer.headers
    assert ("Content-Encoding", "gzip") in answer.headers


def test_a_malformed_answer_is_api_gateways_502() -> None:
    assert response_to_answer({"body": "no status"}).status == 502
    assert response_to_answer({"statusCode": 200, "body": "%%%", "isBase64Encoded": True}).status == 502
