output "storage_backend" {
  description = "The storage backend deployed."
  value       = var.storage_backend
}

output "invoke_urls" {
  description = "Invoke URL of each external function (function => URL)."
  value       = module.api.invoke_urls
}

output "api_base_url" {
  description = "Invoke URL of the API stage (API_ALLOWED_PREFIXES)."
  value       = module.api.base_url
}

output "snowflake_role_arn" {
  description = "ARN of the role Snowflake assumes (API_AWS_ROLE_ARN)."
  value       = module.snowflake_role.role_arn
}

output "snowflake_integration_name" {
  description = "Name of the Snowflake API integration in the generated SQL."
  value       = local.integration_name
}

output "api_integration_sql" {
  description = "CREATE API INTEGRATION statement."
  value       = local.api_integration_sql
}

output "external_function_sql" {
  description = "CREATE EXTERNAL FUNCTION statement of each function (function => SQL)."
  value       = local.external_function_sql
}

output "snowflake_sql" {
  description = "The whole Snowflake setup, ready to run."
  value       = local.snowflake_sql
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.function.function_name
}

output "function_environment" {
  description = "Environment variables of the Lambda function."
  value       = module.function.environment
}

output "function_role_policies" {
  description = "Inline policies of the function's role (name => JSON): everything the function may do."
  value       = module.function.role_policies
}

output "function_vpc_subnet_ids" {
  description = "Subnets the function runs in (EFS backend; empty otherwise)."
  value       = module.function.vpc_subnet_ids
}

output "function_file_system_mounts" {
  description = "Access points the function mounts (EFS backend; empty otherwise)."
  value       = module.function.file_system_mounts
}

output "api_method_authorizations" {
  description = "Authorization type of each method on /{function}."
  value       = module.api.method_authorizations
}

output "jobs_storage" {
  description = "Where the jobs live: table, bucket and prefix, or file system and access point."
  value = {
    backend          = var.storage_backend
    table_name       = try(module.dynamodb[0].table_name, null)
    bucket_name      = try(module.s3[0].bucket_name, null)
    prefix           = try(module.s3[0].prefix, null)
    file_system_id   = try(module.efs[0].file_system_id, null)
    access_point_arn = try(module.efs[0].access_point_arn, null)
    vpc_id           = try(module.efs[0].vpc_id, null)
  }
}
