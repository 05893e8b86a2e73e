"""Encryption at rest with the master key (AES-256-GCM).

Everything secret that Poolgate must read back (signing keys' private parts, client
secrets, password verifiers) is sealed with the master key, so a copy of the database
alone reveals none of it. The ``purpose`` is bound as associated data: a sealed value
cannot be moved into a column of another kind and opened there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"
_NONCE_BYTES = 12


class MasterKeyError(Exception):
    pass


class Sealer:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise MasterKeyError("the master key must be 32 bytes")
        self._aead = AESGCM(key)
        self._key = key

    def mac_key(self, purpose: str) -> bytes:
        """A key derived from the master key for one purpose (e.g. hashing one-time
        codes: a six-digit code hashed without a secret key falls to a million guesses)."""
        return hmac.new(self._key, b"poolgate-derive:" + purpose.encode(), hashlib.sha256).digest()

    def seal(self, plaintext: bytes, purpose: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, purpose.encode())

    def open(self, sealed: bytes, purpose: str) -> bytes:
        if sealed[:1] != _VERSION:
            raise MasterKeyError("sealed value has an unknown format")
        nonce = sealed[1 : 1 + _NONCE_BYTES]
        return self._aead.decrypt(nonce, sealed[1 + _NONCE_BYTES :], purpose.encode())


def decode_master_key(text: str) -> bytes:
    text = text.strip()
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise MasterKeyError("the master key must be 32 bytes in base64") from None
    if len(key) != 32:
        raise MasterKeyError("the master key must be 32 bytes in base64")
    return key


def load_or_create_master_key(configured: str, data_dir: Path) -> bytes:
    """The configured key, or the one in ``{data_dir}/master.key``, created 0600 on
    first start. Losing this file makes every sealed secret unreadable."""
    if configured:
        return decode_master_key(configured)
    path = data_dir / "master.key"
    if path.exists():
        return decode_master_key(path.read_text())
    key = os.urandom(32)
    write_private_file(path, base64.urlsafe_b64encode(key).decode() + "\n")
    return key


def write_private_file(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner only, failing if it already exists so
    two processes starting at once cannot overwrite each other's secret."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
