"""The authorizers in process, with an issuer of the test's own (its keys served by an
httpx mock transport) and an injected clock: expiry, time claims, audiences, the
verified-token cache and the key set's refetch limit."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from poolgate.gateway.authorizer import (
    AuthorizerFailure,
    CognitoUserPoolsAuthorizer,
    Forbidden,
    JwtAuthorizer,
    TokenCache,
    Unauthorized,
)
from poolgate.gateway.config import AuthorizerConfig
from poolgate.gateway.jwks import KeySets

ISSUER = "https://issuer.test/us-east-1_pool"
NOW = 1_700_000_000.0


class Issuer:
    """Signs tokens and serves its discovery document and JWKS."""

    def __init__(self) -> None:
        self.keys = {"k1": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        self.requests: list[str] = []
        self.down = False

    def token(self, kid: str = "k1", **claims: Any) -> str:
        body = {
            "iss": ISSUER,
            "sub": "user",
            "token_use": "id",
            "aud": "client",
            "iat": int(NOW) - 10,
            "exp": int(NOW) + 3600,
            **claims,
        }
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if self.down:
            raise httpx.ConnectError("down")
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(200, json={"jwks_uri": f"{ISSUER}/keys.json"})
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return httpx.Response(200, json={"keys": keys})


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def key_sets(issuer: Issuer) -> KeySets:
    return KeySets(httpx.AsyncClient(transport=httpx.MockTransport(issuer.handler)))


def cognito(issuer: Issuer, clock: Clock, **extra: Any) -> CognitoUserPoolsAuthorizer:
    async def resolve(reference: str) -> list[str]:
        return ["us-east-1_pool"] if reference in ("pool-name", "us-east-1_pool") else []

    config = AuthorizerConfig(
        name="cognito", type="COGNITO_USER_POOLS", user_pools=("pool-name",), **extra
    )
    return CognitoUserPoolsAuthorizer(
        config,
        key_sets(issuer),
        clock,
        resolve_pool=resolve,
        issuer_for=lambda pool_id: f"https://issuer.test/{pool_id}",
    )


def jwt_authorizer(issuer: Issuer, clock: Clock) -> JwtAuthorizer:
    config = AuthorizerConfig(name="jwt", type="JWT", issuer=ISSUER, audience=("client",))
    return JwtAuthorizer(config, key_sets(issuer), clock)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_expired_tokens_are_refused_even_from_the_cache(issuer: Issuer, clock: Clock) -> None:
    authorizer = cognito(issuer, clock)
    token = issuer.token()
    principal = await authorizer.authorize(bearer(token), ())
    assert principal.event_claims["sub"] == "user"
    clock.now = NOW + 3600
    with pytest.raises(Unauthorized, match="expired"):
        await authorizer.authorize(bearer(token), ())
    with pytest.raises(Unauthorized, match="expired"):
        await authorizer.authorize(bearer(issuer.token(exp=int(NOW) - 1)), ())


async def test_verified_tokens_are_cached(issuer: Issuer, clock: Clock) -> None:
    authorizer = cognito(issuer, clock)
    token = issuer.token()
    for _ in range(5):
        await authorizer.authorize({"authorization": token}, ())
    assert authorizer.verifications == 1
    # Per-route checks still run on a cached token.
    with pytest.raises(Unauthorized, match="access token"):
        await authorizer.authorize({"authorization": token}, ("scope",))


def test_the_token_cache_is_bounded() -> None:
    from poolgate.gateway.authorizer import Principal

    cache = TokenCache(maxsize=2)
    principal = Principal({}, {}, "id", (), expires=NOW + 60)
    for token in ("a", "b", "c"):
        cache.put(token, principal)
    assert len(cache) == 2
    assert cache.get("a", NOW) is None and cache.get("c", NOW) is principal


async def test_cognito_token_kinds_and_scopes(issuer: Issuer, clock: Clock) -> None:
    authorizer = cognito(issuer, clock)
    access = issuer.token(token_use="access", scope="trips/read openid", aud=None)
    with pytest.raises(Unauthorized, match="takes an id token"):
        await authorizer.authorize(bearer(access), ())
    principal = await authorizer.authorize(bearer(access), ("trips/write", "trips/read"))
    assert principal.scopes == ("trips/read", "openid")
    with pytest.raises(Unauthorized, match="none of the scopes"):
        await authorizer.authorize(bearer(access), ("trips/write",))
    with pytest.raises(Unauthorized, match="token_use"):
        await authorizer.authorize(bearer(issuer.token(token_use="refresh")), ())
    with pytest.raises(Unauthorized, match="issuer"):
        await authorizer.authorize(bearer(issuer.token(iss="https://issuer.test/other")), ())


async def test_identity_validation_expression(issuer: Issuer, clock: Clock) -> None:
    authorizer = cognito(issuer, clock, identity_validation_expression="web-.*")
    await authorizer.authorize(bearer(issuer.token(aud="web-1")), ())
    with pytest.raises(Unauthorized):
        await authorizer.authorize(bearer(issuer.token(aud="mobile")), ())


async def test_an_unknown_pool_is_an_authorizer_failure(issuer: Issuer, clock: Clock) -> None:
    authorizer = cognito(issuer, clock)
    authorizer.config = AuthorizerConfig(
        name="cognito", type="COGNITO_USER_POOLS", user_pools=("missing",)
    )
    with pytest.raises(AuthorizerFailure, match="no user pool is named 'missing'"):
        await authorizer.authorize(bearer(issuer.token()), ())


async def test_jwt_time_claims_and_audiences(issuer: Issuer, clock: Clock) -> None:
    authorizer = jwt_authorizer(issuer, clock)
    await authorizer.authorize(bearer(issuer.token()), ())
    await authorizer.authorize(bearer(issuer.token(aud=["x", "client"])), ())
    # client_id counts only when there is no aud.
    await authorizer.authorize(bearer(issuer.token(aud=None, client_id="client")), ())
    for claims, reason in [
        ({"aud": "other", "client_id": "client"}, "audience"),
        ({"aud": None}, "audience"),
        ({"nbf": int(NOW) + 60}, "nbf"),
        ({"iat": int(NOW) + 60}, "iat"),
        ({"exp": int(NOW)}, "expired"),
    ]:
        with pytest.raises(Unauthorized, match=reason) as exc:
            await authorizer.authorize(bearer(issuer.token(**claims)), ())
        assert 'error="invalid_token"' in exc.value.headers["www-authenticate"]


async def test_jwt_scopes_answer_forbidden(issuer: Issuer, clock: Clock) -> None:
    authorizer = jwt_authorizer(issuer, clock)
    token = issuer.token(scp=["trips/read"])
    assert (await authorizer.authorize(bearer(token), ("trips/read",))).scopes == ("trips/read",)
    with pytest.raises(Forbidden) as exc:
        await authorizer.authorize(bearer(token), ("trips/write",))
    assert exc.value.status == 403
    assert 'error="insufficient_scope"' in exc.value.headers["www-authenticate"]


async def test_an_unknown_kid_refetches_the_keys_at_most_once_per_interval(
    issuer: Issuer, clock: Clock
) -> None:
    authorizer = jwt_authorizer(issuer, clock)
    await authorizer.authorize(bearer(issuer.token()), ())
    key_set = authorizer.key_sets.for_issuer(ISSUER)
    assert key_set.fetches == 1
    # A rotated-in key is found by refetching.
    issuer.keys["k2"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_set._fetched_at = time.monotonic() - 60
    await authorizer.authorize(bearer(issuer.token(kid="k2")), ())
    assert key_set.fetches == 2
    # Made-up kids right after do not make it fetch again.
    issuer.keys["k3"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for _ in range(3):
        with pytest.raises(Unauthorized, match="kid"):
            await authorizer.authorize(bearer(issuer.token(kid="k3")), ())
    assert key_set.fetches == 2


async def test_an_unreachable_issuer_is_an_authorizer_failure(issuer: Issuer, clock: Clock) -> None:
    issuer.down = True
    authorizer = jwt_authorizer(issuer, clock)
    with pytest.raises(AuthorizerFailure) as exc:
        await authorizer.authorize(bearer(issuer.token()), ())
    assert exc.value.status == 500


async def test_a_shared_pool_name_means_the_oldest_pool(
    issuer: Issuer, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    async def resolve(reference: str) -> list[str]:
        # Oldest first, as core's pools_named answers.
        return ["us-east-1_pool", "us-east-1_newer"] if reference == "pool-name" else []

    config = AuthorizerConfig(name="cognito", type="COGNITO_USER_POOLS", user_pools=("pool-name",))
    authorizer = CognitoUserPoolsAuthorizer(
        config,
        key_sets(issuer),
        clock,
        resolve_pool=resolve,
        issuer_for=lambda pool_id: f"https://issuer.test/{pool_id}",
    )
    principal = await authorizer.authorize(bearer(issuer.token()), ())
    assert principal.claims["iss"] == ISSUER
    assert "using the oldest, us-east-1_pool (newer: us-east-1_newer)" in caplog.text
    newer = issuer.token(iss="https://issuer.test/us-east-1_newer")
    with pytest.raises(Unauthorized):
        await authorizer.authorize(bearer(newer), ())
