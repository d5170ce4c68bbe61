"""Running the terraform CLI from tests: offline provider mirror when present, no prompts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO / "terraform"
MODULES = sorted(p for p in (TERRAFORM_DIR / "modules").iterdir() if p.is_dir())
# Where these machines keep hashicorp/aws 5.100.0; elsewhere the registry is used.
PLUGIN_DIR = Path(os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins"))


def terraform_bin() -> str:
    found = shutil.which("terraform")
    if not found:
        raise RuntimeError("terraform (>= 1.9) is not on PATH; the Terraform tests need it")
    return found


def env() -> dict[str, str]:
    result = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
    cli_config = result.get("TF_CLI_CONFIG_FILE")
    if cli_config and not Path(cli_config).exists():
        # A dangling setting only produces a warning on every command.
        result["TF_CLI_CONFIG_FILE"] = os.devnull
    return result


def run(args: list[str], cwd: Path, extra_env: dict[str, str] | None = None, check: bool = True) -> str:
    """Run ``terraform args`` in ``cwd``; return stdout, or fail with the command's output."""
    proc = subprocess.run(
        [terraform_bin(), *args, "-no-color"],
        cwd=cwd,
        env={**env(), **(extra_env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"terraform {' '.join(args)} failed in {cwd} (exit {proc.returncode}):\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return proc.stdout if check else proc.stdout + proc.stderr


def init_args() -> list[str]:
    args = ["init", "-input=false", "-backend=false"]
    if PLUGIN_DIR.is_dir():
        args.append(f"-plugin-dir={PLUGIN_DIR}")
    return args


def init(cwd: Path, backend: bool = False) -> None:
    args = init_args()
    if backend:
        args.remove("-backend=false")
    run(args, cwd)


def copy_root(dest: Path) -> Path:
    """A copy of terraform/ without local state, to init and apply away from the source tree."""
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "*.tfplan")
    shutil.copytree(TERRAFORM_DIR, dest, ignore=ignore)
    return dest


def outputs(cwd: Path) -> dict[str, Any]:
    raw = json.loads(run(["output", "-json"], cwd))
    return {name: item["value"] for name, item in raw.items()}
