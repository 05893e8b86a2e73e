"""The console's browser session: who the administrator is, and the CSRF token of
their forms.

After the sign-in (``signin``), the session cookie holds the administrator's access
token and refresh token from the console client's code exchange, sealed with the
master key (nobody can read or forge it), HttpOnly (no script can), SameSite=Strict
(no other site's page sends it) and ``__Host-`` with Secure on https (no sibling host
can set or shadow it). Every request verifies the access token as Cognito's own
self-service calls do (``core.auth.tokens.verify_access_token``): signature, expiry,
revocation, and that the administrator still exists and is enabled. So signing out
(which revokes the refresh token, and with it the access token), AdminUserGlobalSignOut
of an administrator, disabling or deleting one, ends their console sessions at once,
on every node. The token must have been issued to the console's own client in the
administrators' pool: no token of another pool or client opens a session.

CSRF: every form carries a token derived (HMAC under a key from the master key) from a
random value sealed into the session cookie; a page of another site can neither read
it nor produce it, and it changes with every sign-in. A POST without it is refused
before anything else runs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.admins.pool import Administrators
from poolgate.core.auth import tokens
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.crypto.sealing import MasterKeyError
from poolgate.hosted.cookies import cookie_name, secure

SESSION_COOKIE = "poolgate_console"
SIGN_IN_COOKIE = "poolgate_console_sign_in"
SIGN_IN_LIFETIME = 600  # the hosted sign-in, MFA included, has ten minutes
CSRF_FIELD = "_csrf"
_SESSION_PURPOSE = "console-session"
_SIGN_IN_PURPOSE = "console-sign-in"


@dataclass(frozen=True)
class Admin:
    """The signed-in administrator."""

    username: str
    sub: str
    pool_id: str
    access_token: str
    refresh_token: str | None
    csrf_token: str
    expires: float
    email: str | None = None


def _seal(ctx: Context, payload: dict[str, Any], purpose: str) -> str:
    return base64.urlsafe_b64encode(ctx.sealer.seal(orjson.dumps(payload), purpose)).decode()


def _open(ctx: Context, raw: str | None, purpose: str) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        payload = orjson.loads(ctx.sealer.open(base64.urlsafe_b64decode(raw.encode()), purpose))
    except (binascii.Error, ValueError, InvalidTag, MasterKeyError, orjson.JSONDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _csrf(ctx: Context, secret: str) -> str:
    digest = hmac.new(ctx.sealer.mac_key("console-csrf"), secret.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def set_session(ctx: Context, request: Request, response: Response, minted: tokens.Tokens) -> None:
    payload = {
        "a": minted.access_token,
        "r": minted.refresh_token,
        "c": secrets.token_urlsafe(24),
    }
    response.set_cookie(
        cookie_name(request, SESSION_COOKIE),
        _seal(ctx, payload, _SESSION_PURPOSE),
        max_age=minted.expires_in,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/",
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookie_name(request, SESSION_COOKIE),
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure(request),
    )


async def current_admin(
    ctx: Context, request: Request, administrators: Administrators | None
) -> Admin | None:
    """The administrator this request's session speaks for, or None."""
    if administrators is None:
        return None
    payload = _open(
        ctx, request.cookies.get(cookie_name(request, SESSION_COOKIE)), _SESSION_PURPOSE
    )
    if payload is None or not isinstance(payload.get("a"), str):
        return None
    try:
        grant = await tokens.verify_access_token(ctx, payload["a"])
    except CognitoError:
        return None
    if (
        grant.pool.id != administrators.pool.id
        or grant.claims.get("client_id") != administrators.client.id
    ):
        return None
    return Admin(
        username=grant.user.username,
        sub=grant.user.sub,
        pool_id=grant.pool.id,
        access_token=payload["a"],
        refresh_token=payload.get("r") if isinstance(payload.get("r"), str) else None,
        csrf_token=_csrf(ctx, str(payload.get("c", ""))),
        expires=float(grant.claims["exp"]),
        email=grant.user.attributes.get("email"),
    )


def csrf_ok(admin: Admin, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(
        admin.csrf_token.encode(), str(submitted).encode()
    )


@dataclass(frozen=True)
class SignIn:
    """A sign-in under way: the OAuth ``state``, the PKCE verifier, where to go after."""

    state: str
    verifier: str
    next_path: str


def start_sign_in(ctx: Context, request: Request, response: Response, next_path: str) -> SignIn:
    started = SignIn(secrets.token_urlsafe(24), secrets.token_urlsafe(48), next_path)
    payload = {
        "s": started.state,
        "v": started.verifier,
        "n": next_path,
        "e": ctx.clock() + SIGN_IN_LIFETIME,
    }
    # Lax: the browser comes back from the hosted pages by a redirect.
    response.set_cookie(
        cookie_name(request, SIGN_IN_COOKIE),
        _seal(ctx, payload, _SIGN_IN_PURPOSE),
        max_age=SIGN_IN_LIFETIME,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )
    return started


def sign_in_under_way(ctx: Context, request: Request) -> SignIn | None:
    payload = _open(
        ctx, request.cookies.get(cookie_name(request, SIGN_IN_COOKIE)), _SIGN_IN_PURPOSE
    )
    if payload is None or float(payload.get("e", 0)) < ctx.clock():
        return None
    return SignIn(str(payload["s"]), str(payload["v"]), str(payload["n"]))


def clear_sign_in(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookie_name(request, SIGN_IN_COOKIE),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )


def code_challenge(verifier: str) -> str:
    """RFC 7636 4.2, S256."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
