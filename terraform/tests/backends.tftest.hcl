# The root module with a mocked AWS provider: one run per storage backend, and refused input.
# `terraform test` (make tf-test) - no credentials, no network.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip = "tests/fixtures/lambda.zip"
}

run "dynamodb" {
  variables {
    storage_backend = "dynamodb"
  }

  assert {
    condition     = module.sfasync.jobs_storage.table_name == "sfasync-jobs"
    error_message = "the dynamodb backend must create the jobs table"
  }
  assert {
    condition     = module.sfasync.jobs_storage.bucket_name == null && module.sfasync.jobs_storage.file_system_id == null
    error_message = "the dynamodb backend must create no bucket and no file system"
  }
  assert {
    condition = module.sfasync.function_environment == tomap({
      STORAGE_BACKEND          = "dynamodb"
      JOBS_TABLE               = "sfasync-jobs"
      RESULT_RETENTION_SECONDS = "600"
      PROCESS_TIMEOUT_SECONDS  = "300"
      SENTIMENT_ENGINE         = "comprehend"
      DEFAULT_FUNCTION         = "sentiment"
    })
    error_message = "the function's environment must point the DynamoDB adapter at the table"
  }
  assert {
    condition = jsondecode(module.sfasync.function_role_policies["storage"]).Statement == [{
      Sid      = "JobsTable"
      Effect   = "Allow"
      Action   = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"]
      Resource = ["arn:aws:dynamodb:eu-west-1:123456789012:table/sfasync-jobs"]
    }]
    error_message = "the storage policy must grant the adapter's calls on the jobs table only"
  }
  assert {
    condition     = length(module.sfasync.function_vpc_subnet_ids) == 0 && length(module.sfasync.function_file_system_mounts) == 0
    error_message = "the dynamodb backend must not put the function in a VPC"
  }
}

run "function_policy_names_only_itself" {
  variables {
    storage_backend = "dynamodb"
  }

  assert {
    condition = [for s in jsondecode(module.sfasync.function_role_policies["function"]).Statement : s.Resource if s.Sid == "InvokeSelf"][0] == [
      "arn:aws:lambda:eu-west-1:123456789012:function:sfasync",
      "arn:aws:lambda:eu-west-1:123456789012:function:sfasync:*",
    ]
    error_message = "the function may invoke itself and nothing else"
  }
  assert {
    condition = [for s in jsondecode(module.sfasync.function_role_policies["function"]).Statement : s.Resource if s.Sid == "OwnLogGroup"][0] == [
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/sfasync:*",
    ]
    error_message = "the function may write to its own log group only"
  }
  assert {
    # "*" only for services without resource-level permissions.
    condition = alltrue(flatten([
      for s in jsondecode(module.sfasync.function_role_policies["function"]).Statement : [
        for a in s.Action : startswith(a, "comprehend:Detect") || startswith(a, "comprehend:BatchDetect") || startswith(a, "xray:")
      ] if contains(s.Resource, "*")
    ]))
    error_message = "only Comprehend's and X-Ray's calls may use Resource \"*\""
  }
}

run "s3" {
  variables {
    storage_backend = "s3"
  }

  assert {
    condition     = module.sfasync.jobs_storage.bucket_name == "sfasync-jobs-123456789012-eu-west-1" && module.sfasync.jobs_storage.prefix == "jobs/"
    error_message = "the s3 backend must create the jobs bucket, named per account and region"
  }
  assert {
    condition     = module.sfasync.jobs_storage.table_name == null && module.sfasync.jobs_storage.file_system_id == null
    error_message = "the s3 backend must create no table and no file system"
  }
  assert {
    condition = (module.sfasync.function_environment.STORAGE_BACKEND == "s3"
      && module.sfasync.function_environment.JOBS_BUCKET == "sfasync-jobs-123456789012-eu-west-1"
    && module.sfasync.function_environment.JOBS_PREFIX == "jobs/")
    error_message = "the function's environment must point the S3 adapter at the bucket and prefix"
  }
  assert {
    condition = jsondecode(module.sfasync.function_role_policies["storage"]).Statement == [
      {
        Sid      = "JobObjects"
        Effect   = "Allow"
        Action   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
        Resource = ["arn:aws:s3:::sfasync-jobs-123456789012-eu-west-1/jobs/*"]
      },
      {
        Sid       = "ListJobPrefix"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = ["arn:aws:s3:::sfasync-jobs-123456789012-eu-west-1"]
        Condition = { StringLike = { "s3:prefix" = ["jobs/*"] } }
      },
    ]
    error_message = "the storage policy must grant object calls under jobs/ and listing of jobs/ only"
  }
  assert {
    condition     = length(module.sfasync.function_vpc_subnet_ids) == 0
    error_message = "the s3 backend must not put the function in a VPC"
  }
}

