"""sfasync's command line: the local endpoint (``serve``), the Snowflake-style client (``call``),
the ``make run`` demo (``run``) and the benchmark (``bench``).

The service itself (what runs in Lambda) lives in ``lambda/sfasync_service``; this package only
drives it from one machine.
"""
