"""Log records as one JSON object per line, with the request they belong to.

``EGOV_LOG_FORMAT=json`` (the default outside the demo) makes every record a line
like ``{"time": "...", "level": "WARNING", "logger": "egov.core.readiness",
"message": "...", "request_id": "3f2a…"}``, which log shippers index without
parsing rules. The request id is the one the request carries in ``X-Request-ID``
(set by ``RequestContextMiddleware``), so a log line, the response header and the
audit entry of the same request can be joined.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from egov.core import request_context


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_context.current().request_id
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
