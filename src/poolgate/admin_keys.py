"""The admin access key that signs administrative calls (SigV4).

From ``POOLGATE_ADMIN_ACCESS_KEY_ID`` / ``POOLGATE_ADMIN_SECRET_ACCESS_KEY``, or
generated on first start into ``{data_dir}/admin-key.json`` (mode 0600) and printed
once, so nobody administers a pool unsigned and nothing secret is a fixed default.
"""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path

from poolgate.awsjson.sigv4 import AdminKey
from poolgate.config import ConfigError, Settings
from poolgate.crypto.sealing import write_private_file

FILE_NAME = "admin-key.json"


def key_file(settings: Settings) -> Path:
    """Where the generated key is kept: ``{data_dir}/admin-key.json``."""
    return settings.data_dir / FILE_NAME


def configured_admin_key(settings: Settings) -> AdminKey | None:
    """The key the configuration (file or environment) sets, if it sets one."""
    if settings.admin_access_key_id or settings.admin_secret_access_key:
        if not (settings.admin_access_key_id and settings.admin_secret_access_key):
            raise ConfigError(
                "set both POOLGATE_ADMIN_ACCESS_KEY_ID and POOLGATE_ADMIN_SECRET_ACCESS_KEY"
            )
        return AdminKey(settings.admin_access_key_id, settings.admin_secret_access_key)
    return None


def find_admin_key(settings: Settings) -> AdminKey | None:
    """The key the server uses, without creating one: the configuration's, else the
    data directory's file; None when there is neither yet."""
    configured = configured_admin_key(settings)
    if configured is not None:
        return configured
    path = key_file(settings)
    return _read(path) if path.exists() else None


def load_admin_key(settings: Settings) -> tuple[AdminKey, bool]:
    """The admin key, and whether it was created just now (then the caller prints it)."""
    found = find_admin_key(settings)
    if found is not None:
        return found, False
    path = key_file(settings)
    key = AdminKey(
        "AKPG" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
        secrets.token_urlsafe(30),
    )
    try:
        write_private_file(
            path,
            json.dumps(
                {"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key}
            ),
        )
    except FileExistsError:
        return _read(path), False  # another worker created it first
    return key, True


def _read(path: Path) -> AdminKey:
    try:
        data = json.loads(path.read_text())
        return AdminKey(str(data["access_key_id"]), str(data["secret_access_key"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the admin key from {path}: {exc}") from None
