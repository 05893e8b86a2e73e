"""Authentication sessions between InitiateAuth and RespondToAuthChallenge.

A session is sealed with the master key and carried by the client (``Session``, or
SRP's ``SECRET_BLOCK``), so any node can continue a flow another began and no table
grows with abandoned sign-ins. It carries the challenge, the user, the client, an
expiry (the client's AuthSessionValidity), and for SRP the server's secret ephemeral.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag

from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException
from poolgate.crypto.sealing import MasterKeyError

_PURPOSE = "auth-session"
INVALID_SESSION = "Invalid session for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."


def seal(ctx: Context, payload: dict[str, Any], lifetime_minutes: int) -> str:
    body = {**payload, "exp": ctx.clock() + lifetime_minutes * 60}
    return base64.b64encode(ctx.sealer.seal(orjson.dumps(body), _PURPOSE)).decode()


def open_session(
    ctx: Context, session: str, *, challenge: str, client_id: str | None
) -> dict[str, Any]:
    """The session's payload. ``client_id`` None: the operation names no client
    (AssociateSoftwareToken, VerifySoftwareToken); the payload's ``client`` says it."""
    try:
        raw = ctx.sealer.open(base64.b64decode(session, validate=True), _PURPOSE)
        payload: dict[str, Any] = orjson.loads(raw)
    except (binascii.Error, ValueError, InvalidTag, MasterKeyError, orjson.JSONDecodeError):
        raise NotAuthorizedException(INVALID_SESSION) from None
    if payload.get("challenge") != challenge or (
        client_id is not None and payload.get("client") != client_id
    ):
        raise NotAuthorizedException(INVALID_SESSION)
    if payload["exp"] < ctx.clock():
        raise NotAuthorizedException(EXPIRED_SESSION)
    return payload
