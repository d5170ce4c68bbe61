variable "role_name" {
  description = "Name of the IAM role Snowflake's API integration assumes."
  type        = string
}

variable "snowflake_iam_user_arn" {
  description = "API_AWS_IAM_USER_ARN from `DESCRIBE INTEGRATION`. Until set, the role trusts only this account."
  type        = string
  default     = null

  validation {
    condition     = var.snowflake_iam_user_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(user|role)/.+$", var.snowflake_iam_user_arn))
    error_message = "snowflake_iam_user_arn must be an IAM user (or role) ARN such as arn:aws:iam::123456789012:user/abc1-b-self1234, as shown by DESCRIBE INTEGRATION."
  }
}

variable "snowflake_external_id" {
  description = "API_AWS_EXTERNAL_ID from `DESCRIBE INTEGRATION`."
  type        = string
  default     = null

  validation {
    condition     = try(trimspace(var.snowflake_external_id) != "", var.snowflake_external_id == null)
    error_message = "snowflake_external_id must be null or the non-empty API_AWS_EXTERNAL_ID shown by DESCRIBE INTEGRATION."
  }
}
