output "bucket_name" {
  description = "Name of the jobs bucket."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the jobs bucket."
  value       = aws_s3_bucket.this.arn
}

output "prefix" {
  description = "Key prefix of the job objects."
  value       = var.prefix
}

output "environment" {
  description = "Environment variables the function needs to find its storage."
  value = {
    STORAGE_BACKEND = "s3"
    JOBS_BUCKET     = aws_s3_bucket.this.bucket
    JOBS_PREFIX     = var.prefix
  }
}

output "policy_json" {
  description = "IAM policy granting the function the S3 adapter's calls on the job prefix only."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "JobObjects"
        Effect   = "Allow"
        Action   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
        Resource = ["${aws_s3_bucket.this.arn}/${var.prefix}*"]
      },
      {
        Sid       = "ListJobPrefix"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [aws_s3_bucket.this.arn]
        Condition = { StringLike = { "s3:prefix" = ["${var.prefix}*"] } }
      },
    ]
  })
}
