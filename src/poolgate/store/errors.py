"""Which failures mean "the database cannot be reached" (as opposed to a bug): a
refused or dropped connection, a server shutting down, a pool with no free connection,
a SQLite file that cannot be written. The server reports those as an outage."""

from __future__ import annotations

import sqlite3

_ASYNCPG_CONNECTION_ERRORS = {
    "PostgresConnectionError",  # ConnectionDoesNotExistError, ConnectionFailureError...
    "InterfaceError",
    "InternalClientError",  # "cannot switch to state": a connection left mid-operation
    "CannotConnectNowError",
    "OperatorInterventionError",  # AdminShutdownError, a terminated backend
    "TooManyConnectionsError",
}


def is_connection_error(error: BaseException) -> bool:
    """True when ``error`` (or what it wraps or was caused by) is a connection failure."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _is_connection_error(current):
            return True
        for inner in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                stack.append(inner)
    return False


def _is_connection_error(error: BaseException) -> bool:
    if isinstance(error, (ConnectionError, TimeoutError)):
        return True
    if isinstance(error, OSError) and not isinstance(error, sqlite3.Error):
        return True
    if isinstance(error, sqlite3.OperationalError):
        text = str(error)
        return any(s in text for s in ("locked", "disk", "full", "unable to open"))
    module = type(error).__module__
    name = type(error).__name__
    if module.startswith("asyncpg"):
        # By class or base class name: asyncpg is not imported for SQLite.
        return any(base.__name__ in _ASYNCPG_CONNECTION_ERRORS for base in type(error).__mro__)
    if module.startswith("sqlalchemy"):
        if getattr(error, "connection_invalidated", False):
            return True
        # The pool waited in vain for a connection (QueuePool's TimeoutError).
        return name in ("TimeoutError", "DisconnectionError")
    return False
