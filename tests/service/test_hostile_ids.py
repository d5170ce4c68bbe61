"""Batch ids are opaque: no id, however hostile, puts a file or key outside the configured place."""

from __future__ import annotations

import pytest

from .harness import Harness, body_of

HOSTILE = [
    "../../../../tmp/escape",
    "/etc/passwd",
    "..",
    "a/../../b",
    "x" * 3000,
    "δοκιμή-批次-🙂",
    "\x00nul",
    "%2e%2e%2f",
]


@pytest.mark.parametrize("kind", ["efs", "dynamodb-inprocess", "s3-inprocess"])
def test_hostile_batch_ids_stay_inside(kind, tmp_path):
    from moto import mock_aws

    from ..conftest import make_store

    with mock_aws():
        store = make_store(kind, tmp_path / "inside")
        h = Harness(store)
        for i, batch_id in enumerate(HOSTILE):
            assert h.post([[0, i]], batch_id=batch_id)["statusCode"] == 202
        h.run_pending()
        for i, batch_id in enumerate(HOSTILE):
            assert body_of(h.get(batch_id=batch_id)) == {"data": [[0, i]]}
        if kind == "efs":
            outside = [p for p in tmp_path.rglob("*") if not str(p).startswith(str(tmp_path / "inside"))]
            assert outside == []
            names = [p.name for p in (tmp_path / "inside").rglob("*")]
            assert not any("escape" in n or "passwd" in n for n in names)
        elif kind.startswith("s3"):
            keys = [o["Key"] for o in store.client.list_objects_v2(Bucket=store.bucket)["Contents"]]
            assert keys and all(k.startswith("jobs/") and ".." not in k for k in keys)
            buckets = store.client.list_buckets()["Buckets"]
            assert [b["Name"] for b in buckets] == [store.bucket]
        else:
            items = store.client.scan(TableName=store.table)["Items"]
            assert len({i["pk"]["S"] for i in items}) == len(HOSTILE)
            assert all(len(i["pk"]["S"]) == 64 for i in items)
            assert len(store.client.list_tables()["TableNames"]) == 1
