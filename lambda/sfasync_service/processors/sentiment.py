"""``sentiment``: one object per row with Comprehend's ``SentimentScore`` keys
``Positive``, ``Negative``, ``Neutral``, ``Mixed`` (floats that sum to 1).

Two engines:

* ``comprehend`` -- Amazon Comprehend ``BatchDetectSentiment``: 25 texts a call, each cut to
  5,000 UTF-8 bytes (at a character boundary); a row Comprehend reports in ``ErrorList``, and an
  empty or NULL text, gives ``null`` (and is logged).
* ``lexicon`` -- offline, VADER (the ``vaderSentiment`` package, vendored into the Lambda zip).
  VADER scores the share of positive, negative and neutral words (``pos``, ``neg``, ``neu``,
  summing to 1). We derive: ``Mixed = 2 * min(pos, neg)`` (a text is mixed to the extent it
  holds both), ``Positive = pos - min(pos, neg)``, ``Negative = neg - min(pos, neg)``,
  ``Neutral = neu``; the four still sum to 1. Rounded to 4 decimals.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

log = logging.getLogger("sfasync.sentiment")

BATCH_SIZE = 25  # BatchDetectSentiment: at most 25 documents per call
MAX_TEXT_BYTES = 5000  # ... of at most 5,000 bytes each
KEYS = ("Positive", "Negative", "Neutral", "Mixed")


def truncate_utf8(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    data = text.encode("utf-8", "replace")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")  # drops a character cut in half


def _text(args: list[Any]) -> str | None:
    if not args or args[0] is None:
        return None
    value = args[0] if isinstance(args[0], str) else str(args[0])
    return value if value.strip() else None


def comprehend_sentiment(rows: list[list[Any]], client: Any, language_code: str = "en") -> list[Any]:
    results: list[Any] = [None] * len(rows)
    todo = [(i, text) for i, args in enumerate(rows) if (text := _text(args)) is not None]
    for start in range(0, len(todo), BATCH_SIZE):
        chunk = todo[start : start + BATCH_SIZE]
        response = client.batch_detect_sentiment(
            TextList=[truncate_utf8(text) for _, text in chunk], LanguageCode=language_code
        )
        for item in response.get("ResultList", []):
            row = chunk[item["Index"]][0]
            score = item.get("SentimentScore", {})
            results[row] = {key: float(score.get(key, 0.0)) for key in KEYS}
        for error in response.get("ErrorList", []):
            log.warning(
                "Comprehend could not score row %d: %s %s",
                chunk[error["Index"]][0],
                error.get("ErrorCode"),
                error.get("ErrorMessage"),
            )
    return results


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def lexicon_score(text: str) -> dict[str, float]:
    scores = _analyzer().polarity_scores(text)
    pos, neg, neu = float(scores["pos"]), float(scores["neg"]), float(scores["neu"])
    both = min(pos, neg)
    return {
        "Positive": round(pos - both, 4),
        "Negative": round(neg - both, 4),
        "Neutral": round(neu, 4),
        "Mixed": round(2 * both, 4),
    }


def lexicon_sentiment(rows: list[list[Any]]) -> list[Any]:
    return [None if (text := _text(args)) is None else lexicon_score(text) for args in rows]
