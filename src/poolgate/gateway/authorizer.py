"""Authorizers: who may call a route, decided from the JWT in a request header.

``COGNITO_USER_POOLS`` follows REST APIs ("Integrate a REST API with an Amazon Cognito
user pool",
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html):

    "if the OAuth Scopes option isn't specified, API Gateway treats the supplied token
    as an identity token and verifies the claimed identity against the one from the
    user pool. Otherwise, API Gateway treats the supplied token as an access token and
    verifies the access scopes that are claimed in the token against the authorization
    scopes declared on the method."  ... "the method call succeeds if any scope that's
    specified on the method ... matches a scope that's claimed in the incoming token.
    Otherwise, the call fails with a 401 Unauthorized response."

So a route without scopes takes id tokens only, a route with scopes access tokens only,
and every refusal is ``401 {"message":"Unauthorized"}`` (gateway response
``UNAUTHORIZED``). The token must be signed by one of the authorizer's pools (its
``iss`` is Poolgate's issuer for the pool) and not be expired; any app client of the
pool is accepted, and ``identity_validation_expression`` optionally constrains an id
token's ``aud``.

``JWT`` follows HTTP APIs ("Controlling access to HTTP APIs with JWT authorizers",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
the token's ``kid`` must be in the issuer's ``jwks_uri`` (RSA only), ``iss`` must be the
configured issuer, ``aud`` - or ``client_id`` when the token has no ``aud`` - one of
the audiences, ``exp``/``nbf``/``iat`` consistent with now, and with route scopes the
``scope`` (or ``scp``) claim must hold one of them. Invalid tokens answer 401 with a
``www-authenticate: Bearer ... error="invalid_token"`` header ("Troubleshooting issues
with HTTP API JWT authorizers"); a valid token lacking the scopes answers
``403 {"message":"Forbidden"}`` (``error="insufficient_scope"``), as the JWT
authorizer page says ("A valid token that carries none of the method's scopes
receives a 403 Forbidden response").

A ``COGNITO_USER_POOLS`` authorizer fetches its pools' keys from their issuer
(``{public_url}/{pool_id}``), so the gateway must reach the identity provider at its
public URL, as API Gateway reaches ``cognito-idp``.

Either way the token may be sent bare or as ``Bearer <token>``. Verified tokens are
cached (bounded LRU keyed by the token string) until they expire, so a hot route pays
no RSA verification per request; the per-route checks (token kind, scopes) are cheap
and run every time.

Beyond API Gateway: a token issued by one of this deployment's pools is also checked
against the store on every request (``check_revocation``, on by default): a token whose
user signed out (GlobalSignOut, AdminUserGlobalSignOut), was disabled or deleted, or
whose refresh token was revoked, is refused with 401 as an invalid token is. API
Gateway cannot know these and accepts such a token until it expires; a gateway that
runs beside the store can. ``check_revocation = false`` (per API or authorizer) gives
API Gateway's behaviour back.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from poolgate.gateway.claims import http_api_claims, rest_api_claims
from poolgate.gateway.config import AuthorizerConfig
from poolgate.gateway.jwks import RSA_ALGORITHMS, KeySets, KeySetUnavailable

__all__ = [
    "Authorizer",
    "AuthorizerFailure",
    "CognitoUserPoolsAuthorizer",
    "Forbidden",
    "JwtAuthorizer",
    "PoolResolver",
    "Principal",
    "Refusal",
    "RevocationCheck",
    "TokenCache",
    "Unauthorized",
    "build_authorizer",
]

log = logging.getLogger("poolgate.gateway")

# Resolves a pool name or id to the ids of the pools it names, oldest first.
PoolResolver = Callable[[str], Awaitable[list[str]]]
# Why a verified token of a pool no longer speaks for its user, or None
# (core.auth.revocation.token_refusal).
RevocationCheck = Callable[[str, Mapping[str, Any]], Awaitable[str | None]]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Principal:
    """A verified token."""

    claims: Mapping[str, Any]
    # The claims as the integration receives them (strings; see ``claims.py``).
    event_claims: Mapping[str, str]
    token_use: str | None
    scopes: tuple[str, ...]
    expires: float
    # The pool of this deployment that issued the token, if one did.
    pool_id: str | None = None


class Refusal(Exception):
    """The request is refused before it reaches the integration.

    ``detail`` says why, for the log only: the client gets API Gateway's message.
    """

    status = 401
    message: str | None = "Unauthorized"
    error_type = "UnauthorizedException"

    def __init__(self, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = dict(headers or {})


class Unauthorized(Refusal):
    """Gateway response ``UNAUTHORIZED``: no token, or one that does not verify."""


class Forbidden(Refusal):
    """A valid token without the route's scopes (HTTP APIs)."""

    status = 403
    message = "Forbidden"
    error_type = "AccessDeniedException"


class AuthorizerFailure(Refusal):
    """Gateway response ``AUTHORIZER_CONFIGURATION_ERROR``: the authorizer cannot work
    (its pool does not exist, the issuer's keys cannot be fetched)."""

    status = 500
    message = None
    error_type = "AuthorizerConfigurationException"


