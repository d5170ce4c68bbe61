"""The baseline: the design of the documentation's sample asynchronous function, written from its
description, so that ``sfasync bench --baseline`` can show where this implementation stands.

- POST: one ``PutItem`` of ``{batch_id, status: "in-progress"}``, then an asynchronous
  self-invocation carrying the rows;
- process: the function's values -- for ``sentiment`` one ``DetectSentiment`` per row -- then one
  ``PutItem`` of ``{batch_id, status: "completed", data: [[row, value], ...]}``, the result as a
  plain DynamoDB list;
- GET: one strongly consistent ``GetItem``; 202 while in progress, 200 with the data;
- no cleanup: no TTL, nothing is ever deleted.

Table ``JOBS_TABLE`` with the partition key ``batch_id`` (S). It runs behind ``sfasync serve`` with
``SFASYNC_HANDLER=sfasync.bench.baseline:lambda_handler``, self-invoking through the server's
invoker. Where the sample's design cannot carry a batch, the bench must say so rather than wait:

- a process event over Lambda's 1 MB asynchronous payload limit is refused as Lambda refuses it;
  the POST then answers 502 (what API Gateway answers for the sample's unhandled exception) with
  the cause;
- a result item over DynamoDB's 400 KB limit is refused by DynamoDB; where the sample would leave
  the batch "in-progress" until Snowflake gives up (600 s), this writes a small failure record so
  that the next poll answers 500 with the cause.
"""

from __future__ import annotations

import json
import os
import threading
from decimal import Decimal
from typing import Any

from sfasync_service import instrument

ASYNC_PAYLOAD_LIMIT = 1024 * 1024  # Lambda asynchronous invocation payload (since late 2025)
BATCH_HEADER = "sf-external-function-query-batch-id"
IN_PROGRESS, COMPLETED, FAILED = "in-progress", "completed", "failed"

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def _client(service: str) -> Any:
    with _lock:
        if service not in _clients:
            import boto3

            _clients[service] = instrument.client(boto3.client(service))
        return _clients[service]


def _table() -> str:
    return os.environ["JOBS_TABLE"]


def _response(status: int, doc: Any) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(doc)}


def lambda_handler(event: Any, context: Any) -> Any:
    with instrument.invocation(event):
        if "httpMethod" in event:
            method = event["httpMethod"]
            if method == "POST":
                return initiate(event, context)
            if method == "GET":
                return poll(event)
            return _response(405, {"error": "method not allowed"})
        return process(event)


def _batch_id(event: dict[str, Any]) -> str:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    return str(headers[BATCH_HEADER])


def _function(event: dict[str, Any]) -> str:
    return str((event.get("pathParameters") or {}).get("function") or "sentiment")


def initiate(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from sfasync_service.app import runtime  # the server's invoker (Lambda's own on AWS)

    batch_id = _batch_id(event)
    rows = json.loads(event["body"])["data"]
    _client("dynamodb").put_item(
        TableName=_table(), Item={"batch_id": {"S": batch_id}, "status": {"S": IN_PROGRESS}}
    )
    payload = {"baseline": "process", "batch_id": batch_id, "function": _function(event), "data": rows}
    size = len(json.dumps(payload))
    if size > ASYNC_PAYLOAD_LIMIT:
        return _response(
            502,
            {
                "error": f"asynchronous invoke refused: payload of {size / 1e6:.1f} MB exceeds "
                f"Lambda's {ASYNC_PAYLOAD_LIMIT / 2**20:.0f} MB limit"
            },
        )
    runtime().invoker.invoke_async(payload, context)
    return _response(202, {"status": IN_PROGRESS})


def _values(function: str, rows: list[list[Any]]) -> list[Any]:
    args = [row[1:] for row in rows]
    if function == "echo":
        return [a[0] if len(a) == 1 else a for a in args]
    if function != "sentiment":
        raise ValueError(f"the baseline knows echo and sentiment, not {function!r}")
    if os.environ.get("SENTIMENT_ENGINE", "comprehend") == "lexicon":
        from sfasync_service.processors.sentiment import lexicon_score

        return [lexicon_score(str(a[0])) if a and a[0] else None for a in args]
    comprehend = _client("comprehend")
    values: list[Any] = []
    for a in args:
        if not a or not a[0]:
            values.append(None)
            continue
        got = comprehend.detect_sentiment(Text=str(a[0]), LanguageCode="en")
        values.append(got["SentimentScore"])
    return values


def process(event: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer
    from botocore.exceptions import ClientError

    batch_id, rows = event["batch_id"], event["data"]
    values = _values(event["function"], rows)
    plain = json.loads(
        json.dumps([[row[0], v] for row, v in zip(rows, values, strict=True)]), parse_float=Decimal
    )
    item = {
        "batch_id": {"S": batch_id},
        "status": {"S": COMPLETED},
        "data": TypeSerializer().serialize(plain),
    }
    dynamodb = _client("dynamodb")
    try:
        dynamodb.put_item(TableName=_table(), Item=item)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ValidationException":
            raise
        cause = f"result not stored: {exc.response['Error'].get('Message', exc)}"
        dynamodb.put_item(
            TableName=_table(),
            Item={"batch_id": {"S": batch_id}, "status": {"S": FAILED}, "cause": {"S": cause}},
        )
        return {"processed": False, "cause": cause}
    return {"processed": True}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value).__name__)


def poll(event: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    got = _client("dynamodb").get_item(
        TableName=_table(), Key={"batch_id": {"S": _batch_id(event)}}, ConsistentRead=True
    )
    item = got.get("Item")
    if item is None:
        return _response(404, {"error": "unknown batch id"})
    status = item["status"]["S"]
    if status == IN_PROGRESS:
        return _response(202, {"status": status})
    if status == FAILED:
        return _response(500, {"error": item["cause"]["S"]})
    data = TypeDeserializer().deserialize(item["data"])
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"data": data}, default=_plain),
    }


def provision(client: Any, table: str) -> None:
    """The sample's table: on-demand, key ``batch_id``; no TTL."""
    client.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "batch_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "batch_id", "KeyType": "HASH"}],
    )
    client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
