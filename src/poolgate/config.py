"""Configuration: a TOML file, then ``POOLGATE_*`` environment overrides, then CLI flags.

Only the settings that exist are accepted; a typo in the file is an error at start,
not a silently ignored key. The file's top level holds settings, the tables of settings
(``[server]``, ``[database]``, ``[admin]``, ``[keys]``) and the sections other commands
read (``[[pools]]`` for ``poolgate apply``, ``[[functions]]`` and ``[[apis]]`` for the
gateway); any other key is refused with the table it is in and the nearest known name.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from poolgate.suggest import did_you_mean


class ConfigError(Exception):
    """The configuration cannot be used; the message says which setting and why."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 9229
    data_dir: Path = Path("data")
    # Empty means SQLite in the data directory.
    database_url: str = ""
    # PostgreSQL: connections each worker process may hold (plus one that LISTENs),
    # so a node holds at most workers x (pool + 1). Sized for several nodes under
    # PostgreSQL's default max_connections of 100; checked against the server's at start.
    database_pool_size: int = 10
    # Seconds an unused pooled connection is kept before it is closed.
    database_idle_timeout: int = 60
    # Seconds after which a connection is replaced (0: never), so none outlives a
    # failover or a server-side limit.
    database_max_lifetime: int = 1800
    # Seconds to wait for the database to accept a connection.
    database_connect_timeout: int = 10
    # SQLite's synchronous pragma: "full" (default) keeps every acknowledged write
    # across a power loss or an OS crash; "normal" only across a crash of the process.
    sqlite_synchronous: str = "full"
    # Base of issuers, JWKS and hosted-page links; defaults to http://{host}:{port}.
    public_url: str = ""
    # Issuer template; "{public_url}" and "{pool_id}" and "{region}" are substituted.
    issuer: str = "{public_url}/{pool_id}"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    # 32 bytes, base64 (urlsafe or standard). Empty: generated into the data directory.
    master_key: str = ""
    admin_access_key_id: str = ""
    admin_secret_access_key: str = ""
    log_level: str = "info"
    # PKCE (S256) for public clients' authorization-code flow; Cognito leaves it
    # optional, the OAuth security BCP asks for it.
    require_pkce: bool = True
    # Email goes through this SMTP server when set; otherwise to the outbox (mailbox).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "no-reply@poolgate.local"
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    # Text messages (SMS MFA and sign-in codes, phone verification) are POSTed as JSON
    # to this URL when set (poolgate.mail.sms_webhook); otherwise kept in the outbox.
    sms_webhook_url: str = ""
    sms_webhook_token: str = field(default="", repr=False)
    # The developer mailbox (/_mailbox) shows every code in clear: "auto" serves it only
    # in local development (bound to loopback, no public URL elsewhere); "true" serves it
    # anywhere, behind the admin key when not in local development; "false" never.
    mailbox: str = "auto"
    # Host names requests may carry besides the public URL's and loopback names
    # (comma-separated): every other Host is refused (DNS rebinding).
    allowed_hosts: str = ""
    # Request limits, enforced before anything reads or parses the request.
    max_body_bytes: int = 512 * 1024
    max_header_bytes: int = 32 * 1024
    max_headers: int = 100
    # Throttles (N/PERIOD, e.g. 100/5m; "off" disables): failed sign-ins and codes sent
    # per source address; loopback addresses are exempt unless throttle_loopback.
    throttle_sign_in_failures_per_address: str = "100/5m"
    throttle_code_sends_per_address: str = "60/1h"
    throttle_loopback: bool = False
    # Cognito's per-category request rates, "Category=N,..." requests per second
    # (UserAuthentication=120,UserCreation=50); empty: none.
    quotas: str = ""
    # "text" or "json" (one JSON object per line, the audit events' fields apart).
    log_format: str = "text"
    # The API gateway's port (``serve --gateway-port``); 0: no gateway. Its routes are
    # the config file's [[apis]] and [[functions]] (poolgate.gateway.config).
    gateway_port: int = 0
    # Prometheus metrics at http://{metrics_host}:{metrics_port}/metrics; 0: none.
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    # On SIGTERM: seconds in-flight requests get to finish before the process exits.
    drain_timeout: int = 30
    # The admin console at /admin/ (poolgate.console), whose administrators sign in
    # through Poolgate's own administrators' pool; false: no console routes at all.
    console: bool = True
    # The first administrator, created at start while the administrators' pool has no
    # user (Keycloak's convention); the password must be changed at the first sign-in.
    bootstrap_admin_username: str = ""
    bootstrap_admin_password: str = field(default="", repr=False)
    # Administrators' second factor: "off", "optional" (an authenticator app can be set
    # up on the console's Account page) or "required" (set up at the first sign-in).
    console_mfa: str = "optional"
    # How long a console sign-in lasts (minutes, 5 to 1440): the lifetime of the tokens
    # of the console's app client.
    console_session_minutes: int = 60
    # Memory (bytes, estimated) each worker may spend remembering access tokens whose
    # signature it checked, so a token sent again skips the RSA verification; least
    # recently used tokens go first. 0: verify every time. ~3.3 KB a token.
    token_cache_bytes: int = 16 * 1024 * 1024
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def https(self) -> bool:
        """Served to the world over HTTPS: cookies get Secure and ``__Host-``, HSTS."""
        return self.effective_public_url.startswith("https://")

    @property
    def local_development(self) -> bool:
        """Bound to loopback and known by a loopback name over plain HTTP: only this
        machine reaches the server."""
        public_host = urlsplit(self.effective_public_url).hostname or ""
        return is_loopback_name(self.host) and is_loopback_name(public_host) and not self.https

    @property
    def mailbox_served(self) -> bool:
        return self.mailbox == "true" or (self.mailbox == "auto" and self.local_development)

    @property
    def mailbox_needs_admin_key(self) -> bool:
        return not self.local_development

    @property
    def host_names(self) -> frozenset[str]:
        """The names a request's Host may carry: the public URL's, the extra allowed
        ones, and loopback names."""
        names = {urlsplit(self.effective_public_url).hostname or ""}
        names.update(name.strip().lower() for name in self.allowed_hosts.split(","))
        names.discard("")
        return frozenset(names)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return normalize_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'poolgate.db').resolve()}"

    @property
    def issuer_template(self) -> str:
        """The issuer with everything but ``{pool_id}`` filled in."""
        return self.issuer.replace("{public_url}", self.effective_public_url).replace(
            "{region}", self.region
        )

    def issuer_for(self, pool_id: str) -> str:
        return self.issuer.format(
            public_url=self.effective_public_url, pool_id=pool_id, region=self.region
        )


