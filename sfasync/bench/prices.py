"""The dated price and latency table the benchmark's cost model and latency model use.

Prices: us-east-1, on-demand, as collected in ``REFERENCE.md`` (2026-12) from the AWS pricing
pages named in each entry. Check the source before relying on a figure; update ``DATE`` with it.
"""

from __future__ import annotations

from typing import Any

DATE = "2026-12-01"
REGION = "us-east-1"

PRICES: dict[str, dict[str, Any]] = {
    "dynamodb_write_request_unit": {
        "usd": 0.625e-6,
        "unit": "write request unit (1 KB)",
        "source": "aws.amazon.com/dynamodb/pricing/on-demand (after the 50% cut of 2024-11-01)",
    },
    "dynamodb_read_request_unit": {
        "usd": 0.125e-6,
        "unit": "read request unit (4 KB strongly consistent)",
        "source": "aws.amazon.com/dynamodb/pricing/on-demand",
    },
    "dynamodb_storage_gb_month": {
        "usd": 0.25,
        "unit": "GB-month (Standard table class; first 25 GB free, ignored here)",
        "source": "aws.amazon.com/dynamodb/pricing/on-demand (not in REFERENCE.md: verify)",
    },
    "s3_put_request": {
        "usd": 0.005 / 1000,
        "unit": "PUT, COPY, POST or LIST request (S3 Standard)",
        "source": "aws.amazon.com/s3/pricing",
    },
    "s3_get_request": {
        "usd": 0.0004 / 1000,
        "unit": "GET and all other requests (S3 Standard)",
        "source": "aws.amazon.com/s3/pricing",
    },
    "s3_storage_gb_month": {
        "usd": 0.023,
        "unit": "GB-month (S3 Standard)",
        "source": "aws.amazon.com/s3/pricing",
    },
    "efs_storage_gb_month": {
        "usd": 0.30,
        "unit": "GB-month (EFS Standard)",
        "source": "aws.amazon.com/efs/pricing",
    },
    "efs_read_gb": {
        "usd": 0.03,
        "unit": "GB read (Elastic throughput)",
        "source": "aws.amazon.com/efs/pricing",
    },
    "efs_write_gb": {
        "usd": 0.06,
        "unit": "GB written (Elastic throughput)",
        "source": "aws.amazon.com/efs/pricing",
    },
    "lambda_request": {"usd": 0.20e-6, "unit": "invocation", "source": "aws.amazon.com/lambda/pricing"},
    "lambda_gb_second": {
        "usd": 0.0000166667,
        "unit": "GB-second (x86)",
        "source": "aws.amazon.com/lambda/pricing",
    },
    "api_gateway_rest_request": {
        "usd": 3.50e-6,
        "unit": "REST API request (first 333 M a month)",
        "source": "aws.amazon.com/api-gateway/pricing",
    },
    "comprehend_unit": {
        "usd": 0.0001,
        "unit": "unit of 100 characters, at least 3 units per document",
        "source": "aws.amazon.com/comprehend/pricing",
    },
}

# What the cost model assumes beyond the prices (each is a choice, stated in the report).
ASSUMPTIONS: dict[str, Any] = {
    # terraform/variables.tf: lambda_memory_mb defaults to 512; x86_64 (no architectures set).
    "lambda_memory_mb": 512,
    # How long a batch's bytes stay stored (billed GB-month) after they are written.
    "residence_hours": {
        # TTL on expires_at; AWS deletes expired items "typically within a few days": 2 days.
        "dynamodb": 48.0,
        # lifecycle expiry after 1 day, applied asynchronously: about 2 days.
        "s3": 48.0,
        # the scheduled sweep removes a delivered batch after RESULT_RETENTION_SECONDS (600 s);
        # with a sweep every hour, at most 1.2 h.
        "efs": 1.2,
        # the documentation's sample never deletes anything: one month per month kept.
        "baseline": 730.0,
    },
    "hours_per_month": 730.0,
}

# Per-request latency (milliseconds) for ``--latency-model aws``: a log-normal distribution with
# the given median and 99th percentile. Where the source gives only an order of magnitude, the
# figures are our reading of it ("assumed").
LATENCIES: dict[str, dict[str, Any]] = {
    "dynamodb": {
        "p50_ms": 5.0,
        "p99_ms": 15.0,
        "source": "DynamoDB developer guide: single-digit milliseconds (p99 assumed)",
    },
    "s3": {
        "p50_ms": 30.0,
        "p99_ms": 120.0,
        "source": "S3 performance guidelines: tens of milliseconds median for small objects (p99 assumed)",
    },
    "efs_read": {
        "p50_ms": 0.6,
        "p99_ms": 3.0,
        "source": "EFS performance page: reads as low as 250 µs (median and p99 assumed)",
    },
    "efs_write": {
        "p50_ms": 4.0,
        "p99_ms": 15.0,
        "source": "EFS performance page: writes as low as 2.7 ms (median and p99 assumed)",
    },
    "comprehend": {
        "p50_ms": 80.0,
        "p99_ms": 300.0,
        "source": "no published figure: assumed (an AWS API call doing model inference)",
    },
    "lambda_async_dispatch": {
        "p50_ms": 73.0,
        "p99_ms": 225.0,
        "source": "bitesizedserverless.com messaging latency comparison (2022): SNS->Lambda "
        "p50 73 ms, p99 225 ms",
    },
}


def table() -> dict[str, Any]:
    """Everything above, as written into ``bench.json``."""
    return {
        "date": DATE,
        "region": REGION,
        "prices": PRICES,
        "assumptions": ASSUMPTIONS,
        "latency_model_aws": LATENCIES,
    }
