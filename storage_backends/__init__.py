"""Storage adapters behind one port (``base.JobStore``) and a registry of backend names."""

from __future__ import annotations

from typing import Any

from .base import Job, JobStatus, JobStore, Outcome, StorageError, StorageUnavailable, UnknownBackend

BACKENDS = ("dynamodb", "s3", "efs", "memory")

__all__ = [
    "BACKENDS",
    "Job",
    "JobStatus",
    "JobStore",
    "Outcome",
    "StorageError",
    "StorageUnavailable",
    "UnknownBackend",
    "create_store",
    "provision",
]


def _check(backend: str) -> str:
    name = (backend or "").strip().lower()
    if name not in BACKENDS:
        raise UnknownBackend(f"unknown storage backend {backend!r}; valid backends: {', '.join(BACKENDS)}")
    return name


def create_store(
    backend: str,
    *,
    table: str = "",
    bucket: str = "",
    prefix: str = "jobs/",
    directory: str = "",
    region: str | None = None,
    endpoint_url: str | None = None,
    client: Any = None,
) -> JobStore:
    """Build the adapter for ``backend``. AWS clients are created here, once, unless injected;
    ``endpoint_url`` (or the standard AWS_ENDPOINT_URL variables) points them at an emulator."""
    name = _check(backend)
    if name == "memory":
        from .memory import MemoryJobStore

        return MemoryJobStore()
    if name == "efs":
        from .efs import EFSJobStore

        return EFSJobStore(directory)
    from . import _aws

    if name == "dynamodb":
        from .dynamodb import DynamoDBJobStore

        return DynamoDBJobStore(
            client or _aws.client("dynamodb", region=region, endpoint_url=endpoint_url), table
        )
    from .s3 import S3JobStore

    return S3JobStore(client or _aws.client("s3", region=region, endpoint_url=endpoint_url), bucket, prefix)


def provision(
    backend: str,
    *,
    table: str = "",
    bucket: str = "",
    prefix: str = "jobs/",
    directory: str = "",
    region: str | None = None,
    endpoint_url: str | None = None,
) -> None:
    """Create the table / bucket / folder with the schema and settings Terraform uses."""
    name = _check(backend)
    if name == "memory":
        return
    if name == "efs":
        from .efs import provision as make_folder

        make_folder(directory)
        return
    from . import _aws

    if name == "dynamodb":
        from .dynamodb import provision as make_table

        make_table(_aws.client("dynamodb", region=region, endpoint_url=endpoint_url), table)
        return
    from .s3 import provision as make_bucket

    make_bucket(_aws.client("s3", region=region, endpoint_url=endpoint_url), bucket, prefix, region)
