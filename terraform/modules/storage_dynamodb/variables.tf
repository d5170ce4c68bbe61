variable "table_name" {
  description = "Name of the DynamoDB table that holds the jobs."
  type        = string
}

variable "point_in_time_recovery" {
  description = "Enable point-in-time recovery. Job records are short-lived, so this is off unless asked for."
  type        = bool
  default     = false
}
