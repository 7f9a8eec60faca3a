"""Log context (who made the request) and redaction of secrets before anything is written."""

from __future__ import annotations

import logging
import re

from api.common.request_context import current_log_user


class RequestUserFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "user"):
            record.user = current_log_user()
        return True


# A JWT is three base64url segments, the first starting with eyJ ('{"').
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
_SECRET_FIELDS = re.compile(
    r"(?i)([\"']?(?:password|passwd|secret|token|refresh|access|api[_-]?key|authorization)"
    r"[\"']?\s*[:=]\s*)([\"']?)[^\"',\s}&]+"
)
REDACTED = "[REDACTED]"


def redact(text: str) -> str:
    text = _JWT.sub(REDACTED, text)
    text = _BEARER.sub(rf"\1{REDACTED}", text)
    return _SECRET_FIELDS.sub(rf"\1\2{REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    """Tokens and passwords never reach a log file, whatever a caller passes in."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        # Django's request loggers pass the request along (extra={"request": ...}); the
        # JSON formatter would write its repr, query string included.
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            record.request = _request_summary(request)
        return True


def _request_summary(request) -> str:
    """`<GET /path>`: method and path of a request object, never its query string."""
    method = getattr(request, "method", None) or "-"
    path = getattr(request, "path", None)
    path = path.split("?", 1)[0] if isinstance(path, str) else "-"
    return f"<{method} {path}>"
