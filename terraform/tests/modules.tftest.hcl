# Each module alone, with a mocked AWS provider: the settings that matter, resource by resource.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "dynamodb_table" {
  module {
    source = "./modules/storage_dynamodb"
  }

  variables {
    table_name = "sfasync-jobs"
  }

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "the table must be on-demand"
  }
  assert {
    condition     = aws_dynamodb_table.this.hash_key == "pk" && aws_dynamodb_table.this.range_key == "sk"
    error_message = "the key schema must be the adapter's: pk (hash) + sk (range)"
  }
  assert {
    condition     = toset([for a in aws_dynamodb_table.this.attribute : "${a.name}:${a.type}"]) == toset(["pk:S", "sk:S"])
    error_message = "pk and sk must be strings"
  }
  assert {
    condition     = one(aws_dynamodb_table.this.ttl).attribute_name == "expires_at" && one(aws_dynamodb_table.this.ttl).enabled
    error_message = "TTL must be enabled on expires_at"
  }
  assert {
    condition     = one(aws_dynamodb_table.this.server_side_encryption).enabled
    error_message = "the table must be encrypted"
  }
  assert {
    condition     = one(aws_dynamodb_table.this.point_in_time_recovery).enabled == false
    error_message = "point-in-time recovery must be off by default"
  }
}

run "dynamodb_table_with_pitr" {
  module {
    source = "./modules/storage_dynamodb"
  }

  variables {
    table_name             = "sfasync-jobs"
    point_in_time_recovery = true
  }

  assert {
    condition     = one(aws_dynamodb_table.this.point_in_time_recovery).enabled
    error_message = "point_in_time_recovery = true must enable it"
  }
}

run "s3_bucket" {
  module {
    source = "./modules/storage_s3"
  }

  variables {
    bucket_name = "sfasync-jobs-123456789012-eu-west-1"
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "all public access must be blocked"
  }
  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "object ownership must be enforced (ACLs disabled)"
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "objects must be encrypted by default"
  }
  assert {
    condition = alltrue([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.status == "Enabled"]) && [
      for r in aws_s3_bucket_lifecycle_configuration.this.rule : [one(r.filter).prefix, one(r.expiration).days] if r.id == "expire-jobs"
      ] == [["jobs/", 1]] && [
      for r in aws_s3_bucket_lifecycle_configuration.this.rule : one(r.abort_incomplete_multipart_upload).days_after_initiation if r.id == "abort-incomplete-uploads"
    ] == [1]
    error_message = "objects under jobs/ must expire after a day and incomplete uploads be aborted"
  }
  assert {
    condition = jsondecode(aws_s3_bucket_policy.this.policy).Statement == [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::sfasync-jobs-123456789012-eu-west-1", "arn:aws:s3:::sfasync-jobs-123456789012-eu-west-1/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
    error_message = "the bucket policy must refuse every request without TLS"
  }
}

run "s3_prefix_is_validated" {
  command = plan

  module {
    source = "./modules/storage_s3"
  }

  variables {
    bucket_name = "sfasync-jobs"
    prefix      = "../etc"
  }

  expect_failures = [var.prefix]
}

