"""checkov over the Terraform code: no failed check. A check that does not apply is skipped
inline (#checkov:skip=CKV_...:reason) next to the resource, with its reason."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.terraform import tf

# checkov pins an older boto3 than the project: it lives in a virtualenv of its own.
CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = tf.REPO / ".venv-checkov"


def checkov() -> Path:
    exe = CHECKOV_VENV / "bin" / "checkov"
    stamp = CHECKOV_VENV / f".installed-{CHECKOV_VERSION}"
    if not stamp.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run(
            [
                str(CHECKOV_VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                f"checkov=={CHECKOV_VERSION}",
            ],
            check=True,
        )
        stamp.touch()
    return exe


def test_checkov_finds_no_failed_check() -> None:
    proc = subprocess.run(
        [
            str(checkov()),
            "-d",
            str(tf.TERRAFORM_DIR),
            "--framework",
            "terraform",
            "--skip-download",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(proc.stdout)
    results = report["results"]
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in results["failed_checks"]]
    assert failed == [], "checkov failed checks:\n" + "\n".join(failed)
    assert proc.returncode == 0, proc.stderr
    # The scan really looked at the stack (a scan of nothing passes too).
    assert report["summary"]["passed"] > 50
    resources = {c["resource"] for c in results["passed_checks"]}
    assert any("aws_lambda_function" in r for r in resources)
    assert any("aws_api_gateway_stage" in r for r in resources)


def test_every_skipped_check_gives_a_reason() -> None:
    skips = []
    for path in tf.TERRAFORM_DIR.rglob("*.tf"):
        if ".terraform" in path.parts:
            continue
        skips += re.findall(r"#checkov:skip=([A-Z0-9_]+)(:?)(.*)", path.read_text())
    assert skips, "expected the documented inline skips"
    assert all(colon and len(reason.strip()) > 20 for _, colon, reason in skips), skips
