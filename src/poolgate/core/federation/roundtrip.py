"""The browser's trip to an identity provider and back (developer guide, "User pool
endpoints": the authorize endpoint's ``identity_provider`` and ``idp_identifier``,
``/oauth2/idpresponse`` and ``/saml2/idpresponse``).

``begin`` turns a checked authorization request into the provider's sign-in URL and
the browser binding (a cookie value); ``finish_oauth`` and ``finish_saml`` turn the
provider's answer into the user pool user the hosted flow then signs in. Every failure
is an OAuth error that the hosted pages send to the application's redirect URI as
``error``/``error_description``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.federation import amazon, apple, details, facebook, oidc, providers, saml
from poolgate.core.federation import state as state_
from poolgate.core.federation.state import FederationState
from poolgate.core.federation.users import ProviderIdentity, sign_in
from poolgate.core.oauth.authorization import AuthorizeRequest
from poolgate.core.oauth.errors import AccessDenied, InvalidRequest, OAuthError
from poolgate.core.records import IdentityProvider, User


def redirect_uri(ctx: Context) -> str:
    return f"{ctx.public_url}/oauth2/idpresponse"


async def provider_for(
    ctx: Context, areq: AuthorizeRequest, name: str | None, identifier: str | None
) -> IdentityProvider:
    """The provider an authorize request names (``identity_provider``, or one of its
    ``IdpIdentifiers`` as ``idp_identifier``), if the app client supports it."""
    provider: IdentityProvider | None = None
    if name:
        provider = await ctx.store.get_identity_provider(areq.pool.id, name)
    elif identifier:
        for candidate in await providers.all_providers(ctx, areq.pool.id):
            if identifier in candidate.idp_identifiers:
                provider = candidate
                break
    supported = areq.client.settings.get("SupportedIdentityProviders") or []
    if provider is None or provider.name not in supported:
        raise InvalidRequest(f"The identity provider {name or identifier} is not enabled.")
    return provider


async def begin(
    ctx: Context, areq: AuthorizeRequest, provider: IdentityProvider
) -> tuple[str, str]:
    """(the provider's sign-in URL, the value of the browser's binding cookie)."""
    binding, binding_hash = state_.new_binding()
    flow = FederationState(
        params=areq.query(),
        provider=provider.name,
        binding_hash=binding_hash,
        expires=ctx.clock() + state_.LIFETIME,
    )
    if provider.type == "SAML":
        flow.request_id = "_" + secrets.token_hex(16)
    sealed = state_.seal(ctx, flow)
    redirect = redirect_uri(ctx)
    if provider.type in ("OIDC", "Google"):
        url = await oidc.authorization_url(ctx, provider, flow, sealed, redirect)
    elif provider.type == "SignInWithApple":
        url = await apple.authorization_url(ctx, provider, flow, sealed, redirect)
    elif provider.type == "Facebook":
        url = facebook.authorization_url(provider, sealed, redirect)
    elif provider.type == "LoginWithAmazon":
        url = amazon.authorization_url(provider, flow, sealed, redirect)
    else:
        url = await saml.authorization_url(ctx, provider, flow, sealed)
    return url, binding


def _provider_error(params: Mapping[str, str]) -> OAuthError:
    """The provider's own error (RFC 6749 4.1.2.1), passed on to the application."""
    error = params.get("error", "")
    description = params.get("error_description") or error
    if error == "access_denied":
        return AccessDenied(description)
    return InvalidRequest(f"{error}: {description}" if description != error else error)


async def finish_oauth(
    ctx: Context, areq: AuthorizeRequest, flow: FederationState, params: Mapping[str, str]
) -> User:
    """``/oauth2/idpresponse``: the provider's code (or error) for the flow ``begin``
    started; Apple's ``user`` form field carries the name on the first sign-in."""
    provider = await provider_for(ctx, areq, flow.provider, None)
    if provider.type == "SAML":
        raise InvalidRequest("A SAML provider answers at /saml2/idpresponse.")
    if params.get("error"):
        raise _provider_error(params)
    code = params.get("code")
    if not code:
        raise InvalidRequest("The identity provider returned no code.")
    keys = details.secrets_of(ctx, provider)
    redirect = redirect_uri(ctx)
    identity: ProviderIdentity
    if provider.type in ("OIDC", "Google"):
        identity = await oidc.identity(ctx, provider, keys, flow, code, redirect)
    elif provider.type == "SignInWithApple":
        user_field = params.get("user")
        identity = await apple.identity(ctx, provider, keys, flow, code, redirect, user_field)
    elif provider.type == "Facebook":
        identity = await facebook.identity(ctx, provider, keys, flow, code, redirect)
    else:
        identity = await amazon.identity(ctx, provider, keys, flow, code, redirect)
    return await _sign_in(ctx, areq, provider, identity)


async def finish_saml(
    ctx: Context,
    areq: AuthorizeRequest,
    provider: IdentityProvider,
    saml_response: str,
    request_id: str | None,
) -> tuple[User, ProviderIdentity]:
    """``/saml2/idpresponse``: SP-initiated (``request_id`` from the flow's state) or
    IdP-initiated (None; the provider must allow it with IDPInit)."""
    if provider.type != "SAML":
        raise InvalidRequest(f"{provider.name} is not a SAML identity provider.")
    identity = await saml.identity(ctx, provider, saml_response, request_id)
    user = await _sign_in(ctx, areq, provider, identity)
    return user, identity


async def _sign_in(
    ctx: Context, areq: AuthorizeRequest, provider: IdentityProvider, identity: ProviderIdentity
) -> User:
    try:
        return await sign_in(ctx, areq.pool, provider, identity, client_id=areq.client.id)
    except CognitoError as exc:
        raise InvalidRequest(exc.message) from None
