"""The cost model: what one batch costs on AWS, from its measured requests and ``prices``.

- storage: the backend's request charges (DynamoDB units; S3 requests; EFS bytes moved) plus the
  bytes it wrote, kept for the backend's residence time (``ASSUMPTIONS``);
- requests: API Gateway (the POST and every poll), Lambda requests (POST, polls, the processing
  invocation) and Lambda GB-seconds (the measured duration of each, at the assumed memory size);
- comprehend: the units of every document sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sfasync.bench.prices import ASSUMPTIONS, PRICES

GIB = 2**30
# S3 bills these at the PUT rate, DELETE for free, everything else at the GET rate.
S3_PUT_CLASS = frozenset(
    {"PutObject", "CopyObject", "PostObject", "ListObjectsV2", "ListObjects", "DeleteObjects"}
)
S3_FREE = frozenset({"DeleteObject"})


def usd(name: str) -> float:
    return float(PRICES[name]["usd"])


@dataclass
class BatchUsage:
    """What one batch consumed (averages over the batches of a run)."""

    backend: str
    impl: str
    storage_requests: dict[str, float]
    bytes_written: float
    bytes_read: float
    write_units: float
    read_units: float
    api_requests: float
    lambda_invocations: float
    lambda_seconds: float  # billed duration, summed over the invocations
    comprehend_units: float


def storage_cost(usage: BatchUsage) -> float:
    hours = ASSUMPTIONS["residence_hours"]["baseline" if usage.impl == "baseline" else usage.backend]
    gb_months = usage.bytes_written / GIB * hours / ASSUMPTIONS["hours_per_month"]
    if usage.backend == "dynamodb":
        return (
            usage.write_units * usd("dynamodb_write_request_unit")
            + usage.read_units * usd("dynamodb_read_request_unit")
            + gb_months * usd("dynamodb_storage_gb_month")
        )
    if usage.backend == "s3":
        requests = 0.0
        for operation, count in usage.storage_requests.items():
            if operation in S3_PUT_CLASS:
                requests += count * usd("s3_put_request")
            elif operation not in S3_FREE:
                requests += count * usd("s3_get_request")
        return requests + gb_months * usd("s3_storage_gb_month")
    if usage.backend == "efs":
        return (
            usage.bytes_written / GIB * usd("efs_write_gb")
            + usage.bytes_read / GIB * usd("efs_read_gb")
            + gb_months * usd("efs_storage_gb_month")
        )
    raise ValueError(f"no cost model for backend {usage.backend!r}")


def requests_cost(usage: BatchUsage) -> float:
    memory_gb = ASSUMPTIONS["lambda_memory_mb"] / 1024
    return (
        usage.api_requests * usd("api_gateway_rest_request")
        + usage.lambda_invocations * usd("lambda_request")
        + usage.lambda_seconds * memory_gb * usd("lambda_gb_second")
    )


def per_million_rows(usage: BatchUsage, rows_per_batch: int) -> dict[str, Any]:
    """``{"storage", "requests", "comprehend", "total"}`` in USD per million rows."""
    scale = 1e6 / rows_per_batch
    split = {
        "storage": storage_cost(usage) * scale,
        "requests": requests_cost(usage) * scale,
        "comprehend": usage.comprehend_units * usd("comprehend_unit") * scale,
    }
    split["total"] = sum(split.values())
    return {k: round(v, 6) for k, v in split.items()}


def billed_seconds(duration_s: float) -> float:
    """Lambda bills each invocation's duration rounded up to the millisecond."""
    return math.ceil(duration_s * 1000) / 1000
