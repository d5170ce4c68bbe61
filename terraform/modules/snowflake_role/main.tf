data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # Step one of the Snowflake setup: the integration does not exist yet, so the role trusts
  # nobody outside this account. Step two names Snowflake's IAM user and external id.
  trusted_principal = coalesce(
    var.snowflake_iam_user_arn,
    "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root",
  )
  external_id_condition = var.snowflake_external_id == null ? {} : {
    StringEquals = { "sts:ExternalId" = var.snowflake_external_id }
  }
}

resource "aws_iam_role" "this" {
  #checkov:skip=CKV_AWS_61:Trusting the own account is the placeholder of step one of the Snowflake setup, before DESCRIBE INTEGRATION yields Snowflake's IAM user.
  name        = var.role_name
  description = "Assumed by Snowflake's API integration to call the sfasync API"
  # The role needs no permissions of its own: the API's resource policy admits it.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [merge(
      {
        Sid       = "SnowflakeApiIntegration"
        Effect    = "Allow"
        Principal = { AWS = local.trusted_principal }
        Action    = "sts:AssumeRole"
      },
      length(local.external_id_condition) > 0 ? { Condition = local.external_id_condition } : {},
    )]
  })
}
