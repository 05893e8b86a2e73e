"""Facebook Login through the Graph API (Facebook for Developers, "Manually Build a
Login Flow": the login dialog, ``GET /oauth/access_token`` to exchange the code;
Graph API "User" reference, ``GET /me?fields=...``; "Securing Graph API Requests"
for ``appsecret_proof``). The Graph API version is ProviderDetails' ``api_version``.
Facebook's user id is ``id``."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from poolgate.core.context import Context
from poolgate.core.federation import endpoints
from poolgate.core.federation.http import UpstreamError
from poolgate.core.federation.oidc import http, with_query
from poolgate.core.federation.state import FederationState
from poolgate.core.federation.users import ProviderIdentity
from poolgate.core.oauth.errors import InvalidRequest
from poolgate.core.records import IdentityProvider


def _url(provider: IdentityProvider, key: str) -> str:
    url = endpoints.endpoint(provider.type, provider.details, key)
    assert url is not None
    return url


def authorization_url(provider: IdentityProvider, sealed: str, redirect: str) -> str:
    return with_query(
        _url(provider, "authorize_url"),
        {
            "response_type": "code",
            "client_id": provider.details["client_id"],
            "redirect_uri": redirect,
            # Facebook separates permissions with commas; Cognito's examples write
            # "public_profile, email".
            "scope": ",".join(s.strip() for s in provider.details["authorize_scopes"].split(",")),
            "state": sealed,
        },
    )


async def _get(ctx: Context, url: str) -> tuple[int, Any]:
    try:
        answer = await http(ctx).fetch("GET", url, headers={"Accept": "application/json"})
        return answer.status, answer.json()
    except UpstreamError as exc:
        raise InvalidRequest("Facebook did not answer.") from exc


async def identity(
    ctx: Context,
    provider: IdentityProvider,
    secrets: dict[str, str],
    state: FederationState,
    code: str,
    redirect: str,
) -> ProviderIdentity:
    secret = secrets["client_secret"]
    status, token = await _get(
        ctx,
        with_query(
            _url(provider, "token_url"),
            {
                "client_id": provider.details["client_id"],
                "redirect_uri": redirect,
                "client_secret": secret,
                "code": code,
            },
        ),
    )
    if status != 200 or not isinstance(token, dict) or "access_token" not in token:
        raise InvalidRequest("Facebook refused the code.")
    access_token = str(token["access_token"])
    fields = ["id", *(v for k, v in provider.attribute_mapping.items() if k != "username")]
    proof = hmac.new(secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
    status, profile = await _get(
        ctx,
        _url(provider, "attributes_url")
        + ",".join(dict.fromkeys(fields))
        + "&"
        + f"access_token={access_token}&appsecret_proof={proof}",
    )
    if status != 200 or not isinstance(profile, dict) or not profile.get("id"):
        raise InvalidRequest("Facebook's Graph API did not return the user.")
    return ProviderIdentity(str(profile["id"]), profile)
