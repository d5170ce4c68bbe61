"""Fuzzing (hypothesis): request parsing and the whole handler over arbitrary input.

Properties: never an unhandled exception, never an undocumented status, never a file or key
outside the configured location. `make test` runs the "ci" profile; `make fuzz` a long campaign
(HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfasync_service import app, protocol
from storage_backends.efs import EFSJobStore

from ..service.harness import Harness

DOCUMENTED = {200, 202, 400, 404, 405, 413, 415, 500, 503}
LAYOUT = re.compile(r"(\.locks/[0-9a-f]{2}|[0-9a-f]{2}/[0-9a-f]{64}/(job|outcome-\d+|input-\d+))")

anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
batch_ids = st.text(max_size=60) | st.sampled_from(
    ["../../x", "/etc/passwd", "..", "a/b", "\x00", "~root", "C:\\x"]
)
rows = st.lists(st.tuples(st.integers(-2, 50), anything).map(list), max_size=6)


def encode(doc: bytes, how: str) -> tuple[str, bool, dict[str, str]]:
    if how == "gzip":
        return base64.b64encode(gzip.compress(doc)).decode(), True, {"Content-Encoding": "gzip"}
    if how == "deflate":
        return base64.b64encode(zlib.compress(doc)).decode(), True, {"Content-Encoding": "deflate"}
    if how == "base64":
        return base64.b64encode(doc).decode(), True, {}
    return doc.decode("utf-8", "replace"), False, {}


@st.composite
def requests(draw):  # type: ignore[no-untyped-def]
    method = draw(st.sampled_from(["POST", "GET", "post", "PUT", "HEAD", ""]) | st.text(max_size=6))
    function = draw(st.sampled_from(["echo", "sentiment", "", "nope", "../echo", "echo/../../x"]))
    body_doc = draw(
        st.one_of(
            rows.map(lambda r: json.dumps({"data": r}).encode()),
            anything.map(lambda v: json.dumps(v).encode()),
            st.binary(max_size=80),
        )
    )
    body, b64, headers = encode(body_doc, draw(st.sampled_from(["plain", "gzip", "deflate", "base64"])))
    if draw(st.booleans()):
        headers["Content-Encoding"] = draw(
            st.sampled_from(["br", "gzip", "x-gzip", "", "identity", "deflate"])
        )
    bid = draw(st.none() | batch_ids)
    if bid is not None:
        name = draw(
            st.sampled_from(["sf-external-function-query-batch-id", "SF-EXTERNAL-FUNCTION-QUERY-BATCH-ID"])
        )
        headers[name] = bid
    event = {
        "httpMethod": method,
        "path": f"/{function}",
        "headers": draw(st.just(headers) | anything),
        "body": draw(st.just(body) | anything),
        "isBase64Encoded": draw(st.just(b64) | anything),
    }
    if draw(st.booleans()):
        event["pathParameters"] = draw(st.just({"function": function}) | anything)
    if draw(st.booleans()):
        event["multiValueHeaders"] = draw(anything)
    return event


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(event=requests())
def test_parsing_raises_only_documented_http_errors(event):
    try:
        request = protocol.parse(event, default_function="sentiment", max_body_bytes=4096)
    except protocol.HttpError as exc:
        assert exc.status in DOCUMENTED and exc.message
        return
    assert request.method in ("GET", "POST") and request.batch_id


@pytest.fixture(scope="module")
def efs_harness(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz") / "jobs"
    h = Harness(EFSJobStore(str(root)), max_body_bytes=4096)
    yield h, root
    app.configure()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(requests(), min_size=1, max_size=4))
def test_handler_answers_documented_statuses_and_stays_inside(efs_harness, batch):
    h, root = efs_harness
    app.configure(config=h.config, store=h.store, invoker=h.invoker)
    for event in batch:
        response = h.handle(event)
        assert response["statusCode"] in DOCUMENTED
        assert isinstance(response["body"], str)
        if response["statusCode"] >= 400:
            assert isinstance(json.loads(response["body"])["error"], str)
        assert "internal error" not in response["body"]
        for result in h.run_pending():
            assert result["processed"] in (True, False)
    for path in Path(root).rglob("*"):
        if path.is_file():
            assert LAYOUT.fullmatch(path.relative_to(root).as_posix()), path
    assert not list(Path(root).parent.glob("*passwd*"))
