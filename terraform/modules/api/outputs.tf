output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "stage_name" {
  description = "Name of the deployed stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "base_url" {
  description = "Invoke URL of the stage, ending in \"/\" (Snowflake's API_ALLOWED_PREFIXES)."
  value       = "${trimsuffix(aws_api_gateway_stage.this.invoke_url, "/")}/"
}

output "invoke_urls" {
  description = "Invoke URL of each external function (function => URL)."
  value       = { for f in var.function_names : f => "${trimsuffix(aws_api_gateway_stage.this.invoke_url, "/")}/${f}" }
}

output "method_authorizations" {
  description = "Authorization type of each method on /{function} (method => type)."
  value       = { for k, m in aws_api_gateway_method.this : k => m.authorization }
}

output "resource_policy" {
  description = "The REST API's resource policy (JSON)."
  value       = aws_api_gateway_rest_api_policy.this.policy
}