run "efs_created_network" {
  module {
    source = "./modules/storage_efs"
  }

  variables {
    name = "sfasync"
  }

  assert {
    condition     = aws_efs_file_system.this.encrypted
    error_message = "the file system must be encrypted"
  }
  assert {
    condition = (one(aws_efs_access_point.this.posix_user).uid == 1000
      && one(aws_efs_access_point.this.posix_user).gid == 1000
      && one(aws_efs_access_point.this.root_directory).path == "/sfasync"
      && one(one(aws_efs_access_point.this.root_directory).creation_info).owner_uid == 1000
      && one(one(aws_efs_access_point.this.root_directory).creation_info).owner_gid == 1000
    && one(one(aws_efs_access_point.this.root_directory).creation_info).permissions == "0750")
    error_message = "the access point must fix the POSIX user 1000:1000 and root directory /sfasync (0750)"
  }
  assert {
    condition     = length(aws_subnet.private) == 2 && alltrue([for s in aws_subnet.private : !s.map_public_ip_on_launch])
    error_message = "two private subnets must be created when no VPC is given"
  }
  assert {
    condition     = length(aws_efs_mount_target.this) == 2 && toset(aws_efs_mount_target.this[*].subnet_id) == toset(aws_subnet.private[*].id)
    error_message = "one mount target per private subnet"
  }
  assert {
    condition     = alltrue([for m in aws_efs_mount_target.this : m.security_groups == toset([aws_security_group.efs.id])])
    error_message = "the mount targets must use the file system's security group"
  }
  assert {
    condition = (aws_vpc_security_group_ingress_rule.efs_nfs_from_function.security_group_id == aws_security_group.efs.id
      && aws_vpc_security_group_ingress_rule.efs_nfs_from_function.from_port == 2049
      && aws_vpc_security_group_ingress_rule.efs_nfs_from_function.to_port == 2049
    && aws_vpc_security_group_ingress_rule.efs_nfs_from_function.referenced_security_group_id == aws_security_group.function.id)
    error_message = "NFS may reach the file system from the function's security group only"
  }
  assert {
    condition = (aws_vpc_endpoint.this["lambda"].service_name == "com.amazonaws.eu-west-1.lambda"
      && aws_vpc_endpoint.this["lambda"].vpc_endpoint_type == "Interface"
    && aws_vpc_endpoint.this["lambda"].private_dns_enabled)
    error_message = "an interface endpoint with private DNS for the Lambda API (self-invocation) is required"
  }
  assert {
    condition     = aws_vpc_endpoint.this["comprehend"].service_name == "com.amazonaws.eu-west-1.comprehend" && aws_vpc_endpoint.this["comprehend"].private_dns_enabled
    error_message = "an interface endpoint with private DNS for Comprehend (sentiment) is required"
  }
  assert {
    condition     = aws_vpc.this[0].enable_dns_support && aws_vpc.this[0].enable_dns_hostnames
    error_message = "the VPC needs DNS support and hostnames for the endpoints' private DNS"
  }
  assert {
    condition     = output.vpc_config.security_group_ids == [aws_security_group.function.id] && output.environment.JOBS_DIR == "/mnt/sfasync"
    error_message = "the function gets its security group and JOBS_DIR=/mnt/sfasync"
  }
}

run "efs_existing_vpc" {
  module {
    source = "./modules/storage_efs"
  }

  variables {
    name       = "sfasync"
    vpc_id     = "vpc-0123456789abcdef0"
    subnet_ids = ["subnet-a", "subnet-b", "subnet-c"]
  }

  assert {
    condition     = length(aws_vpc.this) == 0 && length(aws_subnet.private) == 0
    error_message = "no VPC may be created when one is given"
  }
  assert {
    condition     = aws_efs_mount_target.this[*].subnet_id == ["subnet-a", "subnet-b", "subnet-c"]
    error_message = "one mount target per given subnet"
  }
  assert {
    condition     = aws_security_group.function.vpc_id == "vpc-0123456789abcdef0" && aws_vpc_endpoint.this["lambda"].vpc_id == "vpc-0123456789abcdef0"
    error_message = "security groups and endpoints go into the given VPC"
  }
}