def is_loopback_name(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_database_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``) and pick the
    driver Poolgate ships with: asyncpg, and the standard library's sqlite3."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite+aiosqlite:///"):
        return "sqlite:///" + url[len("sqlite+aiosqlite:///") :]
    return url


_URL_EXAMPLES = "postgresql://USER@HOST:5432/DATABASE or sqlite:///PATH/poolgate.db"


def check_database_url(url: str) -> None:
    """Refuse a ``database_url`` Poolgate cannot use before anything connects: one
    line naming what is wrong and the setting (the password is never repeated)."""
    if not url:
        return
    where = f"setting 'database_url' (POOLGATE_DATABASE_URL) {redact_url(url)!r}"
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(f"{where} is not a database URL; write {_URL_EXAMPLES}")
    dialect = scheme.split("+", 1)[0].lower()
    if dialect == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise ConfigError(
                f"{where} names no SQLite file; write sqlite:///PATH/poolgate.db "
                "(or leave it empty for the data directory)"
            )
        return
    if dialect not in ("postgres", "postgresql"):
        raise ConfigError(
            f"{where}: Poolgate does not support {dialect!r} databases, only PostgreSQL "
            f"and SQLite; write {_URL_EXAMPLES}"
        )
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        port = parts.netloc.rpartition(":")[2]
        raise ConfigError(f"{where}: port {port!r} is not a number") from None
    if not parts.path.strip("/"):
        # libpq would pick the database named after the OS user, over the Unix socket.
        raise ConfigError(f"{where} names no database; write postgresql://USER@HOST:5432/DATABASE")
    if not parts.hostname and "host=" not in parts.query:
        raise ConfigError(f"{where} names no host; write postgresql://USER@HOST:5432/DATABASE")


