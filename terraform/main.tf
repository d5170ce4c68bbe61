# The whole service is the `sfasync` module; this root adds the provider. The cdktf app
# (../cdktf) wraps the same module, so the resources are defined once.
locals {
  # Default: the output of `make package`, relative to this folder.
  lambda_zip = coalesce(var.lambda_zip, "${path.module}/../build/lambda.zip")
}

module "sfasync" {
  source = "./modules/sfasync"

  storage_backend                 = var.storage_backend
  name_prefix                     = var.name_prefix
  lambda_zip                      = local.lambda_zip
  functions                       = var.functions
  lambda_memory_mb                = var.lambda_memory_mb
  lambda_timeout_s                = var.lambda_timeout_s
  reserved_concurrency            = var.reserved_concurrency
  result_retention_seconds        = var.result_retention_seconds
  log_retention_days              = var.log_retention_days
  snowflake_api_aws_iam_user_arn  = var.snowflake_api_aws_iam_user_arn
  snowflake_api_aws_external_id   = var.snowflake_api_aws_external_id
  vpc_id                          = var.vpc_id
  subnet_ids                      = var.subnet_ids
  create_vpc_endpoints            = var.create_vpc_endpoints
  point_in_time_recovery          = var.point_in_time_recovery
  manage_api_gateway_logging_role = var.manage_api_gateway_logging_role
}
