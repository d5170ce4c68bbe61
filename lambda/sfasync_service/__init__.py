"""sfasync's service code: what runs inside the Lambda function (and in the local server's workers).

Modules, one concept each:
- ``config``     -- settings from the environment (SPEC §7)
- ``protocol``   -- Snowflake's wire format and the HTTP contract (SPEC §2, §4)
- ``jobs``       -- the job state machine over a ``JobStore`` (SPEC §5)
- ``processors`` -- the functions that compute one value per row (SPEC §6)
- ``invokers``   -- how a POST starts the separate processing invocation
- ``app``        -- the composition root and the event dispatcher (``lambda_handler``)
"""
