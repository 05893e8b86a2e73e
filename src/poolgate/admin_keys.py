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


def load_admin_key(settings: Settings) -> tuple[AdminKey, bool]:
    """The admin key, and whether it was created just now (then the caller prints it)."""
    if settings.admin_access_key_id or settings.admin_secret_access_key:
        if not (settings.admin_access_key_id and settings.admin_secret_access_key):
            raise ConfigError(
                "set both POOLGATE_ADMIN_ACCESS_KEY_ID and POOLGATE_ADMIN_SECRET_ACCESS_KEY"
            )
        return AdminKey(settings.admin_access_key_id, settings.admin_secret_access_key), False
    path = settings.data_dir / FILE_NAME
    if path.exists():
        return _read(path), False
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
    data = json.loads(path.read_text())
    return AdminKey(data["access_key_id"], data["secret_access_key"])
