output "table_name" {
  description = "Name of the jobs table."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the jobs table."
  value       = aws_dynamodb_table.this.arn
}

output "environment" {
  description = "Environment variables the function needs to find its storage."
  value = {
    STORAGE_BACKEND = "dynamodb"
    JOBS_TABLE      = aws_dynamodb_table.this.name
  }
}

output "policy_json" {
  description = "IAM policy granting the function exactly what the DynamoDB adapter uses, on this table only."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "JobsTable"
      Effect = "Allow"
      Action = [
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
      ]
      Resource = [aws_dynamodb_table.this.arn]
    }]
  })
}
