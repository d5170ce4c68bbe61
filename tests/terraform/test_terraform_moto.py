"""Apply and destroy the whole root module for each storage backend against a moto server, and
look at what was created the way AWS would show it (boto3)."""

from __future__ import annotations

import json
from concurrent.futures import Future
from typing import Any

import pytest

from tests.terraform.stacks import REGION, Deployment

pytestmark = pytest.mark.slow


def check_function(d: Deployment, out: dict[str, Any]) -> dict[str, Any]:
    lam = d.client("lambda")
    fn = lam.get_function_configuration(FunctionName=out["function_name"])
    assert fn["Handler"] == "handler.lambda_handler"
    assert fn["Runtime"].startswith("python3.")
    env = fn["Environment"]["Variables"]
    assert env["STORAGE_BACKEND"] == d.backend
    assert env["PROCESS_TIMEOUT_SECONDS"] == str(fn["Timeout"])
    assert env["RESULT_RETENTION_SECONDS"] == "600"
    assert env["SENTIMENT_ENGINE"] == "comprehend"
    invoke = lam.get_function_event_invoke_config(FunctionName=out["function_name"])
    assert invoke["MaximumRetryAttempts"] == 2

    events = d.client("events")
    targets = events.list_targets_by_rule(Rule=f"{out['function_name']}-sweep")["Targets"]
    assert [json.loads(t["Input"]) for t in targets] == [{"sfasync": "sweep"}]
    assert targets[0]["Arn"] == fn["FunctionArn"]

    api = d.client("apigateway")
    (rest,) = api.get_rest_apis()["items"]
    resources = {r["path"]: r for r in api.get_resources(restApiId=rest["id"])["items"]}
    fn_resource = resources["/{function}"]
    assert set(fn_resource["resourceMethods"]) == {"GET", "POST"}
    for method in ("GET", "POST"):
        m = api.get_method(restApiId=rest["id"], resourceId=fn_resource["id"], httpMethod=method)
        assert m["authorizationType"] == "AWS_IAM"
        assert m["methodIntegration"]["type"] == "AWS_PROXY"
    stage = api.get_stage(restApiId=rest["id"], stageName="v1")
    assert stage["accessLogSettings"]["destinationArn"].endswith(":log-group:/aws/apigateway/sfasync/access")
    assert out["invoke_urls"] == {
        f: f"https://{rest['id']}.execute-api.{REGION}.amazonaws.com/v1/{f}" for f in ("sentiment", "echo")
    }
    assert f"API_AWS_ROLE_ARN = '{out['snowflake_role_arn']}'" in out["snowflake_sql"]
    return env


def check_destroyed(d: Deployment) -> None:
    assert d.client("lambda").list_functions()["Functions"] == []
    assert d.client("apigateway").get_rest_apis()["items"] == []
    assert d.client("dynamodb").list_tables()["TableNames"] == []
    assert d.client("s3").list_buckets()["Buckets"] == []
    assert d.client("efs").describe_file_systems()["FileSystems"] == []


def test_dynamodb_stack(applied_stacks: dict[str, Future[Any]]) -> None:
    d, out = applied_stacks["dynamodb"].result()
    env = check_function(d, out)

    ddb = d.client("dynamodb")
    assert ddb.list_tables()["TableNames"] == ["sfasync-jobs"] == [env["JOBS_TABLE"]]
    table = ddb.describe_table(TableName="sfasync-jobs")["Table"]
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = ddb.describe_time_to_live(TableName="sfasync-jobs")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    assert d.client("s3").list_buckets()["Buckets"] == []
    assert d.client("efs").describe_file_systems()["FileSystems"] == []

    role = d.client("iam").get_role_policy(RoleName="sfasync-lambda", PolicyName="storage")
    assert role["PolicyDocument"]["Statement"][0]["Resource"] == [table["TableArn"]]

    d.destroy()
    check_destroyed(d)


def test_s3_stack(applied_stacks: dict[str, Future[Any]]) -> None:
    d, out = applied_stacks["s3"].result()
    env = check_function(d, out)

    s3 = d.client("s3")
    bucket = out["jobs_storage"]["bucket_name"]
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket] == [env["JOBS_BUCKET"]]
    assert env["JOBS_PREFIX"] == "jobs/"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(
        block[k]
        for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    )
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert all(r["Status"] == "Enabled" for r in rules.values())
    assert rules["expire-jobs"]["Filter"] == {"Prefix": "jobs/"}
    assert rules["expire-jobs"]["Expiration"] == {"Days": 1}
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Effect"] == "Deny"
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert d.client("dynamodb").list_tables()["TableNames"] == []

    d.destroy()
    check_destroyed(d)


def test_efs_stack(applied_stacks: dict[str, Future[Any]]) -> None:
    d, out = applied_stacks["efs"].result()
    env = check_function(d, out)
    assert env["JOBS_DIR"] == "/mnt/sfasync"

    efs = d.client("efs")
    (fs,) = efs.describe_file_systems()["FileSystems"]
    assert fs["Encrypted"] is True
    (ap,) = efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]
    assert ap["PosixUser"]["Uid"] == 1000 and ap["PosixUser"]["Gid"] == 1000
    assert ap["RootDirectory"]["Path"] == "/sfasync"
    assert ap["RootDirectory"]["CreationInfo"] == {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "0750"}
    mounts = efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]
    assert len(mounts) == 2

    fn = d.client("lambda").get_function_configuration(FunctionName=out["function_name"])
    assert sorted(fn["VpcConfig"]["SubnetIds"]) == sorted(m["SubnetId"] for m in mounts)
    # moto 5.2.5 does not keep a function's FileSystemConfigs; the mount of the access point is
    # asserted by terraform/tests/backends.tftest.hcl (run "efs").

    ec2 = d.client("ec2")
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [fs_vpc(ec2, mounts)]}])
    services = sorted(e["ServiceName"] for e in endpoints["VpcEndpoints"])
    assert services == [f"com.amazonaws.{REGION}.comprehend", f"com.amazonaws.{REGION}.lambda"]
    assert all(e["PrivateDnsEnabled"] for e in endpoints["VpcEndpoints"])
    assert d.client("dynamodb").list_tables()["TableNames"] == []
    assert d.client("s3").list_buckets()["Buckets"] == []

    d.destroy()
    check_destroyed(d)


def fs_vpc(ec2: Any, mounts: list[dict[str, Any]]) -> str:
    (subnet,) = ec2.describe_subnets(SubnetIds=[mounts[0]["SubnetId"]])["Subnets"]
    return str(subnet["VpcId"])