class TokenCache:
    """Verified tokens until they expire; the least recently used go first."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[str, Principal] = OrderedDict()

    def get(self, token: str, now: float) -> Principal | None:
        principal = self._entries.get(token)
        if principal is None:
            return None
        if principal.expires <= now:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return principal

    def put(self, token: str, principal: Principal) -> None:
        self._entries[token] = principal
        self._entries.move_to_end(token)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class Authorizer:
    """Common to both kinds: finding the token, caching verified tokens."""

    def __init__(
        self,
        config: AuthorizerConfig,
        key_sets: KeySets,
        clock: Clock,
        revocation: RevocationCheck | None = None,
    ) -> None:
        self.config = config
        self.key_sets = key_sets
        self.clock = clock
        self.cache = TokenCache()
        self.verifications = 0
        self.revocation = revocation if config.check_revocation else None

    async def authorize(self, headers: Mapping[str, str], scopes: tuple[str, ...]) -> Principal:
        """The principal of the request's token, allowed on a route requiring
        ``scopes``; raises a ``Refusal`` otherwise."""
        token = self._token(headers)
        now = self.clock()
        principal = self.cache.get(token, now)
        if principal is None:
            principal = await self._verify(token, now)
            self.cache.put(token, principal)
        if self.revocation is not None and principal.pool_id is not None:
            # Every time, not once per cached token: a sign-out takes effect at once.
            reason = await self.revocation(principal.pool_id, principal.claims)
            if reason is not None:
                raise self._invalid(reason)
        self._permit(principal, scopes)
        return principal

    def _token(self, headers: Mapping[str, str]) -> str:
        value = headers.get(self.config.header.lower(), "").strip()
        if value[:7].lower() == "bearer ":
            value = value[7:].strip()
        if not value:
            raise self._invalid(f"no token in the {self.config.header} header")
        return value

    async def _verify(self, token: str, now: float) -> Principal:
        raise NotImplementedError

    def _permit(self, principal: Principal, scopes: tuple[str, ...]) -> None:
        raise NotImplementedError

    def _invalid(self, detail: str) -> Refusal:
        return Unauthorized(detail)

    async def _signed_claims(
        self, token: str, issuers: Mapping[str, Any], algorithms: tuple[str, ...]
    ) -> dict[str, Any]:
        """The claims of ``token`` once its signature verifies with a key of its
        issuer, which must be one of ``issuers``."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise self._invalid(f"malformed token: {exc}") from None
        algorithm, kid, issuer = header.get("alg"), header.get("kid"), unverified.get("iss")
        if algorithm not in algorithms:
            raise self._invalid(f"token algorithm {algorithm!r} is not accepted")
        if not isinstance(kid, str):
            raise self._invalid("token has no kid")
        if not isinstance(issuer, str) or issuer not in issuers:
            raise self._invalid(f"token issuer {issuer!r} is not accepted")
        try:
            key = await self.key_sets.for_issuer(issuer).key(kid)
        except KeySetUnavailable as exc:
            raise AuthorizerFailure(str(exc)) from None
        if key is None:
            raise self._invalid(f"kid {kid!r} is not in the key set of {issuer}")
        self.verifications += 1
        try:
            # Time claims are checked against the injected clock below.
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise self._invalid(f"token does not verify: {exc}") from None
        return claims

    def _check_times(self, claims: Mapping[str, Any], now: float, require_iat: bool) -> float:
        exp, nbf, iat = (_number(claims.get(name)) for name in ("exp", "nbf", "iat"))
        if exp is None:
            raise self._invalid("token has no exp")
        if exp <= now:
            raise self._invalid("the token has expired")
        if nbf is not None and nbf > now:
            raise self._invalid("the token is not valid yet (nbf)")
        if require_iat and iat is None:
            raise self._invalid("token has no iat")
        if iat is not None and iat > now + 1:
            raise self._invalid("the token was issued in the future (iat)")
        return exp


