"""Configuration, the backend registry, plug-in loading and the Lambda self-invocation."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

import storage_backends
from sfasync_service.config import Config, ConfigError
from sfasync_service.invokers import InvokeError, LambdaInvoker
from sfasync_service.processors import PluginError, Processors, UnknownFunction, parse_plugins

from .harness import Context


def test_config_from_environment():
    config = Config.from_env(
        {
            "STORAGE_BACKEND": "DynamoDB",
            "JOBS_TABLE": "t",
            "RESULT_RETENTION_SECONDS": "900",
            "PROCESS_TIMEOUT_SECONDS": "120",
            "SENTIMENT_ENGINE": "lexicon",
        }
    )
    assert (config.storage_backend, config.jobs_table, config.result_retention_seconds) == (
        "dynamodb",
        "t",
        900,
    )
    assert config.process_timeout_seconds == 120 and config.sentiment_engine == "lexicon"
    assert Config.from_env({}).jobs_prefix == "jobs/"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"RESULT_RETENTION_SECONDS": "ten"}, "RESULT_RETENTION_SECONDS must be an integer"),
        ({"PROCESS_TIMEOUT_SECONDS": "0"}, "PROCESS_TIMEOUT_SECONDS must be >= 1"),
        ({"SENTIMENT_ENGINE": "gpt"}, "SENTIMENT_ENGINE must be 'comprehend' or 'lexicon'"),
    ],
)
def test_bad_configuration_names_the_variable(env, needle):
    with pytest.raises(ConfigError, match=needle):
        Config.from_env(env)


def test_unknown_backend_lists_the_valid_ones():
    with pytest.raises(storage_backends.UnknownBackend, match="valid backends: dynamodb, s3, efs, memory"):
        storage_backends.create_store("redis")


@pytest.mark.parametrize("backend", ["dynamodb", "s3", "efs"])
def test_backend_without_its_location_is_refused(backend):
    with pytest.raises(ValueError, match="needs a"):
        storage_backends.create_store(backend, region="us-east-1")


def test_plugins():
    assert parse_plugins("up=tests.service.plugins:concat, x=a.b:c") == {
        "up": "tests.service.plugins:concat",
        "x": "a.b:c",
    }
    for bad in ("noequals", "x=nocolon", "=m:f", "x=:f"):
        with pytest.raises(PluginError, match="name=module:callable"):
            parse_plugins(bad)
    processors = Processors(
        "lexicon", lambda: None, parse_plugins("up=tests.service.plugins:concat,gone=no.such:fn")
    )
    assert processors.names() == ["echo", "gone", "sentiment", "up"]
    assert processors.get("up")([["a", "b"]]) == ["a-b"]
    with pytest.raises(PluginError, match=r"cannot load processor 'no\.such:fn'"):
        processors.get("gone")
    with pytest.raises(UnknownFunction, match="known functions: echo, gone, sentiment, up"):
        processors.get("missing")


def test_lambda_invoker_invokes_its_own_arn_asynchronously():
    client = boto3.client("lambda", region_name="us-east-1")
    event = {"sfasync": "process", "key": "k", "function": "echo", "attempt": 1}
    with Stubber(client) as stubber:
        stubber.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": Context.invoked_function_arn,
                "InvocationType": "Event",
                "Payload": json.dumps(event).encode(),
            },
        )
        LambdaInvoker(client).invoke_async(event, Context())
        stubber.assert_no_pending_responses()
        stubber.add_client_error("invoke", "TooManyRequestsException", http_status_code=429)
        with pytest.raises(InvokeError, match="TooManyRequestsException"):
            LambdaInvoker(client).invoke_async(event, Context())
    with pytest.raises(InvokeError, match="invoked_function_arn"):
        LambdaInvoker(client).invoke_async(event, None)
