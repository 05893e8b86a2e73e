"""Opaque pagination tokens: the last key of a page, so a listing resumes after it
even if rows were added or removed in between."""

from __future__ import annotations

import base64
import binascii

from poolgate.core.errors import InvalidParameterException


def encode_token(last_key: str) -> str:
    return base64.urlsafe_b64encode(last_key.encode()).decode()


def decode_token(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidParameterException("The pagination token is invalid.") from None
