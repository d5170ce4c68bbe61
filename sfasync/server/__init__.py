"""The local endpoint (``sfasync serve``): the Lambda handler behind an HTTP server.

- ``events``  -- HTTP request -> API Gateway REST proxy event (format 1.0) and the answer back
- ``context`` -- a Lambda-like context object
- ``workers`` -- the ``Invoker`` that runs each self-invocation in its own worker process
- ``http``    -- the threaded HTTP server (body limits, one log line per request)
- ``sweep``   -- the periodic sweep Terraform schedules on AWS
- ``local``   -- settings, storage provisioning and the server's lifecycle
"""

from sfasync.server.local import LocalServer, ServerSettings

__all__ = ["LocalServer", "ServerSettings"]
