"""A moto server that Terraform's AWS provider can apply the whole stack against.

Started in-process on a free port. Two differences between moto 5.2.5 and AWS matter to the
provider and are bridged here, nothing else is changed:

- AWS returns a REST API's resource policy JSON-escaped (``{\\"Version\\": ...}``) and the provider
  unescapes it; moto returns it raw, which the provider cannot parse after an apply.
- AWS managed policies (``AmazonAPIGatewayPushToCloudWatchLogs``) exist only when moto is asked to
  load them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Read by moto when its IAM backend is created.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.apigateway import models as apigateway_models
from moto.server import ThreadedMotoServer

SERVICES = ("apigateway", "cloudwatchlogs", "dynamodb", "ec2", "efs", "events", "iam", "lambda", "s3", "sts")

_original_to_dict = apigateway_models.RestAPI.to_dict


def _to_dict_with_escaped_policy(self: Any) -> dict[str, Any]:
    result = _original_to_dict(self)
    policy = result.get("policy")
    if policy:
        result["policy"] = policy.replace("\\", "\\\\").replace('"', '\\"')
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """Yield the endpoint URL of a fresh moto server; stop it afterwards."""
    apigateway_models.RestAPI.to_dict = _to_dict_with_escaped_policy  # type: ignore[method-assign]
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        apigateway_models.RestAPI.to_dict = _original_to_dict  # type: ignore[method-assign]


def provider_override(endpoint: str) -> str:
    """HCL of a provider_override.tf that points the root's aws provider at ``endpoint``."""
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    return f"""provider "aws" {{
  region                      = var.aws_region
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {{
{endpoints}
  }}
}}
"""


class MotoProcess:
    """A moto server in a process of its own (moto's state is global to a process, so stacks
    applied concurrently each get one). Prints its URL on the first line of stdout."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.terraform.moto_aws"],
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.stop()
            raise RuntimeError(f"moto server did not start (exit {self.proc.returncode})")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


if __name__ == "__main__":
    # Serve until terminated.
    with moto_server() as url:
        print(url, flush=True)
        threading.Event().wait()