run "efs" {
  variables {
    storage_backend = "efs"
  }

  assert {
    condition     = module.sfasync.jobs_storage.file_system_id != null && module.sfasync.jobs_storage.access_point_arn == "arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-0123456789"
    error_message = "the efs backend must create the file system and its access point"
  }
  assert {
    condition     = module.sfasync.jobs_storage.table_name == null && module.sfasync.jobs_storage.bucket_name == null
    error_message = "the efs backend must create no table and no bucket"
  }
  assert {
    condition     = module.sfasync.function_environment.STORAGE_BACKEND == "efs" && module.sfasync.function_environment.JOBS_DIR == "/mnt/sfasync"
    error_message = "the function's environment must point the EFS adapter at the mount"
  }
  assert {
    condition     = length(module.sfasync.function_vpc_subnet_ids) == 2
    error_message = "the function must run in the two private subnets of the created VPC"
  }
  assert {
    condition = module.sfasync.function_file_system_mounts == [{
      arn              = "arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-0123456789"
      local_mount_path = "/mnt/sfasync"
    }]
    error_message = "the function must mount the access point at /mnt/sfasync"
  }
  assert {
    condition = [for s in jsondecode(module.sfasync.function_role_policies["storage"]).Statement : s if s.Sid == "MountThroughAccessPoint"][0] == {
      Sid       = "MountThroughAccessPoint"
      Effect    = "Allow"
      Action    = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      Resource  = ["arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789"]
      Condition = { StringEquals = { "elasticfilesystem:AccessPointArn" = "arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-0123456789" } }
    }
    error_message = "the function may mount the file system only through its access point"
  }
}

run "outputs" {
  variables {
    storage_backend = "dynamodb"
  }

  assert {
    condition = output.invoke_urls == {
      sentiment = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/sentiment"
      echo      = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/echo"
    }
    error_message = "one invoke URL per function, https://<api>.execute-api.<region>.amazonaws.com/<stage>/<function>"
  }
  assert {
    condition     = output.snowflake_role_arn == "arn:aws:iam::123456789012:role/sfasync-snowflake"
    error_message = "the Snowflake role ARN must be an output"
  }
  assert {
    condition = alltrue([
      strcontains(output.api_integration_sql, "API_PROVIDER = aws_api_gateway"),
      strcontains(output.api_integration_sql, "API_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/sfasync-snowflake'"),
      strcontains(output.api_integration_sql, "API_ALLOWED_PREFIXES = ('https://abc123.execute-api.eu-west-1.amazonaws.com/v1/')"),
    ])
    error_message = "CREATE API INTEGRATION must name the provider, the role and the stage URL"
  }
  assert {
    condition = alltrue([for f in ["sentiment", "echo"] : alltrue([
      strcontains(output.external_function_sql[f], "CREATE OR REPLACE EXTERNAL FUNCTION ${f}("),
      strcontains(output.external_function_sql[f], "MAX_BATCH_ROWS = 4096"),
      strcontains(output.external_function_sql[f], "COMPRESSION = AUTO"),
      strcontains(output.external_function_sql[f], "AS 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/${f}'"),
    ])])
    error_message = "one CREATE EXTERNAL FUNCTION per function, with MAX_BATCH_ROWS, COMPRESSION and its URL"
  }
  assert {
    condition     = strcontains(output.snowflake_sql, "DESCRIBE INTEGRATION SFASYNC_API;")
    error_message = "the setup SQL must tell the user to DESCRIBE the integration"
  }
}

run "settings_reach_the_function" {
  variables {
    storage_backend          = "s3"
    functions                = ["echo"]
    lambda_timeout_s         = 600
    result_retention_seconds = 900
  }

  assert {
    condition     = module.sfasync.function_environment.PROCESS_TIMEOUT_SECONDS == "600" && module.sfasync.function_environment.RESULT_RETENTION_SECONDS == "900"
    error_message = "the Lambda timeout and the retention must reach the handler's settings"
  }
  assert {
    condition     = keys(output.invoke_urls) == ["echo"] && keys(output.external_function_sql) == ["echo"]
    error_message = "only the listed functions are published"
  }
}

run "invalid_backend_is_refused" {
  command = plan

  variables {
    storage_backend = "redis"
  }

  expect_failures = [var.storage_backend]
}

run "out_of_range_settings_are_refused" {
  command = plan

  variables {
    storage_backend  = "dynamodb"
    lambda_timeout_s = 1200
    functions        = ["Bad Name"]
  }

  expect_failures = [var.lambda_timeout_s, var.functions]
}

run "vpc_without_subnets_is_refused" {
  command = plan

  variables {
    storage_backend = "efs"
    vpc_id          = "vpc-0123456789abcdef0"
  }

  expect_failures = [var.subnet_ids]
}