run "api" {
  module {
    source = "./modules/api"
  }

  variables {
    name                 = "sfasync"
    function_names       = ["sentiment", "echo"]
    lambda_function_name = "sfasync"
    lambda_invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:sfasync/invocations"
    allowed_role_arn     = "arn:aws:iam::123456789012:role/sfasync-snowflake"
  }

  assert {
    condition     = aws_api_gateway_resource.function.path_part == "{function}"
    error_message = "the resource must be /{function}"
  }
  assert {
    condition     = keys(aws_api_gateway_method.this) == ["GET", "POST"] && alltrue([for m in aws_api_gateway_method.this : m.authorization == "AWS_IAM"])
    error_message = "GET and POST must both require AWS_IAM authorization"
  }
  assert {
    condition = alltrue([for i in aws_api_gateway_integration.this : i.type == "AWS_PROXY" && i.integration_http_method == "POST"
    && i.uri == "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:sfasync/invocations"])
    error_message = "both methods must be Lambda proxy integrations of the function"
  }
  assert {
    condition     = aws_api_gateway_rest_api.this.binary_media_types == tolist(["*/*"])
    error_message = "binary media types must let gzip bodies through"
  }
  assert {
    condition     = one(aws_api_gateway_rest_api.this.endpoint_configuration).types == tolist(["REGIONAL"])
    error_message = "the API must be regional"
  }
  assert {
    condition = jsondecode(aws_api_gateway_rest_api_policy.this.policy).Statement == [
      {
        Sid       = "AllowSnowflakeRole"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:role/sfasync-snowflake" }
        Action    = "execute-api:Invoke"
        Resource  = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*"
      },
      {
        Sid       = "DenyEveryoneElse"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = "execute-api:Invoke"
        Resource  = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*"
        Condition = { StringNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::123456789012:role/sfasync-snowflake" } }
      },
    ]
    error_message = "the resource policy must admit the Snowflake role and deny everyone else"
  }
  assert {
    condition     = one(aws_api_gateway_stage.this.access_log_settings).destination_arn == aws_cloudwatch_log_group.access.arn
    error_message = "the stage must write access logs"
  }
  assert {
    condition = (one(aws_api_gateway_method_settings.all.settings).throttling_rate_limit == 500
    && one(aws_api_gateway_method_settings.all.settings).throttling_burst_limit == 1000)
    error_message = "the stage must throttle"
  }
  assert {
    condition     = aws_lambda_permission.api.principal == "apigateway.amazonaws.com" && aws_lambda_permission.api.source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*/*"
    error_message = "API Gateway (this API only) may invoke the function"
  }
  assert {
    condition     = output.invoke_urls["echo"] == "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/echo"
    error_message = "invoke URLs are <stage URL>/<function>"
  }
}

run "function" {
  module {
    source = "./modules/function"
  }

  variables {
    function_name       = "sfasync"
    lambda_zip          = "tests/fixtures/lambda.zip"
    environment         = { STORAGE_BACKEND = "dynamodb" }
    storage_policy_json = "{}"
  }

  assert {
    condition     = aws_lambda_function.this.handler == "handler.lambda_handler" && startswith(aws_lambda_function.this.runtime, "python3.")
    error_message = "the function runs handler.lambda_handler on Python"
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/lambda.zip")
    error_message = "a new zip must redeploy the function (source_code_hash)"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 2 && aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 900
    error_message = "asynchronous (process) invocations: 2 retries within the processing window"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/sfasync" && aws_cloudwatch_log_group.this.retention_in_days == 14
    error_message = "the function's log group must exist with a retention"
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_target.sweep.input) == { sfasync = "sweep" } && aws_cloudwatch_event_rule.sweep.schedule_expression == "rate(5 minutes)"
    error_message = "a schedule must send the sweep event"
  }
  assert {
    condition     = aws_lambda_permission.sweep.principal == "events.amazonaws.com" && aws_lambda_permission.sweep.source_arn == aws_cloudwatch_event_rule.sweep.arn
    error_message = "the sweep schedule (only) may invoke the function"
  }
  assert {
    condition     = length(aws_lambda_function.this.vpc_config) == 0 && length(aws_lambda_function.this.file_system_config) == 0
    error_message = "without vpc_config the function must run outside any VPC"
  }
}

run "snowflake_role_before_setup" {
  module {
    source = "./modules/snowflake_role"
  }

  variables {
    role_name = "sfasync-snowflake"
  }

  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal.AWS == "arn:aws:iam::123456789012:root"
    error_message = "until Snowflake's IAM user is known the role trusts only its own account"
  }
}

run "snowflake_role_after_setup" {
  module {
    source = "./modules/snowflake_role"
  }

  variables {
    role_name              = "sfasync-snowflake"
    snowflake_iam_user_arn = "arn:aws:iam::999999999999:user/abc1-b-self1234"
    snowflake_external_id  = "MYACCOUNT_SFCRole=2_abcdefg="
  }

  assert {
    condition = jsondecode(aws_iam_role.this.assume_role_policy).Statement == [{
      Sid       = "SnowflakeApiIntegration"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::999999999999:user/abc1-b-self1234" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = "MYACCOUNT_SFCRole=2_abcdefg=" } }
    }]
    error_message = "the role must trust Snowflake's IAM user with its external id only"
  }
}

run "function_without_package_is_refused" {
  command = plan

  module {
    source = "./modules/function"
  }

  variables {
    function_name       = "sfasync"
    lambda_zip          = "tests/fixtures/does-not-exist.zip"
    environment         = { STORAGE_BACKEND = "dynamodb" }
    storage_policy_json = "{}"
  }

  expect_failures = [aws_lambda_function.this]
}
