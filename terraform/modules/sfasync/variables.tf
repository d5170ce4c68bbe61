variable "storage_backend" {
  description = "Where jobs are stored: \"dynamodb\", \"s3\" or \"efs\"."
  type        = string

  validation {
    condition     = contains(["dynamodb", "s3", "efs"], var.storage_backend)
    error_message = "storage_backend must be one of \"dynamodb\", \"s3\", \"efs\"."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name (lower case letters, digits, hyphens)."
  type        = string
  default     = "sfasync"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 characters of lower case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "lambda_zip" {
  description = "Path of the deployment package built by `make package`."
  type        = string
}

variable "functions" {
  description = "External functions to publish, each at /{name} (processors known to the handler)."
  type        = list(string)
  default     = ["sentiment", "echo"]

  validation {
    condition     = length(var.functions) > 0 && alltrue([for f in var.functions : can(regex("^[a-z][a-z0-9_]{0,62}$", f))])
    error_message = "functions must list at least one name of lower case letters, digits and underscores, starting with a letter."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of the function in MB (128-10240)."
  type        = number
  default     = 512

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240
    error_message = "lambda_memory_mb must be between 128 and 10240."
  }
}

variable "lambda_timeout_s" {
  description = "Timeout of the function in seconds (30-900); also PROCESS_TIMEOUT_SECONDS, the longest processing run."
  type        = number
  default     = 300

  validation {
    condition     = var.lambda_timeout_s >= 30 && var.lambda_timeout_s <= 900
    error_message = "lambda_timeout_s must be between 30 and 900 (Lambda's maximum)."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions of the function; -1 (default) reserves none."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrency >= -1
    error_message = "reserved_concurrency must be -1 (no reservation) or a number of executions >= 0."
  }
}

variable "result_retention_seconds" {
  description = "How long a delivered or failed batch stays readable (Snowflake may repeat a GET); RESULT_RETENTION_SECONDS."
  type        = number
  default     = 600

  validation {
    condition     = var.result_retention_seconds >= 60 && var.result_retention_seconds <= 86400
    error_message = "result_retention_seconds must be between 60 and 86400."
  }
}

variable "log_retention_days" {
  description = "Retention of the function and access log groups, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "snowflake_api_aws_iam_user_arn" {
  description = "API_AWS_IAM_USER_ARN from `DESCRIBE INTEGRATION` (step two of the Snowflake setup). Until set, the Snowflake role trusts nobody outside this account."
  type        = string
  default     = null
}

variable "snowflake_api_aws_external_id" {
  description = "API_AWS_EXTERNAL_ID from `DESCRIBE INTEGRATION` (step two of the Snowflake setup)."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "EFS backend: an existing VPC for the file system and the function. When null a VPC with private subnets is created."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "EFS backend: private subnets of vpc_id, one per availability zone. Required with vpc_id."
  type        = list(string)
  default     = []

  validation {
    condition     = var.vpc_id == null || length(var.subnet_ids) > 0
    error_message = "subnet_ids must name at least one private subnet of vpc_id when vpc_id is set."
  }
}

variable "create_vpc_endpoints" {
  description = "EFS backend: create interface endpoints for the Lambda and Comprehend APIs. Turn off only when the VPC already provides them (or a NAT gateway)."
  type        = bool
  default     = true
}

variable "point_in_time_recovery" {
  description = "DynamoDB backend: enable point-in-time recovery of the jobs table."
  type        = bool
  default     = false
}

variable "manage_api_gateway_logging_role" {
  description = "Create and register the account-wide (per region) role that lets API Gateway write logs. Set false when the account already has one."
  type        = bool
  default     = true
}