def redact_url(url: str) -> str:
    """The URL with its password, if any, replaced by ``***``."""
    parts = urlsplit(url) if "://" in url else None
    if parts is None or parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


# Tables whose keys are settings, read as if they were written at the top level.
SETTINGS_TABLES = ("server", "database", "admin", "keys")
# Top-level sections that other commands read and check: ``poolgate apply``
# (poolgate.apply) and the API gateway (poolgate.gateway.config).
DOCUMENT_SECTIONS = ("pools", "functions", "apis")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _coerce(name: str, value: Any) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    kind = kinds[name]
    if kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name!r} must be an integer, got {value!r}") from None
    if kind == "str" and name == "mailbox" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ConfigError(f"setting {name!r} must be true or false, got {value!r}")
    if kind == "Path":
        return Path(value)
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"setting {name!r} must be a string, got {value!r}")
        return value
    return value


def load_settings(
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
    **overrides: object,
) -> Settings:
    """Build the settings: defaults < TOML file < environment < explicit overrides.

    The TOML file may put Poolgate's own settings at the top level or under
    ``[server]`` (or the other ``SETTINGS_TABLES``); the ``DOCUMENT_SECTIONS``
    (``[[pools]]``, ``[[functions]]``, ``[[apis]]``) are kept in ``extra`` for the
    commands that read them. Any other key is a ``ConfigError`` naming it and its table.
    """
    env = os.environ if environ is None else environ
    known = {f.name for f in fields(Settings)} - {"extra"}
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if config_file is not None:
        try:
            raw = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {config_file} does not exist") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"config file {config_file} is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
                f"at offset {exc.start}); TOML files must be saved as UTF-8"
            ) from None
        except OSError as exc:
            raise ConfigError(f"cannot read config file {config_file}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {config_file}: {exc}") from None
        flat, extra = _split(raw, known, config_file)
        for key, value in flat.items():
            values[key] = _coerce(key, value)
    for name in known:
        env_value = env.get(f"POOLGATE_{name.upper()}")
        if env_value is not None and env_value != "":
            values[name] = _coerce(name, env_value)
    for name, value in overrides.items():
        if value is not None:
            values[name] = _coerce(name, value)
    settings = replace(Settings(), **values, extra=extra)
    _check_values(settings)
    return replace(settings, mailbox=_choice_of_mailbox(settings.mailbox))


def _check_values(settings: Settings) -> None:
    """Values of the right type that Poolgate still cannot honour."""
    if settings.issuer.count("{pool_id}") != 1:
        raise ConfigError("setting 'issuer' must contain '{pool_id}' exactly once")
    check_database_url(settings.database_url)
    for name in ("port", "gateway_port", "metrics_port", "smtp_port"):
        value = getattr(settings, name)
        if not 0 <= value <= 65535:
            raise ConfigError(f"setting {name!r} must be a port number (0-65535), got {value}")
    if settings.sqlite_synchronous.lower() not in SQLITE_SYNCHRONOUS:
        raise ConfigError(
            "setting 'sqlite_synchronous' must be 'full' or 'normal', "
            f"got {settings.sqlite_synchronous!r}"
        )
    if settings.database_pool_size < 1:
        raise ConfigError(
            f"setting 'database_pool_size' must be at least 1, got {settings.database_pool_size}"
        )
    for name in (
        "database_idle_timeout",
        "database_max_lifetime",
        "database_connect_timeout",
        "drain_timeout",
        "token_cache_bytes",
    ):
        if getattr(settings, name) < 0:
            raise ConfigError(f"setting {name!r} must not be negative")
    if settings.database_connect_timeout == 0:
        raise ConfigError("setting 'database_connect_timeout' must be at least 1 second")

    _check_security_settings(settings)
    _check_console_settings(settings)


