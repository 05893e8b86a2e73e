"""The server's log: plain text lines, or one JSON object per line
(``--log-format json``) where an audit event's fields (``core.audit.events``: event,
outcome, pool, user, client, source address, request id) stand as keys of their own.

Nothing secret is written: passwords, codes and tokens never enter a log call, and the
admin secret, should anything ever format it into a message, is replaced by a filter.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        audit = getattr(record, "audit", None)
        if isinstance(audit, dict):
            entry.update({k: v for k, v in audit.items() if v is not None})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class SecretFilter(logging.Filter):
    """Replace known secrets in a record's message (and its arguments) before any
    handler formats it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, REDACTED)
            record.msg, record.args = message, None
        return True


def configure(level: str, log_format: str = "text", secrets: list[str] | None = None) -> None:
    """Send every logger (uvicorn's included) to stderr in ``log_format``."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(SecretFilter(secrets or []))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())


def add_secret(secret: str) -> None:
    """Redact ``secret`` too (a key generated after logging was configured)."""
    for handler in logging.getLogger().handlers:
        for found in handler.filters:
            if isinstance(found, SecretFilter) and len(secret) >= 8:
                found.secrets.append(secret)
