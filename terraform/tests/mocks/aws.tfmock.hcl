# Well-formed identifiers where ARNs and URLs are built from them (the mock's random strings
# would make the tests' assertions meaningless). Shared by every terraform/tests/*.tftest.hcl.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/tester"
  }
}
mock_data "aws_region" {
  defaults = { name = "eu-west-1" }
}
mock_data "aws_partition" {
  defaults = {
    partition          = "aws"
    dns_suffix         = "amazonaws.com"
    reverse_dns_prefix = "com.amazonaws"
  }
}
mock_data "aws_availability_zones" {
  defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/sfasync-snowflake" }
}
mock_resource "aws_dynamodb_table" {
  defaults = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/sfasync-jobs" }
}
mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::sfasync-jobs-123456789012-eu-west-1" }
}
mock_resource "aws_efs_file_system" {
  defaults = { arn = "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789" }
}
mock_resource "aws_efs_access_point" {
  defaults = { arn = "arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-0123456789" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/sfasync" }
}
mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:sfasync"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:sfasync/invocations"
  }
}
mock_resource "aws_cloudwatch_event_rule" {
  defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/sfasync-sweep" }
}
mock_resource "aws_api_gateway_rest_api" {
  defaults = { execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123" }
}
mock_resource "aws_api_gateway_stage" {
  defaults = { invoke_url = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1" }
}
