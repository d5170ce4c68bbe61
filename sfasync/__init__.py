"""sfasync's command line: the local endpoint (``serve``), the Snowflake-style client (``call``),
the benchmark (``bench``) and packaging of the Lambda zip. The service code itself lives in
``lambda/`` (package ``sfasync_service``) and ``storage_backends/``."""

__version__ = "0.1.0"
