"""End-to-end fixtures: a real ``sfasync serve`` subprocess per backend (module-scoped), DynamoDB and
S3 on the session's moto server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.harness import ServerProcess, Storage

BACKENDS = ["efs", "dynamodb", "s3"]
# Short enough that a crashed or hung worker turns into a 500 within seconds.
STRICT_TIMEOUTS = {"PROCESS_TIMEOUT_SECONDS": "2", "DEADLINE_MARGIN_SECONDS": "1"}


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def storage_factory(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    def make() -> Storage:
        moto = request.getfixturevalue("moto_server") if backend != "efs" else None
        return Storage(backend, tmp_path_factory.mktemp(f"{backend}-jobs"), moto)

    return make


def _server(backend: str, request: pytest.FixtureRequest, tmp_path_factory, env: dict[str, str]):
    moto = request.getfixturevalue("moto_server") if backend != "efs" else None
    storage = Storage(backend, tmp_path_factory.mktemp(f"{backend}-jobs"), moto)
    workdir = tmp_path_factory.mktemp(f"{backend}-server")
    return ServerProcess(storage, workdir, env=env, args=["--concurrency", "8"])


@pytest.fixture(scope="module")
def endpoint(backend: str, request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[ServerProcess]:
    """The local endpoint with generous timeouts."""
    server = _server(backend, request, tmp_path_factory, {"PROCESS_TIMEOUT_SECONDS": "60"})
    try:
        yield server.wait_ready()
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def strict_endpoint(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory
) -> Iterator[ServerProcess]:
    """The local endpoint with PROCESS_TIMEOUT_SECONDS=2 and DEADLINE_MARGIN_SECONDS=1."""
    server = _server(backend, request, tmp_path_factory, STRICT_TIMEOUTS)
    try:
        yield server.wait_ready()
    finally:
        server.cleanup()
