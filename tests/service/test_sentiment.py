"""The sentiment processor: Comprehend batching (botocore Stubber) and the offline lexicon."""

from __future__ import annotations

import math

import boto3
import pytest
from botocore.stub import ANY, Stubber

import storage_backends
from sfasync_service import app
from sfasync_service.processors import Processors
from sfasync_service.processors.sentiment import (
    KEYS,
    MAX_TEXT_BYTES,
    comprehend_sentiment,
    lexicon_sentiment,
    truncate_utf8,
)

from .harness import Harness, body_of


def score(i: int) -> dict[str, float]:
    return {"Positive": 0.7, "Negative": 0.1, "Neutral": 0.15, "Mixed": 0.05 + i * 0}


@pytest.fixture
def comprehend():
    client = boto3.client("comprehend", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber


def expect_batches(stubber: Stubber, texts: list[str], errors: set[int] = frozenset()) -> None:
    for start in range(0, len(texts), 25):
        chunk = texts[start : start + 25]
        results = [
            {"Index": i, "Sentiment": "POSITIVE", "SentimentScore": score(start + i)}
            for i in range(len(chunk))
            if start + i not in errors
        ]
        error_list = [
            {"Index": i, "ErrorCode": "INTERNAL_SERVER_EXCEPTION", "ErrorMessage": "try again"}
            for i in range(len(chunk))
            if start + i in errors
        ]
        stubber.add_response(
            "batch_detect_sentiment",
            {"ResultList": results, "ErrorList": error_list},
            {"TextList": ANY, "LanguageCode": "en"},
        )


def test_4096_rows_take_164_batch_calls(comprehend):
    client, stubber = comprehend
    texts = [f"review number {i} was great" for i in range(4096)]
    expect_batches(stubber, texts)
    values = comprehend_sentiment([[t] for t in texts], client)
    stubber.assert_no_pending_responses()  # exactly ceil(4096 / 25) = 164 calls, no more
    assert math.ceil(4096 / 25) == 164
    assert len(values) == 4096 and all(v == score(0) for v in values)


def test_per_row_errors_and_null_texts_become_null(comprehend):
    client, stubber = comprehend
    rows = [["good"], [None], ["bad"], [""], ["fine"]]
    sent = ["good", "bad", "fine"]  # NULL and empty texts are not sent
    expect_batches(stubber, sent, errors={1})
    values = comprehend_sentiment(rows, client)
    assert values == [score(0), None, None, None, score(0)]


def test_texts_are_truncated_to_the_byte_limit(comprehend):
    client, stubber = comprehend
    long_text = "é" * 4000  # 8,000 UTF-8 bytes
    stubber.add_response(
        "batch_detect_sentiment",
        {"ResultList": [{"Index": 0, "SentimentScore": score(0)}], "ErrorList": []},
        {"TextList": [truncate_utf8(long_text)], "LanguageCode": "en"},
    )
    comprehend_sentiment([[long_text]], client)
    assert len(truncate_utf8(long_text).encode()) <= MAX_TEXT_BYTES
    assert truncate_utf8(long_text) == "é" * 2500


def test_comprehend_through_the_handler(comprehend):
    client, stubber = comprehend
    expect_batches(stubber, ["I love it", "meh"])
    h = Harness(storage_backends.create_store("memory"))
    app.runtime().processors = Processors("comprehend", lambda: client)
    h.post([[0, "I love it"], [1, "meh"]], function="sentiment")
    h.run_pending()
    assert body_of(h.get("sentiment")) == {"data": [[0, score(0)], [1, score(0)]]}


def test_lexicon_engine_gives_comprehend_keys():
    values = lexicon_sentiment(
        [
            ["I am happy"],
            ["This is terrible and awful"],
            ["hello world"],
            [None],
            ["I love the food but hate the service"],
        ]
    )
    happy, sad, neutral, null, mixed = values
    for v in (happy, sad, neutral, mixed):
        assert set(v) == set(KEYS)
        assert abs(sum(v.values()) - 1) < 0.002
    assert happy["Positive"] > happy["Negative"]
    assert sad["Negative"] > sad["Positive"]
    assert neutral["Neutral"] == 1.0
    assert mixed["Mixed"] > 0
    assert null is None
