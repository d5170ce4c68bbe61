output "role_arn" {
  description = "ARN of the role (API_AWS_ROLE_ARN of the API integration)."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}

output "trusted_principal" {
  description = "The principal the role's trust policy admits."
  value       = local.trusted_principal
}
