"""The hosted pages' cookies: the browser session and the CSRF token.

The session cookie is sealed with the master key (a user cannot forge or read it),
one per pool, HttpOnly and SameSite=Lax: it rides along the top-level redirect from
an app to ``/oauth2/authorize`` and nothing else. The CSRF token is a double submit
bound by HMAC: a random cookie, and in every form a MAC of it and of the browser's
session cookies that only the server can compute; a cross-site form post cannot know
it, and a CSRF cookie planted in a victim's browser (from a sibling domain, or over
plain HTTP) does not match the victim's session.

When the public URL is https (the app's ``state.https``, set from the settings, not
the request's scheme: a TLS-terminating proxy talks plain HTTP to Poolgate), every
cookie is ``Secure`` and named with the ``__Host-`` prefix, which browsers accept only
from a secure origin, for path ``/`` and without a Domain: no sibling host can set or
shadow it (RFC 6265bis, "Cookie Name Prefixes").
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

from poolgate.core.context import Context
from poolgate.crypto.sealing import MasterKeyError

SESSION_LIFETIME = 3600  # Cognito's hosted UI keeps its session cookie for an hour.
CSRF_COOKIE = "poolgate_csrf"
CSRF_FIELD = "_csrf"
_SESSION_PREFIX = "poolgate_session_"
_HOST_PREFIX = "__Host-"


def _name(request: Request, name: str) -> str:
    return _HOST_PREFIX + name if _secure(request) else name


def _session_cookie(request: Request, pool_id: str) -> str:
    return _name(request, _SESSION_PREFIX + pool_id)


@dataclass
class BrowserSession:
    pool_id: str
    sub: str
    auth_time: int


def _secure(request: Request) -> bool:
    return bool(getattr(request.app.state, "https", False)) or request.url.scheme == "https"


def cookie_name(request: Request, name: str) -> str:
    """``name``, with the ``__Host-`` prefix when cookies are Secure (for the other
    browser pages that set cookies: the admin console)."""
    return _name(request, name)


def secure(request: Request) -> bool:
    """Whether cookies are Secure: the public URL (or the request) is https."""
    return _secure(request)


def set_session(
    ctx: Context, request: Request, response: Response, session: BrowserSession
) -> None:
    payload = {
        "pool": session.pool_id,
        "sub": session.sub,
        "auth_time": session.auth_time,
        "exp": ctx.clock() + SESSION_LIFETIME,
    }
    sealed = ctx.sealer.seal(orjson.dumps(payload), "browser-session")
    response.set_cookie(
        _session_cookie(request, session.pool_id),
        base64.urlsafe_b64encode(sealed).decode(),
        max_age=SESSION_LIFETIME,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def read_session(ctx: Context, request: Request, pool_id: str) -> BrowserSession | None:
    raw = request.cookies.get(_session_cookie(request, pool_id))
    if not raw:
        return None
    try:
        payload: dict[str, Any] = orjson.loads(
            ctx.sealer.open(base64.urlsafe_b64decode(raw.encode()), "browser-session")
        )
    except (binascii.Error, ValueError, InvalidTag, MasterKeyError, orjson.JSONDecodeError):
        return None
    if payload.get("pool") != pool_id or payload.get("exp", 0) < ctx.clock():
        return None
    return BrowserSession(pool_id, str(payload["sub"]), int(payload["auth_time"]))


def clear_session(request: Request, response: Response, pool_id: str) -> None:
    response.delete_cookie(
        _session_cookie(request, pool_id), path="/", httponly=True, samesite="lax",
        secure=_secure(request),
    )  # fmt: skip


def _mac(ctx: Context, request: Request, value: str) -> str:
    """The form token for CSRF cookie ``value`` in this browser session: bound to the
    session cookies the browser holds (none before a sign-in)."""
    prefix = _name(request, _SESSION_PREFIX)
    sessions = sorted(f"{k}={v}" for k, v in request.cookies.items() if k.startswith(prefix))
    message = "\x00".join([value, *sessions]).encode()
    digest = hmac.new(ctx.sealer.mac_key("csrf"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_token(ctx: Context, request: Request) -> tuple[str, str | None]:
    """The form's token, and a new cookie value to set when the browser had none."""
    cookie = request.cookies.get(_name(request, CSRF_COOKIE))
    fresh = None
    if not cookie:
        cookie = fresh = secrets.token_urlsafe(24)
    return _mac(ctx, request, cookie), fresh


def set_csrf_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(_name(request, CSRF_COOKIE), value, httponly=True, samesite="lax",
                        secure=_secure(request), path="/")  # fmt: skip


def csrf_ok(ctx: Context, request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(_name(request, CSRF_COOKIE))
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(_mac(ctx, request, cookie).encode(), submitted.encode())


# The browser binding of a trip to an identity provider (core.federation.state).
# SameSite=None over HTTPS: Apple's form_post and a SAML POST come back as cross-site
# POSTs, which a Lax cookie would not ride along. Over plain HTTP (development on
# loopback) browsers refuse SameSite=None without Secure, and the providers there are
# same-site anyway, so Lax.
FEDERATION_COOKIE = "poolgate_federation"
FEDERATION_LIFETIME = 900


def set_federation_binding(request: Request, response: Response, value: str) -> None:
    secure = _secure(request)
    response.set_cookie(
        _name(request, FEDERATION_COOKIE), value, max_age=FEDERATION_LIFETIME, httponly=True,
        samesite="none" if secure else "lax", secure=secure, path="/",
    )  # fmt: skip


def federation_binding(request: Request) -> str | None:
    return request.cookies.get(_name(request, FEDERATION_COOKIE))


def clear_federation_binding(request: Request, response: Response) -> None:
    secure = _secure(request)
    response.delete_cookie(
        _name(request, FEDERATION_COOKIE), path="/", httponly=True,
        samesite="none" if secure else "lax", secure=secure,
    )  # fmt: skip


# A SAML sign-in's NameID and SessionIndex (sealed by core.federation.saml_logout),
# for the LogoutRequest /logout sends when the provider has IDPSignout.
def _saml_cookie(request: Request, pool_id: str) -> str:
    return _name(request, f"poolgate_saml_{pool_id}")


def set_saml_session(request: Request, response: Response, pool_id: str, value: str) -> None:
    response.set_cookie(
        _saml_cookie(request, pool_id), value, max_age=SESSION_LIFETIME, httponly=True,
        samesite="lax", secure=_secure(request), path="/",
    )  # fmt: skip


def saml_session(request: Request, pool_id: str) -> str | None:
    return request.cookies.get(_saml_cookie(request, pool_id))


def clear_saml_session(request: Request, response: Response, pool_id: str) -> None:
    response.delete_cookie(
        _saml_cookie(request, pool_id), path="/", httponly=True, samesite="lax",
        secure=_secure(request),
    )  # fmt: skip
