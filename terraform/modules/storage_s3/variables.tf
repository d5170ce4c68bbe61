variable "bucket_name" {
  description = "Name of the S3 bucket that holds the jobs (globally unique)."
  type        = string
}

variable "prefix" {
  description = "Key prefix under which every job object lives; the function may touch nothing else."
  type        = string
  default     = "jobs/"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+/$", var.prefix))
    error_message = "prefix must be one path segment ending in \"/\", e.g. \"jobs/\"."
  }
}

variable "expiration_days" {
  description = "Days after which the lifecycle rule removes objects under the prefix (a backstop: the scheduled sweep removes expired jobs earlier)."
  type        = number
  default     = 1

  validation {
    condition     = var.expiration_days >= 1 && floor(var.expiration_days) == var.expiration_days
    error_message = "expiration_days must be a whole number of days, at least 1."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with the job objects still in it."
  type        = bool
  default     = true
}
