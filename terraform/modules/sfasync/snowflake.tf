# Ready-to-run Snowflake SQL (step one of the setup; see README.md, "Deploy").
locals {
  integration_name = "${upper(replace(var.name_prefix, "-", "_"))}_API"

  # The SQL signature of each function; unknown plug-ins take one VARIANT.
  function_signatures = {
    sentiment = "text VARCHAR"
    echo      = "value VARIANT"
  }

  # IF NOT EXISTS, not OR REPLACE: replacing the integration would give it a new external id
  # and break the trust set up in step two.
  api_integration_sql = <<-SQL
    CREATE API INTEGRATION IF NOT EXISTS ${local.integration_name}
      API_PROVIDER = aws_api_gateway
      API_AWS_ROLE_ARN = '${module.snowflake_role.role_arn}'
      API_ALLOWED_PREFIXES = ('${module.api.base_url}')
      ENABLED = TRUE;
  SQL

  external_function_sql = {
    for f, url in module.api.invoke_urls : f => <<-SQL
      CREATE OR REPLACE EXTERNAL FUNCTION ${f}(${lookup(local.function_signatures, f, "value VARIANT")})
        RETURNS VARIANT
        API_INTEGRATION = ${local.integration_name}
        MAX_BATCH_ROWS = 4096
        COMPRESSION = AUTO
        AS '${url}';
    SQL
  }

  snowflake_sql = join("\n", concat(
    ["-- 1. As ACCOUNTADMIN (or a role with CREATE INTEGRATION):", local.api_integration_sql],
    ["-- 2. Copy API_AWS_IAM_USER_ARN and API_AWS_EXTERNAL_ID into the Terraform variables", "--    snowflake_api_aws_iam_user_arn and snowflake_api_aws_external_id, then apply again:", "DESCRIBE INTEGRATION ${local.integration_name};", ""],
    ["-- 3. The external functions:"],
    [for f in var.functions : local.external_function_sql[f]],
  ))
}
