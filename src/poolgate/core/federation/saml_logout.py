"""Signing out of a SAML identity provider too (Cognito developer guide, "Signing out
SAML users with single sign-out": with ``IDPSignout``, /logout sends the browser to
the IdP's SingleLogoutService with a LogoutRequest, and the IdP's LogoutResponse comes
back to ``/saml2/logout``, which then continues to the app's sign-out URL; SAML 2.0
Profiles 4.4, Bindings 3.4 HTTP-Redirect).

What the LogoutRequest must name (the NameID and SessionIndex of the sign-in) is kept
in a sealed browser cookie by the hosted pages; where to go afterwards travels sealed
in RelayState, so /saml2/logout never redirects where Poolgate did not decide to.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag

from poolgate.core.context import Context
from poolgate.core.federation import saml, saml_keys, saml_metadata
from poolgate.core.federation.users import ProviderIdentity
from poolgate.core.oauth.errors import InvalidRequest
from poolgate.core.records import IdentityProvider
from poolgate.crypto.sealing import MasterKeyError

LIFETIME = 900
_SESSION = "saml-session"
_RELAY = "saml-logout"


def _seal(ctx: Context, payload: dict[str, Any], purpose: str) -> str:
    sealed = ctx.sealer.seal(orjson.dumps(payload), purpose)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _open(ctx: Context, value: str, purpose: str) -> dict[str, Any] | None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        payload: dict[str, Any] = orjson.loads(ctx.sealer.open(raw, purpose))
    except (binascii.Error, ValueError, InvalidTag, MasterKeyError, orjson.JSONDecodeError):
        return None
    return payload


def session_cookie(ctx: Context, provider: IdentityProvider, identity: ProviderIdentity) -> str:
    """The sealed value of the cookie that remembers a SAML sign-in."""
    return _seal(ctx, {"p": provider.name, **(identity.saml_session or {})}, _SESSION)


async def logout_url(ctx: Context, pool_id: str, cookie: str, after: str) -> str | None:
    """The IdP's single logout URL with a LogoutRequest, when the sign-in came through
    a SAML provider with IDPSignout; None otherwise (sign out locally only)."""
    session = _open(ctx, cookie, _SESSION)
    if session is None or "name_id" not in session:
        return None
    provider = await ctx.store.get_identity_provider(pool_id, str(session["p"]))
    if provider is None or provider.details.get("IDPSignout") != "true":
        return None
    metadata = await saml.metadata_of(ctx, provider)
    parsed = saml_metadata.parse(metadata)
    if parsed.slo_redirect is None:
        return None
    key = await saml_keys.pool_key(ctx, pool_id)
    request_id = "_" + secrets.token_hex(16)
    relay = _seal(
        ctx,
        {"u": after, "e": ctx.clock() + LIFETIME, "r": request_id, "pool": pool_id,
         "p": provider.name},
        _RELAY,
    )  # fmt: skip
    signed = bool(provider.details.get("RequestSigningAlgorithm"))
    destination = parsed.slo_redirect

    def build() -> str:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.saml import NameID
        from saml2.xmldsig import SIG_RSA_SHA256

        client = saml.client_for(ctx, pool_id, key, provider, metadata)
        name_id = NameID(text=session["name_id"], format=session.get("format"))
        indexes = [session["session_index"]] if session.get("session_index") else None
        _, request = client.create_logout_request(
            destination, parsed.entity_id, name_id=name_id, session_indexes=indexes,
            message_id=request_id,
        )  # fmt: skip
        info = client.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, relay, sign=signed,
            sigalg=SIG_RSA_SHA256 if signed else None,
        )  # fmt: skip
        return str(dict(info["headers"])["Location"])

    return await asyncio.to_thread(build)


async def finish_logout(ctx: Context, saml_response: str, relay_state: str) -> str:
    """Where to go after the IdP's LogoutResponse (the app's sign-out URL)."""
    relay = _open(ctx, relay_state, _RELAY)
    if relay is None or relay["e"] < ctx.clock():
        raise InvalidRequest("Invalid or expired RelayState from the identity provider.")
    provider = await ctx.store.get_identity_provider(str(relay["pool"]), str(relay["p"]))
    if provider is None:
        raise InvalidRequest("The identity provider no longer exists.")
    metadata = await saml.metadata_of(ctx, provider)
    key = await saml_keys.pool_key(ctx, provider.pool_id)

    def parse() -> Any:
        from saml2 import BINDING_HTTP_REDIRECT

        client = saml.client_for(ctx, provider.pool_id, key, provider, metadata)
        return client.parse_logout_request_response(saml_response, BINDING_HTTP_REDIRECT)

    try:
        response = await asyncio.to_thread(parse)
    except Exception:  # pysaml2 raises many unrelated types for bad input
        raise InvalidRequest("Invalid SAML logout response.") from None
    if response is None or response.in_response_to != relay["r"]:
        raise InvalidRequest("The SAML logout response answers another request.")
    return str(relay["u"])
