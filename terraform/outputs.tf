output "storage_backend" {
  description = "The storage backend deployed."
  value       = module.sfasync.storage_backend
}

output "invoke_urls" {
  description = "Invoke URL of each external function (function => URL); call one with `sfasync call --sigv4 <url>`."
  value       = module.sfasync.invoke_urls
}

output "snowflake_role_arn" {
  description = "ARN of the role Snowflake assumes (API_AWS_ROLE_ARN)."
  value       = module.sfasync.snowflake_role_arn
}

output "api_integration_sql" {
  description = "CREATE API INTEGRATION statement."
  value       = module.sfasync.api_integration_sql
}

output "external_function_sql" {
  description = "CREATE EXTERNAL FUNCTION statement of each function (function => SQL)."
  value       = module.sfasync.external_function_sql
}

output "snowflake_sql" {
  description = "The whole Snowflake setup, ready to run: `terraform output -raw snowflake_sql`."
  value       = module.sfasync.snowflake_sql
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.sfasync.function_name
}

output "jobs_storage" {
  description = "Where the jobs live: table, bucket and prefix, or file system and access point."
  value       = module.sfasync.jobs_storage
}
