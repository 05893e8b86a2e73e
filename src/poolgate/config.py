"""Configuration: a TOML file, then ``POOLGATE_*`` environment overrides, then CLI flags.

Only the settings that exist are accepted; a typo in the file is an error at start,
not a silently ignored key. The file's top level holds settings, the tables of settings
(``[server]``, ``[database]``, ``[admin]``, ``[keys]``) and the sections other commands
read (``[[pools]]`` for ``poolgate apply``, ``[[functions]]`` and ``[[apis]]`` for the
gateway); any other key is refused with the table it is in and the nearest known name.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

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
    # Serve the developer mailbox (/_mailbox): it shows every code, so production
    # deployments turn it off.
    mailbox: bool = True
    # The API gateway's port (``serve --gateway-port``); 0: no gateway. Its routes are
    # the config file's [[apis]] and [[functions]] (poolgate.gateway.config).
    gateway_port: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

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


def normalize_database_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``) and pick the
    driver Poolgate ships with: asyncpg, and the standard library's sqlite3."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite+aiosqlite:///"):
        return "sqlite:///" + url[len("sqlite+aiosqlite:///") :]
    return url


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
            raw = tomllib.loads(Path(config_file).read_text())
        except FileNotFoundError:
            raise ConfigError(f"config file {config_file} does not exist") from None
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
    if settings.issuer.count("{pool_id}") != 1:
        raise ConfigError("setting 'issuer' must contain '{pool_id}' exactly once")
    return settings


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
