data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  # Built from its parts rather than read from the function, which would be a dependency cycle
  # (the function's role policy needs the function's ARN).
  function_arn = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${var.function_name}"
  log_group    = "/aws/lambda/${var.function_name}"
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:Logs hold no batch contents; encrypted by CloudWatch Logs with its own key.
  #checkov:skip=CKV_AWS_338:Operational logs; retention is a variable (log_retention_days).
  name              = local.log_group
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:A failed process run is recorded in storage as a FAILED job (and its deadline fails it otherwise); a DLQ would hold nothing to act on.
  #checkov:skip=CKV_AWS_117:Runs in a VPC only with the EFS backend (vpc_config is set then); DynamoDB and S3 need none.
  #checkov:skip=CKV_AWS_173:The environment holds resource names only, no secrets; encrypted at rest with the Lambda service key.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile outside this project; the zip is built reproducibly by make package.
  #checkov:skip=CKV_AWS_115:Concurrency reservation is a variable (reserved_concurrency); new accounts cannot reserve any.
  function_name    = var.function_name
  role             = aws_iam_role.this.arn
  filename         = var.lambda_zip
  source_code_hash = fileexists(var.lambda_zip) ? filebase64sha256(var.lambda_zip) : null
  handler          = var.handler
  runtime          = var.runtime
  memory_size      = var.memory_mb
  timeout          = var.timeout_s

  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = var.environment
  }

  tracing_config {
    mode = "Active"
  }

  dynamic "vpc_config" {
    for_each = var.vpc_config == null ? [] : [var.vpc_config]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  dynamic "file_system_config" {
    for_each = var.file_system == null ? [] : [var.file_system]
    content {
      arn              = file_system_config.value.access_point_arn
      local_mount_path = file_system_config.value.local_mount_path
    }
  }

  lifecycle {
    precondition {
      condition     = fileexists(var.lambda_zip)
      error_message = "The deployment package ${var.lambda_zip} does not exist: run `make package` (it builds build/lambda.zip) or set lambda_zip."
    }
  }

  # The log group (with its retention) must exist before the first invocation creates it.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.function,
    aws_iam_role_policy.storage,
  ]
}

# POST hands the batch to a separate invocation of this same function.
resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = var.max_event_age_s
}

resource "aws_cloudwatch_event_rule" "sweep" {
  name                = "${var.function_name}-sweep"
  description         = "Deletes expired sfasync job records"
  schedule_expression = var.sweep_schedule
}

resource "aws_cloudwatch_event_target" "sweep" {
  rule  = aws_cloudwatch_event_rule.sweep.name
  arn   = aws_lambda_function.this.arn
  input = jsonencode({ sfasync = "sweep" })
}

resource "aws_lambda_permission" "sweep" {
  statement_id  = "AllowSweepSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.sweep.arn
}
