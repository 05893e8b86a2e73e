"""Login with Amazon (Login with Amazon Developer Guide for Websites: "Authorization
Code Grant" for ``https://www.amazon.com/ap/oa`` and ``POST /auth/o2/token``, with
PKCE; "Obtain Customer Profile Information" for ``GET /user/profile``). Amazon's user
id is ``user_id``."""

from __future__ import annotations

from poolgate.core.context import Context
from poolgate.core.federation import endpoints
from poolgate.core.federation.oidc import token_request, userinfo, with_query
from poolgate.core.federation.state import FederationState
from poolgate.core.federation.users import ProviderIdentity
from poolgate.core.oauth.errors import InvalidRequest
from poolgate.core.records import IdentityProvider


def _url(provider: IdentityProvider, key: str) -> str:
    url = endpoints.endpoint(provider.type, provider.details, key)
    assert url is not None
    return url


def authorization_url(
    provider: IdentityProvider, state: FederationState, sealed: str, redirect: str
) -> str:
    return with_query(
        _url(provider, "authorize_url"),
        {
            "client_id": provider.details["client_id"],
            "scope": provider.details["authorize_scopes"],
            "response_type": "code",
            "redirect_uri": redirect,
            "state": sealed,
            "code_challenge": state.code_challenge(),
            "code_challenge_method": "S256",
        },
    )


async def identity(
    ctx: Context,
    provider: IdentityProvider,
    secrets: dict[str, str],
    state: FederationState,
    code: str,
    redirect: str,
) -> ProviderIdentity:
    token = await token_request(
        ctx,
        _url(provider, "token_url"),
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": provider.details["client_id"],
            "client_secret": secrets["client_secret"],
            "code_verifier": state.verifier,
        },
    )
    access_token = token.get("access_token")
    if not isinstance(access_token, str):
        raise InvalidRequest("Login with Amazon returned no access token.")
    profile = await userinfo(ctx, _url(provider, "attributes_url"), access_token, "GET")
    if not profile.get("user_id"):
        raise InvalidRequest("Login with Amazon's profile has no user_id.")
    return ProviderIdentity(str(profile["user_id"]), profile)
