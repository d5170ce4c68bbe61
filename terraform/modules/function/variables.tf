variable "function_name" {
  description = "Name of the Lambda function (also names its role and log group)."
  type        = string
}

variable "lambda_zip" {
  description = "Path of the deployment package built by `make package` (build/lambda.zip)."
  type        = string
}

variable "handler" {
  description = "Entry point inside the zip."
  type        = string
  default     = "handler.lambda_handler"
}

variable "runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "python3.12"
}

variable "memory_mb" {
  description = "Memory of the function in MB."
  type        = number
  default     = 512
}

variable "timeout_s" {
  description = "Timeout of the function in seconds; also the longest processing run (PROCESS_TIMEOUT_SECONDS)."
  type        = number
  default     = 300
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; -1 leaves the function on the account's unreserved pool."
  type        = number
  default     = -1
}

variable "log_retention_days" {
  description = "Retention of the function's log group in days."
  type        = number
  default     = 14
}

variable "environment" {
  description = "Environment variables of the function (storage location, retention, engine...)."
  type        = map(string)
}

variable "storage_policy_json" {
  description = "IAM policy document (JSON) for the storage backend, from the storage module."
  type        = string
}

variable "vpc_config" {
  description = "Subnets and security groups when the function must run in a VPC (EFS backend); null otherwise."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "file_system" {
  description = "EFS access point to mount (EFS backend); null otherwise."
  type = object({
    access_point_arn = string
    local_mount_path = string
  })
  default = null
}

variable "max_event_age_s" {
  description = "Longest an asynchronous (process) event may wait before Lambda drops it: the processing window."
  type        = number
  default     = 900
}

variable "sweep_schedule" {
  description = "EventBridge schedule of the sweep that deletes expired job records."
  type        = string
  default     = "rate(5 minutes)"
}