class CognitoUserPoolsAuthorizer(Authorizer):
    """A REST API's ``COGNITO_USER_POOLS`` authorizer over Poolgate's own pools."""

    def __init__(
        self,
        config: AuthorizerConfig,
        key_sets: KeySets,
        clock: Clock,
        *,
        resolve_pool: PoolResolver,
        issuer_for: Callable[[str], str],
        revocation: RevocationCheck | None = None,
    ) -> None:
        super().__init__(config, key_sets, clock, revocation)
        self.resolve_pool = resolve_pool
        self.issuer_for = issuer_for
        self._issuers: dict[str, str] | None = None
        self._expression = (
            re.compile(config.identity_validation_expression)
            if config.identity_validation_expression
            else None
        )

    async def issuers(self) -> dict[str, str]:
        """Issuer -> pool id for the authorizer's pools, resolved on first use (pools
        may be created after the gateway starts) and kept once all are found."""
        if self._issuers is not None:
            return self._issuers
        found: dict[str, str] = {}
        for reference in self.config.user_pools:
            ids = await self.resolve_pool(reference)
            if not ids:
                raise AuthorizerFailure(
                    f"authorizer {self.config.name!r}: no user pool is named {reference!r}"
                )
            if len(ids) > 1:
                # The oldest, as `poolgate apply` picks: a newer pool that borrows the
                # name never takes over the API's users.
                log.warning(
                    "authorizer %r: %d user pools are named %r; using the oldest, %s "
                    "(newer: %s). Name the pool by its id to choose another.",
                    self.config.name, len(ids), reference, ids[0], ", ".join(ids[1:]),
                )  # fmt: skip
            found[self.issuer_for(ids[0])] = ids[0]
        self._issuers = found
        return found

    async def _verify(self, token: str, now: float) -> Principal:
        issuers = await self.issuers()
        claims = await self._signed_claims(token, issuers, ("RS256",))
        expires = self._check_times(claims, now, require_iat=False)
        token_use = claims.get("token_use")
        if token_use not in ("id", "access"):
            raise self._invalid(f"token_use {token_use!r} is neither id nor access")
        return Principal(
            claims=claims,
            event_claims=rest_api_claims(claims),
            token_use=token_use,
            scopes=_scopes(claims),
            expires=expires,
            pool_id=issuers[claims["iss"]],
        )

    def _permit(self, principal: Principal, scopes: tuple[str, ...]) -> None:
        if not scopes:
            if principal.token_use != "id":
                raise Unauthorized("the route has no scopes, so it takes an id token")
            if self._expression is not None:
                audience = principal.claims.get("aud")
                if not isinstance(audience, str) or not self._expression.fullmatch(audience):
                    raise Unauthorized("the token's aud fails identity_validation_expression")
            return
        if principal.token_use != "access":
            raise Unauthorized("the route has scopes, so it takes an access token")
        if not set(scopes) & set(principal.scopes):
            raise Unauthorized(f"the token has none of the scopes {' '.join(scopes)}")


class JwtAuthorizer(Authorizer):
    """An HTTP API's ``JWT`` authorizer: any OIDC issuer, Poolgate's pools included."""

    def __init__(
        self,
        config: AuthorizerConfig,
        key_sets: KeySets,
        clock: Clock,
        revocation: RevocationCheck | None = None,
        local_pool: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(config, key_sets, clock, revocation)
        # Which pool of this deployment the issuer is, if it is one (asked when a token
        # comes: the context opens after the authorizers are built).
        self.local_pool = local_pool

    async def _verify(self, token: str, now: float) -> Principal:
        issuer = self.config.issuer
        claims = await self._signed_claims(token, {issuer: issuer}, RSA_ALGORITHMS)
        expires = self._check_times(claims, now, require_iat=False)
        # "API Gateway validates client_id only if aud is not present. When both aud
        # and client_id are present, API Gateway evaluates aud." (troubleshooting page)
        audience = claims.get("aud")
        if audience is None:
            audience = claims.get("client_id")
        audiences = audience if isinstance(audience, list) else [audience]
        if not set(self.config.audience) & {a for a in audiences if isinstance(a, str)}:
            raise self._invalid("the token does not have a valid audience")
        token_use = claims.get("token_use")
        return Principal(
            claims=claims,
            event_claims=http_api_claims(claims),
            token_use=token_use if isinstance(token_use, str) else None,
            scopes=_scopes(claims),
            expires=expires,
            pool_id=self.local_pool(issuer) if self.local_pool is not None else None,
        )

    def _permit(self, principal: Principal, scopes: tuple[str, ...]) -> None:
        if scopes and not set(scopes) & set(principal.scopes):
            expected = " ".join(scopes)
            raise Forbidden(
                f"the token has none of the scopes {expected}",
                {
                    "www-authenticate": (
                        f'Bearer scope="{expected}" error="insufficient_scope" '
                        f'error_description="expected scopes: [{expected}]"'
                    )
                },
            )

    def _invalid(self, detail: str) -> Refusal:
        description = detail.replace('"', "'")
        return Unauthorized(
            detail,
            {
                "www-authenticate": (
                    f'Bearer scope="" error="invalid_token" error_description="{description}"'
                )
            },
        )


def build_authorizer(
    config: AuthorizerConfig,
    key_sets: KeySets,
    *,
    resolve_pool: PoolResolver,
    issuer_for: Callable[[str], str],
    clock: Clock = time.time,
    revocation: RevocationCheck | None = None,
    local_pool: Callable[[str], str | None] | None = None,
) -> Authorizer:
    if config.type == "JWT":
        return JwtAuthorizer(config, key_sets, clock, revocation, local_pool)
    return CognitoUserPoolsAuthorizer(
        config,
        key_sets,
        clock,
        resolve_pool=resolve_pool,
        issuer_for=issuer_for,
        revocation=revocation,
    )


def _scopes(claims: Mapping[str, Any]) -> tuple[str, ...]:
    value = claims.get("scope", claims.get("scp"))
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return ()


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
