"""Settings from the environment (SPEC §7). Nothing region-, account- or name-specific lives in code."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


@dataclass(frozen=True)
class Config:
    storage_backend: str = "efs"
    jobs_table: str = ""
    jobs_bucket: str = ""
    jobs_prefix: str = "jobs/"
    jobs_dir: str = ".sfasync/jobs"
    # How long a delivered (or failed) batch stays readable: Snowflake may repeat a GET.
    result_retention_seconds: int = 600
    # Lifetime of a record nobody polls any more (abandoned jobs); Snowflake gives up after 600 s.
    job_ttl_seconds: int = 3600
    # Longest a processing invocation may run (the Lambda timeout on AWS).
    process_timeout_seconds: int = 300
    # Added to the processing timeout to form the job's deadline (async dispatch delay, retries).
    deadline_margin_seconds: int = 60
    sentiment_engine: str = "comprehend"
    default_function: str = "sentiment"
    extra_functions: str = ""
    # A POST whose process event would exceed this many bytes stages its input in storage.
    # Lambda's asynchronous invoke limit is 1 MB (256 KB before late 2025); stay well under.
    async_payload_limit_bytes: int = 128 * 1024
    # Request bodies above this are refused with 413 (API Gateway REST allows 10 MB).
    max_body_bytes: int = 10 * 1024 * 1024
    # Responses whose JSON body is larger than this are sent gzip-compressed (base64) so that they
    # stay under Lambda's 6 MB synchronous response limit.
    gzip_response_over_bytes: int = 1024 * 1024
    aws_region: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        backend = env.get("STORAGE_BACKEND", "efs").strip().lower() or "efs"
        engine = env.get("SENTIMENT_ENGINE", "comprehend").strip().lower() or "comprehend"
        if engine not in ("comprehend", "lexicon"):
            raise ConfigError(f"SENTIMENT_ENGINE must be 'comprehend' or 'lexicon', got {engine!r}")
        retention = _int(env, "RESULT_RETENTION_SECONDS", 600, minimum=1)
        timeout = _int(env, "PROCESS_TIMEOUT_SECONDS", 300, minimum=1)
        return cls(
            storage_backend=backend,
            jobs_table=env.get("JOBS_TABLE", ""),
            jobs_bucket=env.get("JOBS_BUCKET", ""),
            jobs_prefix=env.get("JOBS_PREFIX", "jobs/"),
            jobs_dir=env.get("JOBS_DIR", ".sfasync/jobs"),
            result_retention_seconds=retention,
            job_ttl_seconds=_int(env, "JOB_TTL_SECONDS", max(3600, 2 * timeout), minimum=1),
            process_timeout_seconds=timeout,
            deadline_margin_seconds=_int(env, "DEADLINE_MARGIN_SECONDS", 60, minimum=0),
            sentiment_engine=engine,
            default_function=env.get("DEFAULT_FUNCTION", "sentiment").strip() or "sentiment",
            extra_functions=env.get("EXTRA_FUNCTIONS", ""),
            async_payload_limit_bytes=_int(env, "ASYNC_PAYLOAD_LIMIT_BYTES", 128 * 1024, minimum=1024),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", 10 * 1024 * 1024, minimum=1),
            gzip_response_over_bytes=_int(env, "GZIP_RESPONSE_OVER_BYTES", 1024 * 1024, minimum=0),
            aws_region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "")),
            extra=dict(env),
        )
