"""The cdktf app (cdktf/main.py) synthesizes a complete Terraform root that wraps the HCL module,
for each storage backend, without the Node.js CLI; the result initializes and validates."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.terraform import tf

CDKTF_DIR = tf.REPO / "cdktf"
BACKENDS = ("dynamodb", "s3", "efs")


@pytest.fixture(scope="module", autouse=True)
def cdktf_installed() -> None:
    """cdktf/requirements.txt in the test interpreter (what `make cdktf-install` does)."""
    # By distribution, not by import: the repository's cdktf/ folder imports as a namespace package.
    try:
        installed = importlib.metadata.version("cdktf") == "0.21.0"
    except importlib.metadata.PackageNotFoundError:
        installed = False
    if not installed:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "-r", str(CDKTF_DIR / "requirements.txt")],
            check=True,
        )


def synth(outdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("BACKEND", "SFASYNC_STORAGE_BACKEND")}
    return subprocess.run(
        [sys.executable, "main.py"],
        cwd=CDKTF_DIR,
        env={**clean, "CDKTF_OUTDIR": str(outdir), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stack_json(outdir: Path) -> dict[str, Any]:
    return json.loads((outdir / "stacks" / "sfasync" / "cdk.tf.json").read_text())


def hcl_root_outputs() -> set[str]:
    text = (tf.TERRAFORM_DIR / "outputs.tf").read_text()
    return set(re.findall(r'^output "([a-z_]+)"', text, flags=re.M))


@pytest.mark.parametrize("backend", BACKENDS)
def test_synth_wraps_the_hcl_module_and_validates(backend: str, tmp_path: Path) -> None:
    outdir = tmp_path / "cdktf.out"
    proc = synth(outdir, SFASYNC_STORAGE_BACKEND=backend)
    assert proc.returncode == 0, proc.stderr
    # No Node.js version banner (jsii's end-of-life warning) in the output.
    assert "end-of-life" not in proc.stdout + proc.stderr and "!!!!" not in proc.stderr

    stack_dir = outdir / "stacks" / "sfasync"
    config = stack_json(outdir)
    (name, module), *others = config["module"].items()
    assert others == [] and name == "sfasync"
    assert (stack_dir / module["source"]).resolve() == tf.TERRAFORM_DIR / "modules" / "sfasync"
    assert module["storage_backend"] == backend
    # The HCL module is the single source of truth: the stack defines no resource of its own.
    assert "resource" not in config and "data" not in config
    assert config["terraform"]["required_providers"]["aws"] == {
        "source": "hashicorp/aws",
        "version": "~> 5.100",
    }
    assert config["provider"]["aws"][0]["region"] == "${var.aws_region}"
    assert set(config["output"]) == hcl_root_outputs()
    assert all(o["value"] == f"${{module.sfasync.{n}}}" for n, o in config["output"].items())
    # The zip `make package` builds, seen from the stack's folder.
    zip_default = config["variable"]["lambda_zip"]["default"]
    assert (stack_dir / zip_default).resolve() == tf.REPO / "build" / "lambda.zip"
    # The state lives outside cdktf.out/, which a new synth may replace.
    state = config["terraform"]["backend"]["local"]["path"]
    assert (stack_dir / state).resolve() == CDKTF_DIR / "terraform.sfasync.tfstate"
    # Until step two of the Snowflake setup, nothing has to be set.
    for var in ("snowflake_api_aws_iam_user_arn", "snowflake_api_aws_external_id"):
        assert config["variable"][var]["default"] is None

    tf.init(stack_dir)
    tf.run(["validate"], stack_dir)


def test_backend_from_the_context(tmp_path: Path) -> None:
    outdir = tmp_path / "cdktf.out"
    proc = synth(outdir, CDKTF_CONTEXT_JSON=json.dumps({"storageBackend": "s3"}))
    assert proc.returncode == 0, proc.stderr
    assert stack_json(outdir)["module"]["sfasync"]["storage_backend"] == "s3"


def test_backend_from_make_variable(tmp_path: Path) -> None:
    outdir = tmp_path / "cdktf.out"
    proc = synth(outdir, BACKEND="efs")
    assert proc.returncode == 0, proc.stderr
    assert stack_json(outdir)["module"]["sfasync"]["storage_backend"] == "efs"


@pytest.mark.parametrize("env", [{"SFASYNC_STORAGE_BACKEND": "redis"}, {}], ids=["unknown", "missing"])
def test_invalid_backend_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    outdir = tmp_path / "cdktf.out"
    proc = synth(outdir, **env)
    assert proc.returncode == 2
    assert "dynamodb, s3, efs" in proc.stderr
    if env:
        assert "'redis' is not one of" in proc.stderr
    assert not (outdir / "stacks" / "sfasync" / "cdk.tf.json").exists()
