"""Records for the store tests: full of values, so a column that is dropped, swapped
or mistyped on the way to the database and back shows up as a difference."""

from __future__ import annotations

import uuid
from typing import Any

from poolgate.store.records import (
    AppClient,
    AuthorizationCode,
    Code,
    Message,
    RefreshToken,
    SigningKey,
    User,
    UserPool,
)

POOL = "us-east-1_TTTTTTTTT"
OTHER_POOL = "us-east-1_UUUUUUUUU"
CLIENT = "c" * 26


def pool(pool_id: str = POOL, name: str = "p", **changes: Any) -> UserPool:
    values: dict[str, Any] = {
        "id": pool_id,
        "name": name,
        "arn": f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}",
        "created": 1.5,
        "modified": 2.25,
        "settings": {
            "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireSymbols": False}},
            "UsernameAttributes": ["email"],
        },
        "tags": {"team": "travel", "stage": "staging"},
    }
    values.update(changes)
    return UserPool(**values)


def client(client_id: str = CLIENT, pool_id: str = POOL, **changes: Any) -> AppClient:
    values: dict[str, Any] = {
        "id": client_id,
        "pool_id": pool_id,
        "name": f"web-{client_id[:4]}",
        "created": 3.0,
        "modified": 3.5,
        "settings": {"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"], "RefreshTokenValidity": 30},
        "secret_sealed": b"\x01\x00secret\xff",
    }
    values.update(changes)
    return AppClient(**values)


def key(kid: str, pool_id: str = POOL, **changes: Any) -> SigningKey:
    values: dict[str, Any] = {
        "kid": kid,
        "pool_id": pool_id,
        "use": "id",
        "public_jwk": {"kid": kid, "kty": "RSA", "n": "AQAB" * 4, "e": "AQAB"},
        "private_sealed": b"\x01sealed\x00" + kid.encode(),
        "created": 1.0,
    }
    values.update(changes)
    return SigningKey(**values)


def user(name: str, sub: str | None = None, pool_id: str = POOL, **changes: Any) -> User:
    sub = sub or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{pool_id}/{name}"))
    values: dict[str, Any] = {
        "pool_id": pool_id,
        "username": name,
        "sub": sub,
        "status": "CONFIRMED",
        "enabled": True,
        "created": 10.5,
        "modified": 11.25,
        "attributes": {"sub": sub, "email": f"{name.lower()}@example.com", "locale": "fr-BE"},
        "credential_sealed": b"\x02verifier\x00" + name.encode(),
        "state": {"failures": 0, "history": ["a", "b"], "mfa": {"sms": False}},
        "username_key": name.lower(),
        "email_key": f"{name.lower()}@example.com",
    }
    values.update(changes)
    return User(**values)


def code(sub: str, purpose: str = "SIGN_UP", pool_id: str = POOL, **changes: Any) -> Code:
    values: dict[str, Any] = {
        "pool_id": pool_id,
        "sub": sub,
        "purpose": purpose,
        "code_hash": "a" * 64,
        "created": 100.0,
        "expires": 100.0 + 86400,
        "attempts": 2,
        "destination": "a***@e***.com",
    }
    values.update(changes)
    return Code(**values)


def refresh_token(
    token_hash: str, sub: str, origin_jti: str, pool_id: str = POOL, **changes: Any
) -> RefreshToken:
    values: dict[str, Any] = {
        "token_hash": token_hash,
        "pool_id": pool_id,
        "client_id": CLIENT,
        "sub": sub,
        "origin_jti": origin_jti,
        "auth_time": 1_700_000_000,
        "created": 1_700_000_000.0,
        "expires": 1_700_000_000.0 + 30 * 86400,
        "scope": "openid email",
    }
    values.update(changes)
    return RefreshToken(**values)


def authorization_code(code_hash: str, sub: str, **changes: Any) -> AuthorizationCode:
    values: dict[str, Any] = {
        "code_hash": code_hash,
        "pool_id": POOL,
        "client_id": CLIENT,
        "sub": sub,
        "grant": {
            "redirect_uri": "https://app.example.com/callback",
            "scope": "openid email",
            "nonce": "n-0S6_WzA2Mj",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
            "auth_time": 1_700_000_000,
        },
        "created": 1000.0,
        "expires": 1300.0,
    }
    values.update(changes)
    return AuthorizationCode(**values)


def message(recipient: str, body: str = "Your code is 123456", **changes: Any) -> Message:
    values: dict[str, Any] = {
        "channel": "EMAIL",
        "recipient": recipient,
        "subject": "Your verification code",
        "body": body,
        "created": 500.0,
        "pool_id": POOL,
        "username": "alice",
        "purpose": "SIGN_UP",
    }
    values.update(changes)
    return Message(**values)
