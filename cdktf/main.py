"""CDK for Terraform front of sfasync: one stack that wraps the HCL module terraform/modules/sfasync.

No AWS resource is defined here: the HCL module is the single source of truth, this app only adds
the provider (hashicorp/aws, through overrides: no `cdktf get`, no prebuilt bindings) and
re-exports the module's outputs, like the HCL root in terraform/ does.

    SFASYNC_STORAGE_BACKEND=efs python main.py     # or BACKEND=efs, or the storageBackend context
    # -> cdktf.out/stacks/sfasync/cdk.tf.json

CDK for Terraform was archived by its maintainers in December 2025; this app is pinned to its last
release (0.21.0). Plain Terraform (terraform/) is the supported path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def _silence_node_version_banners() -> None:
    """jsii runs on Node.js and prints a large banner when that Node.js is past its end of life
    (silenced per major version) or untested; neither says anything about this app."""
    for name in (
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION",
        "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION",
        "JSII_SILENCE_WARNING_KNOWN_BROKEN_NODE_VERSION",
    ):
        os.environ.setdefault(name, "1")
    node = shutil.which("node")
    if node and "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION" not in os.environ:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout
        major = version.strip().lstrip("v").split(".")[0]
        os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = major


_silence_node_version_banners()

from constructs import Construct  # noqa: E402

from cdktf import (  # noqa: E402 - after the environment above, which jsii reads on import
    App,
    LocalBackend,
    TerraformHclModule,
    TerraformOutput,
    TerraformStack,
    TerraformVariable,
    Token,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MODULE_DIR = REPO / "terraform" / "modules" / "sfasync"
STACK_NAME = "sfasync"
# CDKTF_OUTDIR is what the cdktf CLI sets; the default is the CLI's too.
OUTDIR = Path(os.environ.get("CDKTF_OUTDIR") or HERE / "cdktf.out").resolve()
STACK_DIR = OUTDIR / "stacks" / STACK_NAME
BACKENDS = ("dynamodb", "s3", "efs")
AWS_PROVIDER = {"source": "hashicorp/aws", "version": "~> 5.100"}

# The module's outputs the HCL root exposes too.
OUTPUTS = {
    "storage_backend": "The storage backend deployed.",
    "invoke_urls": "Invoke URL of each external function (function => URL).",
    "snowflake_role_arn": "ARN of the role Snowflake assumes (API_AWS_ROLE_ARN).",
    "api_integration_sql": "CREATE API INTEGRATION statement.",
    "external_function_sql": "CREATE EXTERNAL FUNCTION statement of each function (function => SQL).",
    "snowflake_sql": "The whole Snowflake setup, ready to run.",
    "function_name": "Name of the Lambda function.",
    "jobs_storage": "Where the jobs live: table, bucket and prefix, or file system and access point.",
}


class BackendError(ValueError):
    """The storage backend is missing or unknown."""


def storage_backend(app: App) -> str:
    """The backend from the storageBackend context, SFASYNC_STORAGE_BACKEND or BACKEND."""
    raw = app.node.try_get_context("storageBackend") or os.environ.get("SFASYNC_STORAGE_BACKEND")
    raw = raw or os.environ.get("BACKEND")
    allowed = ", ".join(BACKENDS)
    if not raw:
        raise BackendError(
            f"no storage backend given: set SFASYNC_STORAGE_BACKEND (or BACKEND, or the storageBackend"
            f" context) to one of {allowed}"
        )
    backend = str(raw).strip().lower()
    if backend not in BACKENDS:
        raise BackendError(f"storage backend {raw!r} is not one of {allowed}")
    return backend


def relative_to_stack(path: Path) -> str:
    """``path`` as Terraform sees it when run in the synthesized stack's folder."""
    return os.path.relpath(path, STACK_DIR)


class SfasyncStack(TerraformStack):
    def __init__(self, scope: Construct, name: str, backend: str) -> None:
        super().__init__(scope, name)

        self.add_override("terraform.required_version", ">= 1.9")
        self.add_override("terraform.required_providers", {"aws": AWS_PROVIDER})
        # State in cdktf/ (where cdktf keeps it by default), out of cdktf.out/ which a synth may
        # replace; relative, so the synthesized files do not depend on where the clone lives.
        LocalBackend(self, path=relative_to_stack(HERE / f"terraform.{name}.tfstate"))

        region = TerraformVariable(
            self, "aws_region", type="string", default="us-east-1", description="AWS region to deploy to."
        )
        lambda_zip = TerraformVariable(
            self,
            "lambda_zip",
            type="string",
            default=relative_to_stack(REPO / "build" / "lambda.zip"),
            description="Path of the deployment package; `make package` builds it at build/lambda.zip.",
        )
        iam_user = TerraformVariable(
            self,
            "snowflake_api_aws_iam_user_arn",
            type="string",
            nullable=True,
            description="API_AWS_IAM_USER_ARN from DESCRIBE INTEGRATION (step two of the Snowflake setup).",
        )
        external_id = TerraformVariable(
            self,
            "snowflake_api_aws_external_id",
            type="string",
            nullable=True,
            description="API_AWS_EXTERNAL_ID from DESCRIBE INTEGRATION (step two of the Snowflake setup).",
        )

        # Optional (null until step two); jsii drops a None default, so set null explicitly.
        for optional in (iam_user, external_id):
            optional.add_override("default", Token.null_value())

        self.add_override(
            "provider",
            {"aws": [{"region": region.string_value, "default_tags": [{"tags": {"Project": "sfasync"}}]}]},
        )

        module = TerraformHclModule(
            self,
            "sfasync",
            # Used as is: the module refers to its sibling modules (../storage_efs, ...), which a
            # copied asset would not carry along.
            source=relative_to_stack(MODULE_DIR),
            skip_asset_creation_from_local_modules=True,
            variables={
                "storage_backend": backend,
                "lambda_zip": lambda_zip.string_value,
                "snowflake_api_aws_iam_user_arn": iam_user.string_value,
                "snowflake_api_aws_external_id": external_id.string_value,
            },
        )

        for output, description in OUTPUTS.items():
            TerraformOutput(self, output, value=module.get(output), description=description)


def main() -> int:
    app = App(outdir=str(OUTDIR))
    try:
        backend = storage_backend(app)
    except BackendError as exc:
        print(f"cdktf synth: {exc}", file=sys.stderr)
        return 2
    SfasyncStack(app, STACK_NAME, backend)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
