"""The authorization request (RFC 6749 4.1.1 and 4.2.1, RFC 7636 4.3, OpenID Connect Core
3.1.2): the client, the exact redirect URI, the response type, scopes, state, nonce,
PKCE and prompt, checked on every hosted step since the browser carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from poolgate.core.context import Context
from poolgate.core.oauth.errors import (
    InvalidRequest,
    InvalidScope,
    RedirectMismatch,
    UnauthorizedClient,
    UnsupportedResponseType,
)
from poolgate.core.pools import clients
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.users import lookup

_SIGNED_IN = {lookup.CONFIRMED, lookup.EXTERNAL_PROVIDER}


@dataclass
class AuthorizeRequest:
    client: AppClient
    pool: UserPool
    redirect_uri: str
    response_type: str
    scopes: list[str]
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    prompt: set[str] = field(default_factory=set)

    @property
    def providers(self) -> list[str]:
        """The identity providers the client offers (SupportedIdentityProviders)."""
        return list(self.client.settings.get("SupportedIdentityProviders") or [])

    def query(self) -> dict[str, str]:
        """The parameters to carry through the hosted pages and back."""
        params = {
            "client_id": self.client.id,
            "response_type": self.response_type,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
        }
        for name in ("state", "nonce", "code_challenge", "code_challenge_method"):
            value = getattr(self, name)
            if value:
                params[name] = value
        return params


async def validate_authorize(
    ctx: Context, params: Mapping[str, str], *, require_pkce: bool = True
) -> AuthorizeRequest:
    client_id = params.get("client_id", "")
    client = await ctx.store.get_client(client_id) if client_id else None
    if client is None:
        raise InvalidRequest("The client_id is missing or unknown.", redirect=False)
    pool = await ctx.store.get_pool(client.pool_id)
    if pool is None:
        raise InvalidRequest("The client's user pool no longer exists.", redirect=False)
    callbacks = client.settings.get("CallbackURLs") or []
    redirect_uri = params.get("redirect_uri") or ""
    if not redirect_uri and len(callbacks) == 1:
        redirect_uri = callbacks[0]
    # Exact match only (RFC 6749 3.1.2.3 and OAuth security BCP): no prefixes, no
    # normalisation, no redirect to an unregistered address, even to report an error.
    if redirect_uri not in callbacks:
        raise RedirectMismatch(
            "The redirect_uri is not one of the client's callback URLs.",
            redirect=False,
        )
    request = AuthorizeRequest(
        client=client,
        pool=pool,
        redirect_uri=redirect_uri,
        response_type=params.get("response_type", ""),
        scopes=[],
        state=params.get("state") or None,
        nonce=params.get("nonce") or None,
        code_challenge=params.get("code_challenge") or None,
        code_challenge_method=params.get("code_challenge_method") or None,
        prompt=set((params.get("prompt") or "").split()),
    )
    if not client.settings.get("AllowedOAuthFlowsUserPoolClient"):
        raise UnauthorizedClient("The client is not enabled for OAuth flows.")
    flows = client.settings.get("AllowedOAuthFlows") or []
    if request.response_type == "code":
        if "code" not in flows:
            raise UnauthorizedClient("The code flow is not allowed for this client.")
    elif request.response_type == "token":
        if "implicit" not in flows:
            raise UnauthorizedClient("The implicit flow is not allowed for this client.")
    else:
        raise UnsupportedResponseType("response_type must be code or token.")
    allowed = client.settings.get("AllowedOAuthScopes") or []
    requested = (params.get("scope") or "").split()
    if not requested:
        requested = list(allowed)
    unknown = [scope for scope in requested if scope not in allowed]
    if unknown:
        raise InvalidScope(f"Scopes not allowed for this client: {' '.join(unknown)}")
    request.scopes = list(dict.fromkeys(requested))
    provider = params.get("identity_provider")
    supported = client.settings.get("SupportedIdentityProviders") or []
    if not supported:
        raise UnauthorizedClient("The client supports no identity provider.")
    if provider and provider not in supported:
        raise InvalidRequest(f"The identity provider {provider} is not enabled for this client.")
    if request.code_challenge_method not in (None, "S256"):
        raise InvalidRequest("code_challenge_method must be S256.")
    if request.code_challenge and request.code_challenge_method is None:
        request.code_challenge_method = "S256"
    public = clients.client_secret(ctx, client) is None
    if request.response_type == "code" and public and require_pkce and not request.code_challenge:
        raise InvalidRequest("PKCE (code_challenge with S256) is required for public clients.")
    return request


async def user_for_session(ctx: Context, pool: UserPool, sub: str) -> User | None:
    user = await ctx.store.get_user_by_sub(pool.id, sub)
    # A federated user's session is as good as a native one's.
    if user is None or not user.enabled or user.status not in _SIGNED_IN:
        return None
    return user
