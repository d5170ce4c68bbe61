# Network for the EFS backend: the function runs in private subnets, reaches the file system over
# NFS and the Lambda and Comprehend APIs through interface endpoints (no NAT gateway needed).

data "aws_region" "current" {}

data "aws_partition" "current" {}

data "aws_availability_zones" "available" {
  count = var.vpc_id == null ? 1 : 0
  state = "available"
}

locals {
  create_vpc = var.vpc_id == null
  vpc_id     = local.create_vpc ? aws_vpc.this[0].id : var.vpc_id
  subnet_ids = local.create_vpc ? aws_subnet.private[*].id : var.subnet_ids
  # Known at plan time in both cases, so mount targets can be counted.
  subnet_count      = local.create_vpc ? var.az_count : length(var.subnet_ids)
  endpoint_services = var.create_vpc_endpoints ? toset(["lambda", "comprehend"]) : toset([])
}

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:Private subnets with no internet route; flow logs are left to the account's network policy.
  count = local.create_vpc ? 1 : 0

  cidr_block = var.vpc_cidr
  # Private DNS of the interface endpoints needs both.
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.name }
}

# Take every rule away from the default security group; nothing uses it.
resource "aws_default_security_group" "this" {
  count  = local.create_vpc ? 1 : 0
  vpc_id = aws_vpc.this[0].id
}

resource "aws_subnet" "private" {
  count = local.create_vpc ? var.az_count : 0

  vpc_id                  = aws_vpc.this[0].id
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, count.index)
  availability_zone       = data.aws_availability_zones.available[0].names[count.index]
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-private-${count.index}" }
}

resource "aws_security_group" "function" {
  #checkov:skip=CKV2_AWS_5:Attached to the Lambda function through this module's vpc_config output (the function module).
  name        = "${var.name}-function"
  description = "sfasync function: NFS to the file system, HTTPS to the VPC endpoints"
  vpc_id      = local.vpc_id
}

resource "aws_security_group" "efs" {
  name        = "${var.name}-efs"
  description = "sfasync file system: NFS from the function only"
  vpc_id      = local.vpc_id
}

resource "aws_security_group" "endpoints" {
  count = var.create_vpc_endpoints ? 1 : 0

  name        = "${var.name}-endpoints"
  description = "sfasync VPC endpoints: HTTPS from the function only"
  vpc_id      = local.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "efs_nfs_from_function" {
  security_group_id            = aws_security_group.efs.id
  description                  = "NFS from the function"
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
  referenced_security_group_id = aws_security_group.function.id
}

resource "aws_vpc_security_group_egress_rule" "function_nfs_to_efs" {
  security_group_id            = aws_security_group.function.id
  description                  = "NFS to the file system"
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
  referenced_security_group_id = aws_security_group.efs.id
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https_from_function" {
  count = var.create_vpc_endpoints ? 1 : 0

  security_group_id            = aws_security_group.endpoints[0].id
  description                  = "HTTPS from the function"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.function.id
}

# With endpoints of our own, HTTPS goes to them only; with endpoints or a NAT gateway supplied by
# the VPC, the function may reach any HTTPS destination the VPC routes.
resource "aws_vpc_security_group_egress_rule" "function_https" {
  security_group_id            = aws_security_group.function.id
  description                  = "HTTPS to the Lambda and Comprehend APIs"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = var.create_vpc_endpoints ? aws_security_group.endpoints[0].id : null
  cidr_ipv4                    = var.create_vpc_endpoints ? null : "0.0.0.0/0"
}

resource "aws_vpc_endpoint" "this" {
  for_each = local.endpoint_services

  vpc_id              = local.vpc_id
  service_name        = "${data.aws_partition.current.reverse_dns_prefix}.${data.aws_region.current.name}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = local.subnet_ids
  security_group_ids  = [aws_security_group.endpoints[0].id]
  private_dns_enabled = true

  tags = { Name = "${var.name}-${each.key}" }
}
