output "file_system_id" {
  description = "ID of the EFS file system."
  value       = aws_efs_file_system.this.id
}

output "file_system_arn" {
  description = "ARN of the EFS file system."
  value       = aws_efs_file_system.this.arn
}

output "access_point_arn" {
  description = "ARN of the access point the function mounts."
  value       = aws_efs_access_point.this.arn
}

output "mount_target_ids" {
  description = "IDs of the mount targets, one per subnet."
  value       = aws_efs_mount_target.this[*].id
}

output "vpc_id" {
  description = "VPC the function and the file system live in."
  value       = local.vpc_id
}

output "subnet_ids" {
  description = "Private subnets of the function, the mount targets and the VPC endpoints."
  value       = local.subnet_ids
}

output "vpc_endpoint_services" {
  description = "Service names of the interface endpoints created for the function."
  value       = [for e in aws_vpc_endpoint.this : e.service_name]
}

output "environment" {
  description = "Environment variables the function needs to find its storage."
  value = {
    STORAGE_BACKEND = "efs"
    JOBS_DIR        = var.local_mount_path
  }
}

output "vpc_config" {
  description = "VPC configuration for the function."
  value = {
    subnet_ids         = local.subnet_ids
    security_group_ids = [aws_security_group.function.id]
  }
}

output "file_system" {
  description = "File system configuration for the function. Ready only once the mount targets exist (Lambda refuses to attach before)."
  value = {
    access_point_arn = aws_efs_access_point.this.arn
    local_mount_path = var.local_mount_path
  }
  depends_on = [aws_efs_mount_target.this, aws_vpc_endpoint.this]
}

output "policy_json" {
  description = "IAM policy granting the function NFS access through the access point only, and the network interfaces a VPC function needs."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "MountThroughAccessPoint"
        Effect    = "Allow"
        Action    = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
        Resource  = [aws_efs_file_system.this.arn]
        Condition = { StringEquals = { "elasticfilesystem:AccessPointArn" = aws_efs_access_point.this.arn } }
      },
      {
        # What AWSLambdaVPCAccessExecutionRole grants for ENIs; EC2 has no resource-level scoping
        # for these calls when made by the Lambda service.
        Sid    = "VpcNetworkInterfaces"
        Effect = "Allow"
        Action = [
          "ec2:AssignPrivateIpAddresses",
          "ec2:CreateNetworkInterface",
          "ec2:DeleteNetworkInterface",
          "ec2:DescribeNetworkInterfaces",
          "ec2:UnassignPrivateIpAddresses",
        ]
        Resource = ["*"]
      },
    ]
  })
}
