variable "name" {
  description = "Name given to the file system, security groups and (when created) the VPC."
  type        = string
}

variable "vpc_id" {
  description = "Existing VPC to use. When null a small VPC with private subnets (no internet access) is created."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Private subnets of vpc_id (one per availability zone) for the mount targets, the function and the VPC endpoints. Required when vpc_id is set."
  type        = list(string)
  default     = []

  validation {
    condition     = var.vpc_id == null || length(var.subnet_ids) > 0
    error_message = "subnet_ids must name at least one private subnet of vpc_id when vpc_id is set."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC created when vpc_id is null."
  type        = string
  default     = "10.80.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR block, e.g. 10.80.0.0/16."
  }
}

variable "az_count" {
  description = "Number of availability zones (private subnets) of the VPC created when vpc_id is null."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 1 && var.az_count <= 4
    error_message = "az_count must be between 1 and 4."
  }
}

variable "create_vpc_endpoints" {
  description = "Create interface endpoints (private DNS) for the Lambda and Comprehend APIs. Turn off only if the VPC already has them or a NAT gateway: without a route to those APIs the self-invocation hangs."
  type        = bool
  default     = true
}

variable "local_mount_path" {
  description = "Where the function mounts the access point (must be under /mnt/)."
  type        = string
  default     = "/mnt/sfasync"

  validation {
    condition     = can(regex("^/mnt/[A-Za-z0-9._-]+$", var.local_mount_path))
    error_message = "local_mount_path must be a single folder under /mnt/, e.g. /mnt/sfasync."
  }
}

variable "posix_uid" {
  description = "POSIX user id every file is written as (through the access point)."
  type        = number
  default     = 1000
}

variable "posix_gid" {
  description = "POSIX group id every file is written as (through the access point)."
  type        = number
  default     = 1000
}
