"""Starting ``poolgate serve``: the checks made once, before anything is served, and
the one line a failed start prints.

Every way a start can fail that an operator can fix (a database that refuses, a
data directory that cannot be written, a port another server owns, a master key
that does not match the database...) ends in one line naming the problem and the
setting to change, and a non-zero exit status; never a traceback (``--debug`` shows
one). ``preflight`` runs in the process that forks the workers, so a worker never
meets these problems one by one.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import os
import socket
import sqlite3
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from poolgate.config import ConfigError, Settings, redact_url

log = logging.getLogger("poolgate")

# Exit statuses: 2 for configuration the operator must change, 1 for the rest.
EXIT_CONFIG = 2
EXIT_FAILED = 1


class StartupError(Exception):
    """A start that cannot go on; the message is the one line to print."""

    def __init__(self, message: str, status: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.status = status


@contextlib.contextmanager
def one_line_errors(
    debug: bool = False, prefix: str = "poolgate", database_url: str | None = None
) -> Iterator[None]:
    """Turn a failed start into one line on stderr and an exit status; a database
    failure names ``database_url`` (the password left out)."""
    global _current_database_url
    if database_url is not None:
        _current_database_url = database_url
    try:
        yield
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except BaseException as error:
        if debug:
            traceback.print_exc()
        line, status = describe(error)
        print(f"{prefix}: {line}", file=sys.stderr, flush=True)
        raise SystemExit(status) from None


def describe(error: BaseException) -> tuple[str, int]:
    """One line for a start-up failure, and the exit status."""
    from poolgate.core.keys.master_key import MasterKeyMismatch
    from poolgate.crypto.sealing import MasterKeyError
    from poolgate.store.migrate import UnknownSchemaError

    if isinstance(error, StartupError):
        return str(error), error.status
    if isinstance(error, ConfigError):
        return str(error), EXIT_CONFIG
    if isinstance(error, MasterKeyMismatch):
        return (
            "the master key is not the one that sealed this database's secrets: every node "
            "on one database needs the same key; set POOLGATE_MASTER_KEY (or master_key) to "
            "the contents of master.key in the data directory of the node that first used "
            "this database",
            EXIT_CONFIG,
        )
    if isinstance(error, MasterKeyError):
        return f"setting 'master_key' (POOLGATE_MASTER_KEY): {error}", EXIT_CONFIG
    if isinstance(error, UnknownSchemaError):
        return str(error), EXIT_FAILED
    database = _database_problem(error)
    if database is not None:
        return database, EXIT_FAILED
    disk = _disk_problem(error)
    if disk is not None:
        return disk, EXIT_FAILED
    text = str(error).splitlines()[0] if str(error) else ""
    return (
        f"could not start: {type(error).__name__}{': ' + text if text else ''} "
        "(--debug prints the traceback)",
        EXIT_FAILED,
    )


# -- the database -------------------------------------------------------------------


_DATABASE_SETTING = "check database_url (POOLGATE_DATABASE_URL)"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (SQLAlchemy's ``orig``) and what caused it."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                stack.append(inner)


def _database_problem(error: BaseException) -> str | None:
    url = _current_database_url
    where = _describe_database(url)
    for cause in _causes(error):
        name = type(cause).__name__
        module = type(cause).__module__
        if module.startswith("asyncpg"):
            if name == "InvalidCatalogNameError":
                database = urlsplit(url).path.strip("/") if url else "?"
                return (
                    f"the database {database!r} does not exist on {where}; create it "
                    f"(createdb {database}) or {_DATABASE_SETTING}"
                )
            if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
                return f"{where} refused the login: {_first_line(cause)}; {_DATABASE_SETTING}"
            if name in ("CannotConnectNowError", "TooManyConnectionsError"):
                return f"{where} does not accept connections now: {_first_line(cause)}"
        if isinstance(cause, socket.gaierror):
            host = urlsplit(url).hostname if url else "?"
            return f"cannot resolve the database host {host!r}; {_DATABASE_SETTING}"
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return (
                f"cannot connect to {where}: connection refused (is the server running?); "
                f"{_DATABASE_SETTING}"
            )
        if isinstance(cause, OSError) and "Multiple exceptions" in str(cause):
            return (
                f"cannot connect to {where}: {_first_line(cause)} (is the server running?); "
                f"{_DATABASE_SETTING}"
            )
        if isinstance(cause, TimeoutError) and url and not url.startswith("sqlite"):
            return (
                f"{where} did not answer in time; {_DATABASE_SETTING} "
                "(or raise database_connect_timeout)"
            )
        if isinstance(cause, sqlite3.OperationalError):
            text = str(cause)
            if "full" in text:
                return f"no space left for the SQLite database ({where}): {text}"
            return f"cannot use the SQLite database ({where}): {text}"
    return None


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]


def _describe_database(url: str | None) -> str:
    if not url:
        return "the database"
    if url.startswith("sqlite"):
        return url.split(":///", 1)[-1]
    parts = urlsplit(url)
    host = parts.hostname or "the local socket"
    return f"PostgreSQL at {host}:{parts.port or 5432} ({redact_url(url)})"


# Set by ``preflight``: the URL the failures above are about.
_current_database_url: str | None = None


# -- the data directory ------------------------------------------------------------------


def _disk_problem(error: BaseException) -> str | None:
    for cause in _causes(error):
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            where = f" ({cause.filename})" if cause.filename else ""
            return f"no space left on the device{where}; free some space or move data_dir"
        if isinstance(cause, OSError) and cause.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            where = f" {cause.filename}" if cause.filename else ""
            return f"cannot write{where}: {cause.strerror}; check the data directory's permissions"
    return None


def check_data_dir(data_dir: Path) -> None:
    """The data directory exists (or can be made) and takes a write and an fsync."""
    setting = "set --data-dir or data_dir (POOLGATE_DATA_DIR)"
    if data_dir.exists() and not data_dir.is_dir():
        raise StartupError(f"the data directory {data_dir} is a file, not a directory; {setting}")
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise StartupError(
            f"cannot create the data directory {data_dir}: {error.strerror}; {setting}"
        ) from None
    probe = data_dir / f".poolgate-write-test-{os.getpid()}"
    try:
        with open(probe, "wb") as handle:
            # A few pages, as the database's first write needs: a full disk shows here.
            handle.write(b"\0" * 16384)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise StartupError(
                f"no space left on the device of the data directory {data_dir}; free some "
                f"space or {setting}"
            ) from None
        raise StartupError(
            f"the data directory {data_dir} is not writable: {error.strerror}; {setting}"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


# -- the issuer ---------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_public_url(settings: Settings) -> None:
    """Nodes sharing a PostgreSQL database must mint tokens with one issuer: each
    node's default (its own host and port) would make a token from one node invalid
    on the others. So a node serving other machines must be told its public URL."""
    if settings.public_url or not settings.database_url:
        return
    if settings.effective_database_url.startswith("sqlite") or is_loopback(settings.host):
        return
    raise StartupError(
        f"serving {settings.host} on PostgreSQL needs the URL clients use, the same on "
        "every node (it is the tokens' issuer): set --public-url or public_url "
        "(POOLGATE_PUBLIC_URL), e.g. https://auth.example.com",
        EXIT_CONFIG,
    )


# -- ports --------------------------------------------------------------------------------


def claim_port(host: str, port: int, what: str) -> socket.socket | None:
    """Hold the port for this server until its last process exits.

    Worker processes share their ports with SO_REUSEPORT, which the kernel also grants
    to any other process of the same user: a second ``poolgate serve`` on the port
    would start silently and receive half the connections. So each server holds a
    Linux abstract socket named after the port (gone with the last process that has
    it, even after SIGKILL), and a second server finds it taken. Elsewhere workers
    share one socket without SO_REUSEPORT, and the bind itself refuses."""
    if not sys.platform.startswith("linux"):
        return None
    lock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        lock.bind(f"\0poolgate-port-{port}")
    except OSError:
        lock.close()
        raise StartupError(
            f"port {port} ({what}) is already served by another poolgate server; stop it "
            f"or choose another port ({_PORT_SETTINGS[what]})"
        ) from None
    lock.set_inheritable(True)
    return lock


_PORT_SETTINGS = {
    "identity provider": "--port or POOLGATE_PORT",
    "API gateway": "--gateway-port or POOLGATE_GATEWAY_PORT",
    "metrics": "metrics_port or POOLGATE_METRICS_PORT",
}


def check_bind(host: str, port: int, what: str) -> None:
    """Fail now, in one line, if the address cannot be bound: taken by another program,
    a privileged port, an address this machine does not have."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except socket.gaierror:
            raise StartupError(
                f"cannot listen on {host!r}: no such address; set --host or POOLGATE_HOST",
                EXIT_CONFIG,
            ) from None
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {port} ({what}) on {host} is in use by another program; stop it "
                    f"or choose another port ({_PORT_SETTINGS[what]})"
                ) from None
            raise StartupError(
                f"cannot listen on {host}:{port} ({what}): {error.strerror}; {_PORT_SETTINGS[what]}"
            ) from None


