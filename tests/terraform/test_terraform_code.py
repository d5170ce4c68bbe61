"""Terraform formatting, validation and the mocked-provider tests (terraform/tests/*.tftest.hcl)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.terraform import tf


def test_terraform_files_are_formatted() -> None:
    out = tf.run(["fmt", "-check", "-recursive", "-diff"], tf.TERRAFORM_DIR, check=False)
    assert "---" not in out and "+++" not in out, f"run `make tf-fmt`:\n{out}"


@pytest.mark.parametrize("module", [tf.TERRAFORM_DIR, *tf.MODULES], ids=lambda p: Path(p).name)
def test_module_validates(module: Path, tmp_path: Path) -> None:
    # Validate a copy: init writes .terraform/ and a lock file next to the configuration.
    copy = tf.copy_root(tmp_path / "terraform")
    target = copy / module.relative_to(tf.TERRAFORM_DIR)
    tf.init(target)
    tf.run(["validate"], target)


def test_terraform_test_suite_passes(tmp_path: Path) -> None:
    copy = tf.copy_root(tmp_path / "terraform")
    tf.init(copy)
    out = tf.run(["test"], copy)
    assert "0 failed" in out and " passed" in out, out
    # Every run of every file really ran: one "pass" line per run block.
    runs = sum(p.read_text().count('\nrun "') for p in (copy / "tests").glob("*.tftest.hcl"))
    assert out.count("... pass") - len(list((copy / "tests").glob("*.tftest.hcl"))) == runs, out
