"""The authorization response (RFC 6749 4.1.2 and 4.2.2): an authorization code for the
code flow, stored hashed for five minutes, or tokens in the fragment for the implicit
flow."""

from __future__ import annotations

import hashlib
import secrets

from poolgate.core.auth import tokens
from poolgate.core.context import Context
from poolgate.core.oauth.authorization import AuthorizeRequest
from poolgate.core.records import AuthorizationCode, User

CODE_LIFETIME = 300  # Cognito's authorization codes last five minutes.


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def issue_code(ctx: Context, request: AuthorizeRequest, user: User, auth_time: int) -> str:
    code = secrets.token_urlsafe(32)
    now = ctx.clock()
    await ctx.store.add_authorization_code(
        AuthorizationCode(
            code_hash=code_hash(code),
            pool_id=request.pool.id,
            client_id=request.client.id,
            sub=user.sub,
            grant={
                "redirect_uri": request.redirect_uri,
                "scope": " ".join(request.scopes),
                "nonce": request.nonce,
                "code_challenge": request.code_challenge,
                "auth_time": auth_time,
            },
            created=now,
            expires=now + CODE_LIFETIME,
        )
    )
    return code


async def implicit_tokens(
    ctx: Context, request: AuthorizeRequest, user: User, auth_time: int
) -> tokens.Tokens:
    return await tokens.mint(
        ctx, request.pool, request.client, user, auth_time=auth_time,
        with_refresh_token=False, scope=" ".join(request.scopes), nonce=request.nonce, oauth=True,
    )  # fmt: skip
