"""``make package``: reproducible, pure Python, and the zip runs on a bare runtime with boto3."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sfasync import packaging

# What the Lambda Python runtime provides besides the standard library: boto3 and its dependencies.
RUNTIME_PACKAGES = ["boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"]


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "lambda.zip"
    packaging.build(out)
    return out


def test_same_sources_give_the_same_bytes(zip_path, tmp_path):
    again = tmp_path / "again.zip"
    packaging.build(again)
    assert again.read_bytes() == zip_path.read_bytes()


def test_zip_contents(zip_path):
    with zipfile.ZipFile(zip_path) as z:
        names = z.namelist()
        infos = z.infolist()
    assert "handler.py" in names
    assert "sfasync_service/app.py" in names and "storage_backends/dynamodb.py" in names
    assert "vaderSentiment/vader_lexicon.txt" in names
    assert names == sorted(names)
    assert not any("__pycache__" in n or n.endswith((".pyc", ".so")) for n in names)
    assert not any(n.startswith(("boto3/", "botocore/", "sfasync/", "tests/")) for n in names)
    assert {i.date_time for i in infos} == {packaging.FIXED_TIME}


def _bare_site(tmp_path: Path) -> Path:
    site = tmp_path / "runtime-site"
    site.mkdir()
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        origin = Path(spec.origin)
        target = origin.parent if origin.name == "__init__.py" else origin
        (site / target.name).symlink_to(target)
    return site


def test_zip_answers_on_a_bare_runtime_with_only_boto3(zip_path, tmp_path):
    task = tmp_path / "task"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(task)
    site = _bare_site(tmp_path)
    script = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import handler
get = {"httpMethod": "GET", "path": "/sentiment", "pathParameters": {"function": "sentiment"},
       "headers": {"sf-external-function-query-batch-id": "q1"}, "body": None}
print(json.dumps(handler.lambda_handler(get, None)))
print(json.dumps(handler.lambda_handler({"sfasync": "sweep"}, None)))
from sfasync_service.processors.sentiment import lexicon_sentiment
print(json.dumps(lexicon_sentiment([["I am happy"]])))
tops = {m.split(".")[0] for m in sys.modules}
print(json.dumps(sorted(tops & {"sfasync", "rich", "moto", "pytest"})))
"""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "STORAGE_BACKEND": "efs",
        "JOBS_DIR": str(tmp_path / "jobs"),
        "SENTIMENT_ENGINE": "lexicon",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    out = (
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", script, str(task), str(site)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        .stdout.strip()
        .splitlines()
    )
    response = json.loads(out[0])
    assert response["statusCode"] == 404 and "unknown" in json.loads(response["body"])["error"]
    assert json.loads(out[1]) == {"swept": 0}
    assert json.loads(out[2])[0]["Positive"] > 0.5
    assert json.loads(out[3]) == []
