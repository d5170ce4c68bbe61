"""S3 adapter.

Every object lives under ``<prefix><job key>/``: ``job`` (the record), ``outcome-<n>`` and
``input-<n>``. Creation uses ``If-None-Match: *`` and every update ``If-Match: <ETag>`` (S3
conditional writes), so no read-then-write race can lose an update; S3 reads are strongly
consistent. Each object carries its expiry as ``x-amz-meta-expires-at``; the bucket's
lifecycle rule is the backstop that deletes anything under the prefix after a day.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ._aws import error_code, unavailable
from .base import JobStore

EXPIRES = "expires-at"


class _Precondition(Exception):
    pass


class S3JobStore(JobStore):
    name = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str = "jobs/") -> None:
        if not bucket:
            raise ValueError("the s3 backend needs a bucket name (JOBS_BUCKET / --bucket)")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _object(self, key: str, part: str) -> str:
        return f"{self.prefix}{key}/{part}"

    def _create(self, key: str, part: str, data: bytes, expires_at: int) -> Any | None:
        try:
            return self._put(key, part, data, expires_at, IfNoneMatch="*")
        except _Precondition:
            return None

    def _replace(self, key: str, part: str, data: bytes, expires_at: int, token: Any) -> Any | None:
        try:
            return self._put(key, part, data, expires_at, IfMatch=token)
        except _Precondition:
            return None

    def _read(self, key: str, part: str) -> tuple[bytes, Any] | None:
        try:
            got = self._call("get_object", Key=self._object(key, part))
            return got["Body"].read(), got["ETag"]
        except _Precondition:
            return None

    def _delete_part(self, key: str, part: str) -> None:
        self._call("delete_object", Key=self._object(key, part))

    def _delete_all(self, key: str) -> None:
        self._delete_objects([obj["Key"] for obj in self._list(f"{self.prefix}{key}/")])

    def sweep(self, now: float | None = None) -> int:
        """Delete every job whose record has expired, and parts left without a record."""
        now = time.time() if now is None else now
        groups: dict[str, list[str]] = defaultdict(list)
        for obj in self._list(self.prefix):
            job_key, _, _part = obj["Key"][len(self.prefix) :].partition("/")
            groups[job_key].append(obj["Key"])
        doomed: list[str] = []
        for job_key, keys in groups.items():
            record = self._object(job_key, "job")
            heads = [record] if record in keys else keys
            if all(self._expiry(k) <= now for k in heads):
                doomed += keys
        self._delete_objects(doomed)
        return len(doomed)

    # -- helpers --------------------------------------------------------------------------------
    def _put(self, key: str, part: str, data: bytes, expires_at: int, **condition: Any) -> Any:
        got = self._call(
            "put_object",
            Key=self._object(key, part),
            Body=data,
            Metadata={EXPIRES: str(int(expires_at))},
            **condition,
        )
        return got["ETag"]

    def _expiry(self, object_key: str) -> float:
        try:
            meta = self._call("head_object", Key=object_key).get("Metadata", {})
        except _Precondition:
            return float("-inf")
        try:
            return float(meta.get(EXPIRES, "-inf"))
        except ValueError:
            return float("-inf")

    def _list(self, prefix: str) -> list[dict[str, Any]]:
        objects: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"Prefix": prefix}
        while True:
            page = self._call("list_objects_v2", **kwargs)
            objects += page.get("Contents", [])
            if not page.get("IsTruncated"):
                return objects
            kwargs["ContinuationToken"] = page["NextContinuationToken"]

    def _delete_objects(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            self._call("delete_objects", Delete={"Objects": batch, "Quiet": True})

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            code = error_code(exc)
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            # 412: the condition did not hold; 404 / NoSuchKey: nothing there.
            if code in ("PreconditionFailed", "NoSuchKey", "404", "NotFound") or status in (404, 412):
                raise _Precondition from exc
            raise unavailable(exc, f"S3 {operation} in {self.bucket}") from exc
        except BotoCoreError as exc:
            raise unavailable(exc, f"S3 {operation} in {self.bucket}") from exc


def provision(client: Any, bucket: str, prefix: str = "jobs/", region: str | None = None) -> None:
    """Create the bucket as Terraform does: private, encrypted, lifecycle expiry on the prefix."""
    try:
        kwargs: dict[str, Any] = {"Bucket": bucket}
        if region and region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        client.create_bucket(**kwargs)
    except ClientError as exc:
        if error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    client.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    client.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    client.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-jobs",
                    "Status": "Enabled",
                    "Filter": {"Prefix": prefix},
                    "Expiration": {"Days": 1},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )
