resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Job objects are transient; server access logs would outgrow the data. API calls are in CloudTrail.
  #checkov:skip=CKV_AWS_144:Job records live minutes; cross-region replication protects nothing here.
  #checkov:skip=CKV_AWS_145:Encrypted with SSE-S3; SSE-KMS would add a KMS request to every job read and write.
  #checkov:skip=CKV2_AWS_62:No consumer for event notifications; the function polls by key.
  #checkov:skip=CKV_AWS_21:Versioning would keep every deleted job record; records are meant to disappear.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-jobs"
    status = "Enabled"

    filter {
      prefix = var.prefix
    }

    expiration {
      days = var.expiration_days
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  # A bucket policy cannot be attached while the public access block is being changed.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
