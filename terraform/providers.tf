provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({ Project = "sfasync" }, var.tags)
  }
}
