"""Sign in with Apple (Apple Developer, "Sign in with Apple REST API": "Request an
authorization to the Sign in with Apple server" with ``response_mode=form_post``,
"Generate and validate tokens" with the client secret JWT, "Fetch Apple's public key
for verifying token signature"; "Authenticating users with Sign in with Apple" for the
identity token's claims and the ``user`` object sent once).

The client secret is an ES256 JWT signed with the developer's private key (``kid``:
key_id; ``iss``: team_id, ``sub``: the Services ID, ``aud``: Apple's issuer), made
for each token request and valid for five minutes. Apple sends the user's name only
on the first authorization, in the ``user`` form field; it is mapped then as
``firstName``, ``lastName`` and ``name``, and kept by the user pool afterwards.
"""

from __future__ import annotations

from typing import Any

import jwt
import orjson

from poolgate.core.context import Context
from poolgate.core.federation import oidc
from poolgate.core.federation.state import FederationState
from poolgate.core.federation.users import ProviderIdentity
from poolgate.core.oauth.errors import InvalidRequest
from poolgate.core.records import IdentityProvider

SECRET_LIFETIME = 300


def as_pem(private_key: str) -> str:
    """The .p8 key as PEM: administrators paste it whole or as its base64 body only."""
    if "BEGIN" in private_key:
        return private_key
    return f"-----BEGIN PRIVATE KEY-----\n{private_key}\n-----END PRIVATE KEY-----"


def client_secret(ctx: Context, provider: IdentityProvider, private_key: str, audience: str) -> str:
    now = int(ctx.clock())
    pem = as_pem(private_key)
    return jwt.encode(
        {
            "iss": provider.details["team_id"],
            "iat": now,
            "exp": now + SECRET_LIFETIME,
            "aud": audience,
            "sub": provider.details["client_id"],
        },
        pem,
        algorithm="ES256",
        headers={"kid": provider.details["key_id"]},
    )


async def authorization_url(
    ctx: Context, provider: IdentityProvider, state: FederationState, sealed: str, redirect: str
) -> str:
    found = await oidc.resolve(ctx, provider)
    scope = " ".join(provider.details["authorize_scopes"].replace(",", " ").split())
    return oidc.with_query(
        found.authorize,
        {
            "response_type": "code",
            # Apple requires form_post whenever name or email is requested.
            "response_mode": "form_post",
            "client_id": provider.details["client_id"],
            "redirect_uri": redirect,
            "scope": scope,
            "state": sealed,
            "nonce": state.nonce,
        },
    )


def _first_authorization(user_field: str | None) -> dict[str, Any]:
    if not user_field:
        return {}
    try:
        user = orjson.loads(user_field)
    except orjson.JSONDecodeError:
        return {}
    name = user.get("name") if isinstance(user, dict) else None
    if not isinstance(name, dict):
        return {}
    first, last = name.get("firstName"), name.get("lastName")
    claims = {"firstName": first, "lastName": last}
    full = " ".join(str(part) for part in (first, last) if part)
    if full:
        claims["name"] = full
    return {k: v for k, v in claims.items() if v}


async def identity(
    ctx: Context,
    provider: IdentityProvider,
    secrets: dict[str, str],
    state: FederationState,
    code: str,
    redirect: str,
    user_field: str | None,
) -> ProviderIdentity:
    found = await oidc.resolve(ctx, provider)
    client_id = provider.details["client_id"]
    answer = await oidc.token_request(
        ctx,
        found.token,
        {
            "client_id": client_id,
            "client_secret": client_secret(ctx, provider, secrets["private_key"], found.issuer),
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect,
        },
    )
    id_token = answer.get("id_token")
    if not isinstance(id_token, str):
        raise InvalidRequest("Sign in with Apple returned no id_token.")
    claims = await oidc.verify_id_token(ctx, id_token, found, client_id, state.nonce)
    # Apple writes booleans as strings ("true") in some identity tokens.
    claims = {**claims, **_first_authorization(user_field)}
    return ProviderIdentity(str(claims["sub"]), claims)
