resource "aws_iam_role" "this" {
  name = "${var.function_name}-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

locals {
  function_policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "OwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
      },
      {
        Sid      = "InvokeSelf"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = [local.function_arn, "${local.function_arn}:*"]
      },
      {
        # Comprehend's detect calls have no resource-level permissions.
        Sid      = "Sentiment"
        Effect   = "Allow"
        Action   = ["comprehend:BatchDetectSentiment", "comprehend:DetectSentiment"]
        Resource = ["*"]
      },
      {
        # Active tracing; X-Ray accepts no resource-level permissions.
        Sid      = "Tracing"
        Effect   = "Allow"
        Action   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
        Resource = ["*"]
      },
    ]
  })
}

resource "aws_iam_role_policy" "function" {
  name   = "function"
  role   = aws_iam_role.this.id
  policy = local.function_policy_json
}

resource "aws_iam_role_policy" "storage" {
  name   = "storage"
  role   = aws_iam_role.this.id
  policy = var.storage_policy_json
}
