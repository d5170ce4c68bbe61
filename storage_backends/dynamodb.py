"""DynamoDB adapter.

Table layout (Terraform's ``modules/storage_dynamodb`` creates the same): partition key ``pk``
(the job key), sort key ``sk`` (the part name), binary attribute ``d`` (the part's bytes),
number ``v`` (version, the compare-and-swap token), number ``expires_at`` (epoch seconds, the
table's TTL attribute) and, for a part larger than one item, ``n`` (its number of items): the
head item ``sk=<part>`` holds the first piece, ``sk=<part>#00001`` ... the rest. All reads are
strongly consistent.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ._aws import unavailable
from .base import Job, JobStore, chunks, outcome_part

# DynamoDB items are limited to 400 KB including attribute names; leave room for the key.
PIECE_BYTES = 380 * 1024


def _piece_sk(part: str, n: int) -> str:
    return part if n == 0 else f"{part}#{n:05d}"


class DynamoDBJobStore(JobStore):
    name = "dynamodb"

    def __init__(self, client: Any, table: str) -> None:
        if not table:
            raise ValueError("the dynamodb backend needs a table name (JOBS_TABLE / --table)")
        self.client = client
        self.table = table

    # -- primitives ---------------------------------------------------------------------------
    def _create(self, key: str, part: str, data: bytes, expires_at: int) -> Any | None:
        pieces = list(chunks(data, PIECE_BYTES))
        # Timeline: the extra pieces are written first and only the head's conditional put
        # publishes the part, so a reader never sees half of it.
        for n, piece in enumerate(pieces[1:], start=1):
            self._call("put_item", Item=self._item(key, _piece_sk(part, n), piece, expires_at))
        head = self._item(key, part, pieces[0], expires_at, version=1, count=len(pieces))
        try:
            self._call("put_item", Item=head, ConditionExpression="attribute_not_exists(pk)")
        except _ConditionFailed:
            return None
        return 1

    def _replace(self, key: str, part: str, data: bytes, expires_at: int, token: Any) -> Any | None:
        if len(data) > PIECE_BYTES:
            raise ValueError("only single-item parts (the job record) are replaced")
        item = self._item(key, part, data, expires_at, version=int(token) + 1, count=1)
        try:
            self._call(
                "put_item",
                Item=item,
                ConditionExpression="v = :v",
                ExpressionAttributeValues={":v": {"N": str(int(token))}},
            )
        except _ConditionFailed:
            return None
        return int(token) + 1

    def _read(self, key: str, part: str) -> tuple[bytes, Any] | None:
        got = self._call("get_item", Key=self._key(key, part), ConsistentRead=True).get("Item")
        if got is None:
            return None
        return self._assemble(key, part, got), int(got["v"]["N"])

    def load(self, key: str) -> Job | None:
        """One strongly consistent Query returns the job record and its outcome(s): a poll is
        one request. (Staged input items sort before ``job`` and are not read.)"""
        page = self._all(
            "query",
            KeyConditionExpression="pk = :pk AND sk >= :job",
            ExpressionAttributeValues={":pk": {"S": key}, ":job": {"S": "job"}},
            ConsistentRead=True,
        )
        items = {item["sk"]["S"]: item for item in page}
        head = items.get("job")
        if head is None:
            return None
        job = Job.from_bytes(head["d"]["B"], token=int(head["v"]["N"]))
        part = outcome_part(job.attempt)
        found = None
        if part in items:
            pieces = [items[part]["d"]["B"]]
            count = int(items[part].get("n", {"N": "1"})["N"])
            pieces += [items[_piece_sk(part, n)]["d"]["B"] for n in range(1, count)]
            found = (b"".join(pieces), None)
        return self._with_outcome(job, found)

    def _delete_part(self, key: str, part: str) -> None:
        old = self._call("delete_item", Key=self._key(key, part), ReturnValues="ALL_OLD").get("Attributes")
        count = int(old.get("n", {"N": "1"})["N"]) if old else 1
        self._delete_keys([(key, _piece_sk(part, n)) for n in range(1, count)])

    def _delete_all(self, key: str) -> None:
        items = self._all(
            "query",
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": key}},
            ProjectionExpression="pk, sk",
        )
        keys = [(item["pk"]["S"], item["sk"]["S"]) for item in items]
        self._delete_keys(keys)

    def sweep(self, now: float | None = None) -> int:
        """TTL deletes expired items on AWS (within days); this removes them now. A job whose
        record has expired goes whole (its outcome and input items may expire later)."""
        now = time.time() if now is None else now
        items = self._all(
            "scan",
            FilterExpression="expires_at <= :now",
            ExpressionAttributeValues={":now": {"N": str(int(now))}},
            ProjectionExpression="pk, sk",
        )
        expired_jobs = {item["pk"]["S"] for item in items if item["sk"]["S"] == "job"}
        for key in expired_jobs:
            self._delete_all(key)
        orphans = [(i["pk"]["S"], i["sk"]["S"]) for i in items if i["pk"]["S"] not in expired_jobs]
        self._delete_keys(orphans)
        return len(expired_jobs) + len(orphans)

    # -- helpers --------------------------------------------------------------------------------
    def _assemble(self, key: str, part: str, head: dict[str, Any]) -> bytes:
        count = int(head.get("n", {"N": "1"})["N"])
        if count == 1:
            return bytes(head["d"]["B"])
        pieces = [head["d"]["B"]]
        found = self._all(
            "query",
            KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":pk": {"S": key},
                ":first": {"S": _piece_sk(part, 1)},
                ":last": {"S": _piece_sk(part, count - 1)},
            },
            ConsistentRead=True,
        )
        items = {item["sk"]["S"]: item for item in found}
        try:
            pieces += [items[_piece_sk(part, n)]["d"]["B"] for n in range(1, count)]
        except KeyError as exc:
            raise unavailable(exc, f"part {part} of {key[:12]} is incomplete") from exc
        return b"".join(pieces)

    def _all(self, operation: str, **kwargs: Any) -> list[dict[str, Any]]:
        """Every item of a paginated query or scan."""
        items: list[dict[str, Any]] = []
        while True:
            page = self._call(operation, **kwargs)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _delete_keys(self, keys: list[tuple[str, str]]) -> None:
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": self._key(pk, sk)}} for pk, sk in keys[start : start + 25]]
            pending: dict[str, Any] = {self.table: requests}
            for attempt in range(5):
                unprocessed = self._call("batch_write_item", RequestItems=pending).get("UnprocessedItems")
                if not unprocessed:
                    break
                pending = unprocessed
                time.sleep(0.05 * 2**attempt)

    @staticmethod
    def _key(pk: str, sk: str) -> dict[str, Any]:
        return {"pk": {"S": pk}, "sk": {"S": sk}}

    def _item(
        self, key: str, sk: str, data: bytes, expires_at: int, version: int = 1, count: int = 1
    ) -> dict[str, Any]:
        item = {**self._key(key, sk), "d": {"B": data}, "expires_at": {"N": str(int(expires_at))}}
        item["v"] = {"N": str(version)}
        if count > 1:
            item["n"] = {"N": str(count)}
        return item

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        if operation != "batch_write_item":
            kwargs["TableName"] = self.table
        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise _ConditionFailed from exc
            raise unavailable(exc, f"DynamoDB {operation} on {self.table}") from exc
        except BotoCoreError as exc:
            raise unavailable(exc, f"DynamoDB {operation} on {self.table}") from exc


class _ConditionFailed(Exception):
    pass


def provision(client: Any, table: str) -> None:
    """Create the table as Terraform does: on-demand, pk/sk, TTL on ``expires_at``."""
    try:
        client.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            SSESpecification={"Enabled": True},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
            raise
    client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    ttl = client.describe_time_to_live(TableName=table).get("TimeToLiveDescription", {})
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        client.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )
