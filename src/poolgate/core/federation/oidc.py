"""OpenID Connect towards a provider (OIDC and Google; Apple reuses the id token
checks): discovery (OpenID Connect Discovery 1.0 section 4), the authorization code
exchange (OIDC Core 3.1.3, RFC 6749 4.1.3, client_secret_post as Cognito sends it,
PKCE per RFC 7636), id token validation (OIDC Core 3.1.3.7: signature by a key of the
provider's JWKS, iss, aud, exp, nonce) and userinfo (OIDC Core 5.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt

from poolgate.core.context import Context
from poolgate.core.federation import endpoints
from poolgate.core.federation.http import HttpAnswer, HttpClient, UpstreamError
from poolgate.core.federation.state import FederationState
from poolgate.core.federation.users import ProviderIdentity
from poolgate.core.oauth.errors import InvalidRequest
from poolgate.core.records import IdentityProvider

# Asymmetric algorithms only: "none" and HMAC (signed with the client secret) never.
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"]
_CACHE_SECONDS = 300
_cache: dict[str, tuple[float, Any]] = {}
# Google's id tokens may name their issuer without the scheme (Google's OpenID
# Connect documentation, "Validating an ID token").
_ISSUER_ALIASES = {"https://accounts.google.com": {"accounts.google.com"}}


@dataclass
class OidcEndpoints:
    issuer: str
    authorize: str
    token: str
    jwks: str
    userinfo: str | None


def http(ctx: Context) -> HttpClient:
    if ctx.http is None:
        raise InvalidRequest("Federation is not available: no outbound HTTP is configured.")
    return ctx.http


async def fetch_json(ctx: Context, url: str, *, fresh: bool = False) -> Any:
    """A provider's document (discovery, JWKS), cached for five minutes."""
    now = ctx.clock()
    cached = _cache.get(url)
    if cached is not None and cached[0] > now and not fresh:
        return cached[1]
    try:
        answer: HttpAnswer = await http(ctx).fetch("GET", url)
        if answer.status != 200:
            raise UpstreamError(f"status {answer.status}")
        document = answer.json()
    except UpstreamError as exc:
        raise InvalidRequest(f"The identity provider's {url} could not be read.") from exc
    _cache[url] = (now + _CACHE_SECONDS, document)
    return document


async def resolve(ctx: Context, provider: IdentityProvider) -> OidcEndpoints:
    """The provider's endpoints: ProviderDetails' own, else the table's (social
    types), else the issuer's discovery document."""
    details = provider.details
    issuer = endpoints.endpoint(provider.type, details, "oidc_issuer") or ""
    # An overridden issuer (a mirror, a stand-in) is discovered, not mixed with the
    # table's URLs of the real provider.
    table = not details.get("oidc_issuer")
    known = {
        key: details.get(key)
        or (endpoints.endpoint(provider.type, details, key) if table else None)
        for key in ("authorize_url", "token_url", "jwks_uri", "attributes_url")
    }
    if not all(known[k] for k in ("authorize_url", "token_url", "jwks_uri")):
        document = await fetch_json(ctx, issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != issuer:
            raise InvalidRequest("The identity provider's discovery document names another issuer.")
        for key, name in (
            ("authorize_url", "authorization_endpoint"),
            ("token_url", "token_endpoint"),
            ("jwks_uri", "jwks_uri"),
            ("attributes_url", "userinfo_endpoint"),
        ):
            known[key] = known[key] or document.get(name)
    if not all(known[k] for k in ("authorize_url", "token_url", "jwks_uri")):
        raise InvalidRequest("The identity provider's endpoints could not be discovered.")
    return OidcEndpoints(
        issuer=issuer,
        authorize=str(known["authorize_url"]),
        token=str(known["token_url"]),
        jwks=str(known["jwks_uri"]),
        userinfo=known["attributes_url"],
    )


def with_query(url: str, params: dict[str, str]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


async def authorization_url(
    ctx: Context, provider: IdentityProvider, state: FederationState, sealed: str, redirect: str
) -> str:
    found = await resolve(ctx, provider)
    return with_query(
        found.authorize,
        {
            "response_type": "code",
            "client_id": provider.details["client_id"],
            "redirect_uri": redirect,
            "scope": provider.details["authorize_scopes"],
            "state": sealed,
            "nonce": state.nonce,
            "code_challenge": state.code_challenge(),
            "code_challenge_method": "S256",
        },
    )


async def token_request(ctx: Context, url: str, form: dict[str, str]) -> dict[str, Any]:
    try:
        answer = await http(ctx).fetch(
            "POST", url, headers={"Accept": "application/json"}, form=form
        )
        body = answer.json()
    except UpstreamError as exc:
        raise InvalidRequest("The identity provider's token endpoint did not answer.") from exc
    if answer.status != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        raise InvalidRequest(f"The identity provider refused the code ({error or answer.status}).")
    return body


async def verify_id_token(
    ctx: Context, token: str, found: OidcEndpoints, client_id: str, nonce: str | None
) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidRequest("Invalid id_token: not a JWT.") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise InvalidRequest(f"Invalid id_token: algorithm {algorithm} is not accepted.")
    key = await _key(ctx, found.jwks, str(header.get("kid") or ""), str(algorithm))
    issuers = [found.issuer, *_ISSUER_ALIASES.get(found.issuer, set())]
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[str(algorithm)],
            audience=client_id,
            issuer=issuers,
            leeway=60,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.InvalidAudienceError:
        raise InvalidRequest("Invalid id_token: the audience is not this client.") from None
    except jwt.InvalidIssuerError:
        raise InvalidRequest("Invalid id_token: bad id_token issuer.") from None
    except jwt.ExpiredSignatureError:
        raise InvalidRequest("Invalid id_token: the token has expired.") from None
    except jwt.InvalidSignatureError:
        raise InvalidRequest("Invalid id_token: the signature does not verify.") from None
    except jwt.PyJWTError as exc:
        raise InvalidRequest(f"Invalid id_token: {exc}.") from None
    if nonce is not None and claims.get("nonce") != nonce:
        raise InvalidRequest("Invalid id_token: the nonce does not match.")
    return claims


async def _key(ctx: Context, jwks_uri: str, kid: str, algorithm: str) -> Any:
    for fresh in (False, True):
        document = await fetch_json(ctx, jwks_uri, fresh=fresh)
        try:
            keys = jwt.PyJWKSet.from_dict(document).keys
        except jwt.PyJWTError as exc:
            raise InvalidRequest("The identity provider's JWKS is unusable.") from exc
        for key in keys:
            if (not kid or key.key_id == kid) and key.key_type in ("RSA", "EC", "OKP"):
                return key.key
    # A key we have not seen may be a rotation: the JWKS was read again above.
    raise InvalidRequest("Invalid id_token: no key of the provider's JWKS signed it.")


async def userinfo(ctx: Context, url: str, access_token: str, method: str) -> dict[str, Any]:
    try:
        answer = await http(ctx).fetch(
            method,
            url,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        body = answer.json()
    except UpstreamError as exc:
        raise InvalidRequest("The identity provider's userInfo endpoint did not answer.") from exc
    if answer.status != 200 or not isinstance(body, dict):
        raise InvalidRequest(f"The identity provider's userInfo answered {answer.status}.")
    return body


async def identity(
    ctx: Context,
    provider: IdentityProvider,
    secrets: dict[str, str],
    state: FederationState,
    code: str,
    redirect: str,
) -> ProviderIdentity:
    found = await resolve(ctx, provider)
    client_id = provider.details["client_id"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect,
        "client_id": client_id,
        "code_verifier": state.verifier,
    }
    if secrets.get("client_secret"):
        form["client_secret"] = secrets["client_secret"]
    answer = await token_request(ctx, found.token, form)
    id_token = answer.get("id_token")
    if not isinstance(id_token, str):
        raise InvalidRequest("The identity provider returned no id_token.")
    claims = await verify_id_token(ctx, id_token, found, client_id, state.nonce)
    access_token = answer.get("access_token")
    if found.userinfo and isinstance(access_token, str):
        method = provider.details.get("attributes_request_method") or "GET"
        extra = await userinfo(ctx, found.userinfo, access_token, method)
        if extra.get("sub") not in (None, claims["sub"]):
            # OIDC Core 5.3.2: a userinfo answer about someone else is discarded.
            raise InvalidRequest("The identity provider's userInfo is about another user.")
        claims = {**claims, **extra}
    username_claim = provider.attribute_mapping.get("username", "sub")
    user_id = claims.get(username_claim)
    if user_id in (None, ""):
        raise InvalidRequest(f"The identity provider sent no {username_claim}.")
    issuer = found.issuer if provider.type == "OIDC" else None
    return ProviderIdentity(str(user_id), claims, issuer)
