"""Imported once by the workers' forkserver: pays the slow parts of a cold start before any fork.

Every worker is forked from the forkserver, so it inherits the imported service code and a default
boto3 session whose service models are already loaded; its first client costs milliseconds
instead of ~0.1 s. Nothing here opens a connection.
"""

from __future__ import annotations

import contextlib
import os

import sfasync_service.app  # noqa: F401 - the handler, processors and adapters

SERVICES = {"dynamodb": "dynamodb", "s3": "s3"}


def _warm_boto3() -> None:
    service = SERVICES.get(os.environ.get("STORAGE_BACKEND", ""))
    if service is None:
        return
    import boto3

    # A client built and thrown away leaves the models, endpoint rules and client class cached
    # in the default session, which the adapters' ``boto3.client(...)`` then reuses.
    boto3.client(service, region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))


with contextlib.suppress(Exception):  # only an optimisation: a worker can load the model itself
    _warm_boto3()
