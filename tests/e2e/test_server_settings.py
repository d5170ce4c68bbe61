"""``sfasync serve`` flags map onto the §7 variables, and win over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfasync.cli import build_parser
from sfasync.server.cli import settings_from_args
from sfasync.server.local import StartupError


def environment(argv: list[str], env: dict[str, str]) -> dict[str, str]:
    return settings_from_args(build_parser().parse_args(["serve", *argv])).environment(env)


def test_flags_win_over_the_environment(tmp_path: Path) -> None:
    env = {"STORAGE_BACKEND": "s3", "JOBS_TABLE": "from-env", "SENTIMENT_ENGINE": "comprehend"}
    storage = ["--backend", "dynamodb", "--table", "from-flag", "--endpoint-url", "http://127.0.0.1:5000"]
    service = ["--sentiment-engine", "lexicon", "--process-timeout", "7", "--functions", "up=m:f"]
    got = environment([*storage, *service], env)
    assert got["STORAGE_BACKEND"] == "dynamodb" and got["JOBS_TABLE"] == "from-flag"
    assert got["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"
    assert got["SENTIMENT_ENGINE"] == "lexicon" and got["PROCESS_TIMEOUT_SECONDS"] == "7"
    assert got["EXTRA_FUNCTIONS"] == "up=m:f"


def test_the_environment_fills_in_what_flags_leave_out(tmp_path: Path) -> None:
    env = {"STORAGE_BACKEND": "efs", "JOBS_DIR": str(tmp_path / "env-jobs"), "SENTIMENT_ENGINE": "comprehend"}
    got = environment([], env)
    assert got["JOBS_DIR"] == str(tmp_path / "env-jobs") and got["SENTIMENT_ENGINE"] == "comprehend"
    assert environment(["--data-dir", str(tmp_path / "d")], env)["JOBS_DIR"] == str(tmp_path / "d")


def test_defaults_need_no_aws_account() -> None:
    got = environment([], {})
    assert got["STORAGE_BACKEND"] == "efs" and got["SENTIMENT_ENGINE"] == "lexicon"
    assert Path(got["JOBS_DIR"]).is_absolute() and got["JOBS_DIR"].endswith(".sfasync/jobs")


def test_an_unknown_backend_names_the_valid_ones() -> None:
    with pytest.raises(StartupError, match="efs, dynamodb, s3"):
        environment([], {"STORAGE_BACKEND": "redis"})
