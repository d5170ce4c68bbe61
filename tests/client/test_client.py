"""The Snowflake-style client against a scripted endpoint: what it sends, how it retries and polls."""

from __future__ import annotations

import gzip
import itertools
import json
import random

import boto3
import pytest

from sfasync.client import BatchError, Client, SigV4Signer, function_url
from tests.client.conftest import FakeEndpoint, Seen, echo_async, json_reply

FAST = dict(poll_initial=0.01, poll_max=0.05, backoff_base=0.01, backoff_max=0.05)


def client(fake: FakeEndpoint, **kwargs) -> Client:  # type: ignore[no-untyped-def]
    return Client(fake.url, function="echo", **{**FAST, **kwargs})


def test_sends_snowflakes_headers_with_one_batch_id_per_batch_on_the_post_and_every_poll(
    fake: FakeEndpoint,
) -> None:
    result = client(fake, max_batch_rows=2).call([["a"], ["b"], ["c"]])
    assert result.values == ["a", "b", "c"]
    posts = fake.of("POST")
    assert len(posts) == 2 and len({p.batch_id for p in posts}) == 2
    for request in fake.seen:
        assert request.path == "/echo"
        assert request.headers["sf-external-function-format"] == "json"
        assert request.headers["sf-external-function-format-version"] == "1.0"
        assert request.headers["sf-external-function-name"] == "echo"
        assert request.headers["sf-external-function-current-query-id"] == result.query_id
    for post in posts:
        polls = [s for s in fake.of("GET") if s.batch_id == post.batch_id]
        assert len(polls) == 2 and all(not p.body for p in polls)
    assert sorted(p.rows() for p in posts) == [[[0, "a"], [1, "b"]], [[0, "c"]]]
    assert {b.polls for b in result.batches} == {2}


def test_a_post_answered_503_or_429_is_retried_with_the_same_batch_id(fake: FakeEndpoint) -> None:
    def flaky(request: Seen, seen: list[Seen]):  # type: ignore[no-untyped-def]
        if request.method == "POST" and len(fake.of("POST")) <= 2:
            return json_reply(503 if len(fake.of("POST")) == 1 else 429, {"error": "busy"})
        return echo_async(request, seen)

    fake.script = flaky
    result = client(fake).call([["x"]])
    assert result.values == ["x"]
    assert len({p.batch_id for p in fake.of("POST")}) == 1 and len(fake.of("POST")) == 3
    assert result.batches[0].retries == 2


def test_a_dropped_connection_on_a_poll_is_retried(fake: FakeEndpoint) -> None:
    def dropping(request: Seen, seen: list[Seen]):  # type: ignore[no-untyped-def]
        if request.method == "GET" and len(fake.of("GET")) == 1:
            return "drop"
        return echo_async(request, seen)

    fake.script = dropping
    assert client(fake).call([["x"]]).values == ["x"]


def test_a_500_from_a_poll_is_final_and_reported_with_the_batch_and_the_cause(fake: FakeEndpoint) -> None:
    def failing(request: Seen, seen: list[Seen]):  # type: ignore[no-untyped-def]
        if request.method == "POST":
            return json_reply(202, {})
        return json_reply(500, {"error": "ValueError: bad row 3"})

    fake.script = failing
    with pytest.raises(BatchError) as failure:
        client(fake).call([["x"]])
    assert failure.value.status == 500
    assert failure.value.batch_id == fake.of("POST")[0].batch_id
    assert "ValueError: bad row 3" in str(failure.value) and failure.value.batch_id in str(failure.value)
    assert len(fake.of("GET")) == 1


def test_4xx_is_not_retried(fake: FakeEndpoint) -> None:
    fake.script = lambda request, seen: json_reply(
        404, {"error": "unknown function 'echo'; known: sentiment"}
    )
    with pytest.raises(BatchError, match="known: sentiment"):
        client(fake).call([["x"]])
    assert len(fake.seen) == 1


def test_retries_give_up_after_max_attempts(fake: FakeEndpoint) -> None:
    fake.script = lambda request, seen: json_reply(503, {"error": "storage unavailable"})
    with pytest.raises(BatchError, match="storage unavailable") as failure:
        client(fake, max_attempts=3).call([["x"]])
    assert failure.value.status == 503 and len(fake.seen) == 3


def test_results_come_back_in_input_order_whatever_order_the_server_answers(fake: FakeEndpoint) -> None:
    def shuffled(request: Seen, seen: list[Seen]):  # type: ignore[no-untyped-def]
        if request.method == "POST":
            rows = request.rows()
            random.shuffle(rows)
            return json_reply(200, {"data": [[n, f"value {arg}"] for n, arg in rows]})
        raise AssertionError("a synchronous 200 needs no poll")

    fake.script = shuffled
    rows = [[n] for n in range(50)]
    assert client(fake, max_batch_rows=7, concurrency=4).call(rows).values == [
        f"value {n}" for n in range(50)
    ]


