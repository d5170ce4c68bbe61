variable "name" {
  description = "Name of the REST API (also names its access log group)."
  type        = string
}

variable "stage_name" {
  description = "Name of the stage; the second segment of the invoke URL."
  type        = string
  default     = "v1"
}

variable "function_names" {
  description = "External function names served at /{function}; used for the invoke URLs."
  type        = list(string)
}

variable "lambda_function_name" {
  description = "Name of the Lambda function behind every route."
  type        = string
}

variable "lambda_invoke_arn" {
  description = "Invoke ARN of the Lambda function (proxy integration)."
  type        = string
}

variable "allowed_role_arn" {
  description = "The only IAM role admitted by the resource policy: Snowflake's API integration role."
  type        = string
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second the stage admits (Snowflake retries 429)."
  type        = number
  default     = 500
}

variable "throttling_burst_limit" {
  description = "Burst of requests the stage admits."
  type        = number
  default     = 1000
}

variable "log_retention_days" {
  description = "Retention of the access log group in days."
  type        = number
  default     = 14
}

variable "manage_account_logging_role" {
  description = "Create the account-wide role that lets API Gateway write logs (needed once per account and region for access logging)."
  type        = bool
  default     = true
}