# -- the database, before serving ------------------------------------------------------


async def prepare_database(settings: Settings, workers: int) -> list[str]:
    """Migrate (several nodes take turns), check the master key and the connection
    budget; the warnings to log."""
    from poolgate.bootstrap import engine_options, open_context

    global _current_database_url
    _current_database_url = settings.effective_database_url
    warnings: list[str] = []
    ctx = await open_context(settings)
    try:
        await _prepare_console(ctx, settings)
        engine: Any = getattr(ctx.store, "engine", None)
        if engine is not None and engine.dialect.name == "postgresql":
            from poolgate.store.postgres import connection_budget

            options = engine_options(settings)
            budget = await connection_budget(engine)
            needed = workers * (options.pool_size + 1)
            advice = (
                "lower database_pool_size (POOLGATE_DATABASE_POOL_SIZE) or --workers, or "
                "raise PostgreSQL's max_connections"
            )
            if needed > budget.available:
                raise StartupError(
                    f"{workers} workers x (database_pool_size {options.pool_size} + 1) = "
                    f"{needed} connections exceed PostgreSQL's max_connections "
                    f"({budget.max_connections}, {budget.reserved} reserved); {advice}",
                    EXIT_CONFIG,
                )
            if needed > budget.available - budget.in_use + 1:
                warnings.append(
                    f"this node may open {needed} database connections, and only "
                    f"{budget.available - budget.in_use + 1} of PostgreSQL's "
                    f"{budget.max_connections} are free now; {advice}"
                )
            elif 2 * needed > budget.available:
                warnings.append(
                    f"this node may open {needed} database connections: PostgreSQL's "
                    f"max_connections ({budget.max_connections}) leaves no room for a second "
                    f"node like it; {advice}"
                )
    finally:
        await ctx.close()
    return warnings


