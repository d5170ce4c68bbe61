# Job records: pk = sha256 of the batch id, sk = "job" | "outcome" | "<name>#<n>" (chunks).
resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_28:Job records live minutes; point-in-time recovery is a variable (point_in_time_recovery), off by default.
  #checkov:skip=CKV_AWS_119:Encrypted at rest with the AWS managed key; a customer managed key adds cost and key administration for records that live minutes.
  name         = var.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  # expires_at holds epoch seconds; TTL removes abandoned and delivered records.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }
}
