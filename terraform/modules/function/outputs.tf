output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway uses to invoke the function."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "role_policies" {
  description = "The execution role's inline policies (name => JSON document): everything the function may do."
  value = {
    (aws_iam_role_policy.function.name) = aws_iam_role_policy.function.policy
    (aws_iam_role_policy.storage.name)  = aws_iam_role_policy.storage.policy
  }
}

output "environment" {
  description = "Environment variables of the function."
  value       = aws_lambda_function.this.environment[0].variables
}

output "vpc_subnet_ids" {
  description = "Subnets the function runs in (empty outside a VPC)."
  value       = try(tolist(aws_lambda_function.this.vpc_config[0].subnet_ids), [])
}

output "file_system_mounts" {
  description = "Access points the function mounts, with their local paths."
  value       = [for c in aws_lambda_function.this.file_system_config : { arn = c.arn, local_mount_path = c.local_mount_path }]
}

output "log_group_name" {
  description = "The function's log group."
  value       = aws_cloudwatch_log_group.this.name
}