SQLITE_SYNCHRONOUS = ("full", "normal")


def _choice_of_mailbox(value: str) -> str:
    lowered = value.strip().lower()
    if lowered == "auto":
        return "auto"
    if lowered in _TRUE | _FALSE:
        return "true" if lowered in _TRUE else "false"
    raise ConfigError(f"setting 'mailbox' must be auto, true or false, got {value!r}")


def _check_security_settings(settings: Settings) -> None:
    from poolgate.core.throttle.policy import Rate

    for name in ("throttle_sign_in_failures_per_address", "throttle_code_sends_per_address"):
        try:
            Rate.parse(getattr(settings, name))
        except ValueError as exc:
            raise ConfigError(f"setting {name!r}: {exc}") from None
    try:
        parse_quotas(settings.quotas)
    except ValueError as exc:
        raise ConfigError(f"setting 'quotas': {exc}") from None
    if settings.log_format not in ("text", "json"):
        raise ConfigError(f"setting 'log_format' must be text or json, got {settings.log_format!r}")
    for name in ("max_body_bytes", "max_header_bytes", "max_headers"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"setting {name!r} must be a positive integer")


CONSOLE_MFA = ("off", "optional", "required")


def _check_console_settings(settings: Settings) -> None:
    if settings.console_mfa not in CONSOLE_MFA:
        raise ConfigError(
            f"setting 'console_mfa' must be off, optional or required, got {settings.console_mfa!r}"
        )
    if not 5 <= settings.console_session_minutes <= 1440:
        raise ConfigError(
            "setting 'console_session_minutes' must be between 5 and 1440 (a day), got "
            f"{settings.console_session_minutes}"
        )
    username = settings.bootstrap_admin_username.strip()
    if bool(username) != bool(settings.bootstrap_admin_password):
        given, missing = (
            ("bootstrap_admin_username", "bootstrap_admin_password")
            if username
            else ("bootstrap_admin_password", "bootstrap_admin_username")
        )
        raise ConfigError(
            f"setting {given!r} needs {missing!r} too (POOLGATE_{missing.upper()}): the "
            "first administrator is created from both"
        )
    if username and not settings.console:
        raise ConfigError(
            "setting 'bootstrap_admin_username' creates a console administrator, but "
            "'console' is false"
        )


def parse_quotas(text: str) -> dict[str, int]:
    """``UserAuthentication=120,UserCreation=50`` -> requests per second by category."""
    from poolgate.core.throttle.quotas import CATEGORIES

    found: dict[str, int] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        name, equals, number = item.partition("=")
        name = name.strip()
        if not equals or not number.strip().isdigit():
            raise ValueError(f"{item.strip()!r} is not Category=N")
        if name not in CATEGORIES:
            raise ValueError(f"unknown category {name!r}{did_you_mean(name, list(CATEGORIES))}")
        found[name] = int(number)
    return found


def _split(
    raw: dict[str, Any], known: set[str], config_file: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The file's settings (from the top level and the settings tables) and its other
    sections; every key that is neither is reported, with the table it is in."""
    flat: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if key in SETTINGS_TABLES:
            if not isinstance(value, dict):
                problems.append(f"{key!r} must be a table of settings: write [{key}]")
                continue
            for name, item in value.items():
                if name in known:
                    flat[name] = item
                else:
                    hint = did_you_mean(name, known)
                    problems.append(f"unknown setting {name!r} in [{key}]{hint}")
        elif key in known:
            flat[key] = value
        elif key in DOCUMENT_SECTIONS:
            extra[key] = value
        else:
            hint = did_you_mean(key, [*known, *SETTINGS_TABLES, *DOCUMENT_SECTIONS])
            problems.append(f"unknown setting {key!r} at the top level{hint}")
    if len(problems) == 1:
        raise ConfigError(f"config file {config_file}: {problems[0]}")
    if problems:
        listed = "".join(f"\n  {problem}" for problem in problems)
        raise ConfigError(f"config file {config_file} has {len(problems)} problems:{listed}")
    return flat, extra
