data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  stage_name = "v1"
  # S3 bucket names are global: make ours unique per account and region.
  bucket_name = "${var.name_prefix}-jobs-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"

  # Exactly one storage module exists; these pick its interface without naming it.
  storage_environment = merge(concat(module.dynamodb[*].environment, module.s3[*].environment, module.efs[*].environment)...)
  storage_policy_json = one(concat(module.dynamodb[*].policy_json, module.s3[*].policy_json, module.efs[*].policy_json))
}

module "dynamodb" {
  source = "../storage_dynamodb"
  count  = var.storage_backend == "dynamodb" ? 1 : 0

  table_name             = "${var.name_prefix}-jobs"
  point_in_time_recovery = var.point_in_time_recovery
}

module "s3" {
  source = "../storage_s3"
  count  = var.storage_backend == "s3" ? 1 : 0

  bucket_name = local.bucket_name
  prefix      = "jobs/"
}

module "efs" {
  source = "../storage_efs"
  count  = var.storage_backend == "efs" ? 1 : 0

  name                 = var.name_prefix
  vpc_id               = var.vpc_id
  subnet_ids           = var.subnet_ids
  create_vpc_endpoints = var.create_vpc_endpoints
  local_mount_path     = "/mnt/sfasync"
}

module "function" {
  source = "../function"

  function_name        = var.name_prefix
  lambda_zip           = var.lambda_zip
  memory_mb            = var.lambda_memory_mb
  timeout_s            = var.lambda_timeout_s
  reserved_concurrency = var.reserved_concurrency
  log_retention_days   = var.log_retention_days
  storage_policy_json  = local.storage_policy_json
  vpc_config           = var.storage_backend == "efs" ? module.efs[0].vpc_config : null
  file_system          = var.storage_backend == "efs" ? module.efs[0].file_system : null

  environment = merge(local.storage_environment, {
    RESULT_RETENTION_SECONDS = tostring(var.result_retention_seconds)
    PROCESS_TIMEOUT_SECONDS  = tostring(var.lambda_timeout_s)
    SENTIMENT_ENGINE         = "comprehend"
    DEFAULT_FUNCTION         = "sentiment"
  })
}

module "snowflake_role" {
  source = "../snowflake_role"

  role_name              = "${var.name_prefix}-snowflake"
  snowflake_iam_user_arn = var.snowflake_api_aws_iam_user_arn
  snowflake_external_id  = var.snowflake_api_aws_external_id
}

module "api" {
  source = "../api"

  name                        = var.name_prefix
  stage_name                  = local.stage_name
  function_names              = var.functions
  lambda_function_name        = module.function.function_name
  lambda_invoke_arn           = module.function.invoke_arn
  allowed_role_arn            = module.snowflake_role.role_arn
  log_retention_days          = var.log_retention_days
  manage_account_logging_role = var.manage_api_gateway_logging_role
}
