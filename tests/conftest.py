"""Shared fixtures: fake AWS credentials, a moto server per test session, and a store factory
that yields every backend the contract suite runs against."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import settings

# Never let a test reach a real AWS account.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
)
for _var in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(_var, None)

# Property tests: the "ci" profile (make test) runs a few thousand examples in all; `make fuzz`
# runs the "fuzz" profile, a long campaign.
settings.register_profile("ci", max_examples=1000, deadline=None, print_blob=True)
settings.register_profile("fuzz", max_examples=50_000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

STORE_KINDS = ["memory", "efs", "dynamodb-inprocess", "s3-inprocess", "dynamodb-server", "s3-server"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server over HTTP on a free port, shared by the session: its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def make_store(kind: str, tmp_path, moto_url: str | None = None):  # type: ignore[no-untyped-def]
    import storage_backends

    name = kind.split("-")[0]
    unique = f"sfasync-{uuid.uuid4().hex[:12]}"
    settings = dict(table=unique, bucket=unique, prefix="jobs/", directory=str(tmp_path / "jobs"))
    endpoint = moto_url if kind.endswith("-server") else None
    storage_backends.provision(name, region="us-east-1", endpoint_url=endpoint, **settings)
    return storage_backends.create_store(name, region="us-east-1", endpoint_url=endpoint, **settings)


@pytest.fixture(params=STORE_KINDS)
def store(request, tmp_path):  # type: ignore[no-untyped-def]
    """Every adapter: in-memory, a folder, DynamoDB and S3 through moto in-process and over HTTP."""
    kind = request.param
    if kind.endswith("-inprocess"):
        from moto import mock_aws

        with mock_aws():
            yield make_store(kind, tmp_path)
    elif kind.endswith("-server"):
        yield make_store(kind, tmp_path, request.getfixturevalue("moto_server"))
    else:
        yield make_store(kind, tmp_path)
