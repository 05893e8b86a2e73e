"""The authorization response (RFC 6749 4.1.2 and 4.2.2): an authorization code for the
code flow, stored hashed for five minutes, or tokens in the fragment for the implicit
flow.

The pre token generation trigger runs here, when the browser signs in, not when the
code is exchanged: Cognito reports trigger errors to the application's callback URL,
and the exchange then applies the changes the function asked for.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict

from poolgate.core.auth import tokens
from poolgate.core.context import Context
from poolgate.core.groups import groups
from poolgate.core.oauth.authorization import AuthorizeRequest
from poolgate.core.records import AuthorizationCode, User
from poolgate.core.triggers import token_generation

CODE_LIFETIME = 300  # Cognito's authorization codes last five minutes.


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def issue_code(ctx: Context, request: AuthorizeRequest, user: User, auth_time: int) -> str:
    changes = await token_generation.pre_token_generation(
        ctx, request.pool, token_generation.HOSTED_AUTH, user=user,
        client_id=request.client.id,
        group_claims=await groups.token_claims(ctx, request.pool.id, user.sub),
        scopes=request.scopes, client_metadata=None,
    )  # fmt: skip
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
                "token_changes": asdict(changes) if changes is not None else None,
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
        source=token_generation.HOSTED_AUTH,
    )  # fmt: skip
