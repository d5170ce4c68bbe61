"""The whole root module applied per storage backend, each against a moto server of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from tests.terraform import tf
from tests.terraform.moto_aws import MotoProcess, provider_override

REGION = "eu-west-1"
BACKENDS = ("dynamodb", "s3", "efs")


def build_zip(dest: Path) -> Path:
    """A fresh build/lambda.zip from the current sources (what `make package` builds; never a
    stale build/)."""
    subprocess.run([sys.executable, "-m", "sfasync.packaging", "--out", str(dest)], check=True, cwd=tf.REPO)
    return dest


class Deployment:
    """The root module applied for one backend against a moto server of its own."""

    def __init__(self, root: Path, backend: str, zip_path: Path) -> None:
        self.root, self.backend = root, backend
        self.vars = [
            "-var",
            f"storage_backend={backend}",
            "-var",
            f"lambda_zip={zip_path}",
            "-var",
            f"aws_region={REGION}",
        ]
        self.moto = MotoProcess()
        self.endpoint = self.moto.url

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def apply(self) -> dict[str, Any]:
        (self.root / "provider_override.tf").write_text(provider_override(self.endpoint))
        tf.init(self.root)
        tf.run(["apply", "-auto-approve", "-input=false", *self.vars], self.root)
        return tf.outputs(self.root)

    def destroy(self) -> None:
        tf.run(["destroy", "-auto-approve", "-input=false", *self.vars], self.root)


def apply(d: Deployment) -> tuple[Deployment, dict[str, Any]]:
    return d, d.apply()
