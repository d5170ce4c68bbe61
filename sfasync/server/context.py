"""A Lambda-like context object for invocations made by the local server."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

FUNCTION_NAME = "sfasync-local"
FUNCTION_ARN = f"arn:aws:lambda:local:000000000000:function:{FUNCTION_NAME}"


@dataclass
class LocalContext:
    """What the handler reads from Lambda's context: ARN, name, request id and the time left."""

    timeout_seconds: float
    function_name: str = FUNCTION_NAME
    invoked_function_arn: str = FUNCTION_ARN
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: str = "1024"
    function_version: str = "$LATEST"
    log_group_name: str = f"/aws/lambda/{FUNCTION_NAME}"
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        left = self.timeout_seconds - (time.monotonic() - self._started)
        return max(0, int(left * 1000))