def test_an_answer_missing_rows_is_an_error(fake: FakeEndpoint) -> None:
    fake.script = lambda request, seen: json_reply(200, {"data": [[0, "only one"]]})
    with pytest.raises(BatchError, match="1 rows for the 2 sent"):
        client(fake).call([["a"], ["b"]])


def test_polls_are_spaced_further_and_further_apart(fake: FakeEndpoint) -> None:
    def slow(request: Seen, seen: list[Seen]):  # type: ignore[no-untyped-def]
        if request.method == "GET" and len(fake.of("GET")) < 6:
            return json_reply(202, {})
        return echo_async(request, [*seen, request, request])

    fake.script = slow
    client(fake, poll_initial=0.02, poll_factor=2.0, poll_max=1.0).call([["x"]])
    times = [s.at for s in fake.of("GET")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[-1] > 2 * gaps[0]


def test_gives_up_after_its_timeout(fake: FakeEndpoint) -> None:
    fake.script = lambda request, seen: json_reply(202, {})
    with pytest.raises(BatchError, match="no result within"):
        client(fake, timeout=0.3).call([["x"]])


def test_gzip_request_bodies_and_gzip_answers(fake: FakeEndpoint) -> None:
    def gzipped(request: Seen, seen: list[Seen]):  # type: ignore[no-untyped-def]
        assert request.headers["content-encoding"] == "gzip"
        body = json.dumps({"data": [[n, arg] for n, arg in request.rows()]}).encode()
        return 200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, gzip.compress(body)

    fake.script = gzipped
    assert client(fake, compress=True).call([["a"], ["b"]]).values == ["a", "b"]


def test_the_first_failed_batch_fails_the_call(fake: FakeEndpoint) -> None:
    def second_fails(request: Seen, seen: list[Seen]):  # type: ignore[no-untyped-def]
        if request.method == "POST" and request.rows()[0][1] == "b":
            return json_reply(400, {"error": "row 0 is wrong"})
        return echo_async(request, seen)

    fake.script = second_fails
    with pytest.raises(BatchError, match="row 0 is wrong") as failure:
        client(fake, max_batch_rows=1).call([["a"], ["b"], ["c"]])
    assert failure.value.index == 1


def test_sigv4_signs_for_execute_api_in_the_urls_region() -> None:
    session = boto3.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1"
    )
    signer = SigV4Signer(session=session)
    url = "https://abc123.execute-api.eu-west-2.amazonaws.com/prod/echo"
    headers = signer("POST", url, {"sf-external-function-query-batch-id": "b"}, b"{}")
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-2/execute-api/aws4_request" in headers["Authorization"]
    assert "X-Amz-Date" in headers
    assert SigV4Signer("ap-south-1", session=session).region_for(url) == "ap-south-1"


def test_function_is_appended_to_the_url() -> None:
    assert function_url("http://127.0.0.1:8080", "echo") == "http://127.0.0.1:8080/echo"
    assert function_url("https://x/prod/", "echo") == "https://x/prod/echo"
    assert function_url("https://x/prod/echo", None) == "https://x/prod/echo"


def test_a_batch_keeps_one_connection_alive_for_its_post_and_polls(fake: FakeEndpoint) -> None:
    with client(fake) as one:
        one.call([["x"]])
    assert len(fake.seen) == 3 and len({s.client_port for s in fake.seen}) == 1


def test_a_server_that_closes_every_connection_is_fine(fake: FakeEndpoint) -> None:
    def closing(request: Seen, seen: list[Seen]):  # type: ignore[no-untyped-def]
        status, headers, body = echo_async(request, seen)
        return status, {**headers, "Connection": "close"}, body

    fake.script = closing
    result = client(fake).call([["x"]])
    assert result.values == ["x"] and result.batches[0].retries == 0
    assert len({s.client_port for s in fake.seen}) == 3


def test_retry_after_is_honoured(fake: FakeEndpoint) -> None:
    def throttled(request: Seen, seen: list[Seen]):  # type: ignore[no-untyped-def]
        if request.method == "POST" and len(fake.of("POST")) == 1:
            return 429, {"Retry-After": "0.3"}, b'{"message": "Too Many Requests"}'
        return echo_async(request, seen)

    fake.script = throttled
    assert client(fake).call([["x"]]).values == ["x"]
    first, second = fake.of("POST")
    assert second.at - first.at >= 0.3


def test_after_a_failed_batch_no_further_batch_is_sent(fake: FakeEndpoint) -> None:
    fake.script = lambda request, seen: json_reply(400, {"error": "bad"})
    with pytest.raises(BatchError, match="bad"):
        client(fake, max_batch_rows=1, concurrency=1).call([["a"], ["b"], ["c"]])
    assert len(fake.of("POST")) == 1
