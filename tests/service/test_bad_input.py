"""Malformed requests get a documented status and a JSON error -- never an exception."""

from __future__ import annotations

import base64
import gzip
import json
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storage_backends

from .harness import Harness, body_of, proxy_event

GOOD = json.dumps({"data": [[0, "x"]]})
DOCUMENTED = {200, 202, 400, 404, 405, 413, 415, 500, 503}


@pytest.fixture
def h():
    return Harness(storage_backends.create_store("memory"), max_body_bytes=64 * 1024)


CASES = [
    (
        "missing batch id header",
        proxy_event("POST", batch_id=None, body=GOOD),
        400,
        "sf-external-function-query-batch-id",
    ),
    ("missing batch id on GET", proxy_event("GET", batch_id=None), 400, "batch-id"),
    ("invalid JSON", proxy_event("POST", body="{not json"), 400, "not valid JSON"),
    ("not an object", proxy_event("POST", body="[1, 2]"), 400, '"data"'),
    ("no data key", proxy_event("POST", body='{"rows": []}'), 400, '"data"'),
    ("data not an array", proxy_event("POST", body='{"data": {"0": 1}}'), 400, "array"),
    ("row not an array", proxy_event("POST", body='{"data": [5]}'), 400, "row 0"),
    ("empty row", proxy_event("POST", body='{"data": [[]]}'), 400, "row 0"),
    ("row number a string", proxy_event("POST", body='{"data": [["0", "x"]]}'), 400, "row number"),
    ("row number negative", proxy_event("POST", body='{"data": [[-1, "x"]]}'), 400, "row number"),
    ("row number boolean", proxy_event("POST", body='{"data": [[true, "x"]]}'), 400, "row number"),
    (
        "duplicate row numbers",
        proxy_event("POST", body='{"data": [[0, "x"], [0, "y"]]}'),
        400,
        "more than once",
    ),
    ("bad base64", proxy_event("POST", body="!!!", base64_body=True), 400, "base64"),
    (
        "bad gzip",
        proxy_event("POST", body=b"not gzip at all", headers={"Content-Encoding": "gzip"}),
        400,
        "gzip",
    ),
    (
        "truncated gzip",
        proxy_event("POST", body=gzip.compress(GOOD.encode())[:-12], headers={"Content-Encoding": "gzip"}),
        400,
        "truncated",
    ),
    ("unknown encoding", proxy_event("POST", body=GOOD, headers={"Content-Encoding": "br"}), 415, "br"),
    ("unknown function", proxy_event("POST", function="nope", body=GOOD), 404, "echo"),
    ("unknown function GET", proxy_event("GET", function="nope"), 404, "sentiment"),
    ("wrong method", proxy_event("PUT", body=GOOD), 405, "PUT"),
    ("no method", {**proxy_event("GET"), "httpMethod": None}, 405, "method"),
    ("oversized body", proxy_event("POST", body=json.dumps({"data": [[0, "x" * 70_000]]})), 413, "limit"),
    ("oversized base64 body", proxy_event("POST", body=b"x" * 70_000), 413, "limit"),
    (
        "gzip bomb",
        proxy_event("POST", body=gzip.compress(b" " * (1024 * 1024)), headers={"content-encoding": "gzip"}),
        413,
        "decompressed",
    ),
]


@pytest.mark.parametrize(("event", "status", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_request(h, event, status, needle):
    response = h.handle(event)
    assert response["statusCode"] == status
    error = body_of(response)["error"]
    assert needle in error
    assert h.invoker.events == []


def test_wrong_method_says_what_is_allowed(h):
    response = h.handle(proxy_event("DELETE"))
    assert response["headers"]["Allow"] == "GET, POST"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw", "identity", "GZIP"])
def test_compressed_bodies_are_accepted(h, encoding):
    rows = [[0, "été"], [1, None]]
    raw = json.dumps({"data": rows}).encode()
    if encoding.lower() == "gzip":
        body = gzip.compress(raw)
    elif encoding == "deflate":
        body = zlib.compress(raw)
    elif encoding == "deflate-raw":
        c = zlib.compressobj(wbits=-15)
        body = c.compress(raw) + c.flush()
        encoding = "deflate"
    else:
        body = raw
    assert (
        h.handle(proxy_event("POST", body=body, headers={"Content-Encoding": encoding}))["statusCode"] == 202
    )
    h.run_pending()
    assert body_of(h.get()) == {"data": rows}


def test_header_names_are_case_insensitive_and_path_routing(h):
    event = proxy_event(
        "POST", batch_id=None, body=GOOD, headers={"SF-External-Function-Query-Batch-Id": "B"}
    )
    event["pathParameters"] = None
    event["path"] = "/prod/echo"
    assert h.handle(event)["statusCode"] == 202
    h.run_pending()
    get = proxy_event("GET", batch_id=None, headers={"sf-external-function-query-batch-id": "B"})
    assert body_of(h.handle(get)) == {"data": [[0, "x"]]}


def test_root_path_is_the_default_function(h):
    event = proxy_event("POST", function="", body=GOOD)
    event["path"] = "/"
    assert h.handle(event)["statusCode"] == 202
    assert h.invoker.events[0]["function"] == "sentiment"


def test_empty_batch_gives_empty_result(h):
    assert h.post([])["statusCode"] == 202
    h.run_pending()
    assert body_of(h.get()) == {"data": []}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
bodies = st.one_of(
    st.none(),
    st.text(max_size=300),
    json_values.map(json.dumps),
    st.lists(st.lists(json_values, max_size=3), max_size=5).map(lambda d: json.dumps({"data": d})),
    st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode()),
)
headers = st.dictionaries(
    st.sampled_from(
        ["sf-external-function-query-batch-id", "Content-Encoding", "content-encoding", "X-Other"]
    )
    | st.text(max_size=20),
    st.text(max_size=40) | st.sampled_from(["gzip", "deflate", "identity", "br"]),
    max_size=5,
)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "get", "", "PATCH"]) | st.text(
    max_size=8
)
paths = st.sampled_from(["/", "/echo", "/sentiment", "/prod/echo", "/../../etc", "/nope"]) | st.text(
    max_size=30
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=methods, path=paths, body=bodies, hdrs=headers, b64=st.booleans(), raw=st.booleans())
def test_any_request_gets_a_documented_answer(h, method, path, body, hdrs, b64, raw):
    event = {"httpMethod": method, "path": path, "headers": hdrs, "body": body, "isBase64Encoded": b64}
    if not raw:
        event["pathParameters"] = {"function": path.strip("/")}
    response = h.handle(event)
    assert response["statusCode"] in DOCUMENTED
    assert response["statusCode"] != 500 or "internal error" not in response["body"]
    if response["statusCode"] >= 400:
        assert isinstance(body_of(response)["error"], str)
    h.run_pending()
