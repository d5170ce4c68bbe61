"""The applies against moto take about a minute, mostly spent in the provider's pollers; they are
started in the background as soon as the Terraform tests begin (when any apply test is selected),
so that the static tests run meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from tests.terraform import tf
from tests.terraform.stacks import BACKENDS, Deployment, apply, build_zip

APPLY_TESTS = "test_terraform_moto.py"


@pytest.fixture(scope="session", autouse=True)
def applied_stacks(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[Any]]]:
    """backend => future of (Deployment, outputs): every backend applied at once, each in its own
    copy of the root and against its own moto server. The tests look, then destroy."""
    if not any(item.path.name == APPLY_TESTS for item in request.session.items):
        yield {}
        return
    lambda_zip = build_zip(tmp_path_factory.mktemp("zip") / "lambda.zip")
    deployments: dict[str, Deployment] = {}
    try:
        for backend in BACKENDS:
            root = tf.copy_root(tmp_path_factory.mktemp(backend) / "terraform")
            deployments[backend] = Deployment(root, backend, lambda_zip)
        with ThreadPoolExecutor(max_workers=len(BACKENDS)) as pool:
            yield {b: pool.submit(apply, d) for b, d in deployments.items()}
    finally:
        for d in deployments.values():
            d.moto.stop()
