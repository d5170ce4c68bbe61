resource "aws_efs_file_system" "this" {
  #checkov:skip=CKV_AWS_184:Encrypted with the AWS managed key; a customer managed key adds cost and key administration for records that live minutes.
  #checkov:skip=CKV2_AWS_18:Job records live minutes; backups would only copy garbage.
  creation_token   = var.name
  encrypted        = true
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"

  tags = { Name = var.name }
}

resource "aws_efs_mount_target" "this" {
  count = local.subnet_count

  file_system_id  = aws_efs_file_system.this.id
  subnet_id       = local.subnet_ids[count.index]
  security_groups = [aws_security_group.efs.id]
}

# Every access goes through this access point: a fixed POSIX identity, confined to /sfasync.
resource "aws_efs_access_point" "this" {
  file_system_id = aws_efs_file_system.this.id

  posix_user {
    uid = var.posix_uid
    gid = var.posix_gid
  }

  root_directory {
    path = "/sfasync"

    creation_info {
      owner_uid   = var.posix_uid
      owner_gid   = var.posix_gid
      permissions = "0750"
    }
  }

  tags = { Name = var.name }
}