async def _prepare_console(ctx: Any, settings: Settings) -> None:
    """The administrators' pool and the bootstrap administrator, once, before the
    workers start (each worker's start then finds them as they should be)."""
    from poolgate.bootstrap import ensure_console
    from poolgate.core.errors import CognitoError, InvalidPasswordException

    try:
        created = await ensure_console(ctx, settings)
    except InvalidPasswordException as error:
        raise StartupError(
            "setting 'bootstrap_admin_password' (POOLGATE_BOOTSTRAP_ADMIN_PASSWORD) does not "
            f"meet the administrators' password policy: {error.message}",
            EXIT_CONFIG,
        ) from None
    except CognitoError as error:
        raise StartupError(
            f"the admin console cannot be set up: {error.message}; give public_url an "
            "https address (or a loopback one for local development), or set console = false",
            EXIT_CONFIG,
        ) from None
    if created:
        log.info("%s", created)


def lifespan_errors_in_one_line(app: Any) -> Any:
    """Wrap an ASGI app so that a failed startup is logged as one line (uvicorn logs
    the traceback text Starlette hands it otherwise)."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def send_one_line(message: Any) -> None:
            if message.get("type") in ("lifespan.startup.failed", "lifespan.shutdown.failed"):
                error = sys.exc_info()[1]
                if error is not None:
                    message = {**message, "message": describe(error)[0]}
            await send(message)

        await app(scope, receive, send_one_line)

    return wrapped
