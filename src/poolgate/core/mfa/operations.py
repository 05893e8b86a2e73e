"""The MFA operations a user or an administrator calls: AssociateSoftwareToken,
VerifySoftwareToken (with an access token or an MFA_SETUP session),
SetUserMFAPreference, AdminSetUserMFAPreference, AdminSetUserSettings,
GetUserAuthFactors, AdminGetUserAuthFactors (API reference)."""

from __future__ import annotations

from typing import Any

from poolgate.core.auth import sessions, tokens
from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException, NotAuthorizedException
from poolgate.core.mfa import challenges, software_token, user_factors
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.users import lookup


async def user_grant(ctx: Context, access_token: str) -> tokens.AccessGrant:
    """A verified access token with the self-service scope (aws.cognito.signin.user.admin)."""
    grant = await tokens.verify_access_token(ctx, access_token)
    if tokens.ADMIN_SCOPE not in str(grant.claims.get("scope", "")).split():
        raise NotAuthorizedException("Access Token does not have required scopes")
    return grant


def _one_of(access_token: str | None, session: str | None) -> None:
    if bool(access_token) == bool(session):
        raise InvalidParameterException("Provide either an access token or a session, not both.")


async def _from_session(
    ctx: Context, session: str, challenge: str
) -> tuple[UserPool, AppClient, User]:
    state = sessions.open_session(ctx, session, challenge=challenge, client_id=None)
    client = await ctx.store.get_client(str(state["client"]))
    pool = await ctx.store.get_pool(client.pool_id) if client else None
    user = await ctx.store.get_user_by_sub(pool.id, str(state["sub"])) if pool else None
    if client is None or pool is None or user is None:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return pool, client, user


async def session_user(ctx: Context, session: str) -> User:
    """The user of an MFA set-up session (the hosted set-up page shows their name)."""
    _pool, _client, user = await _from_session(ctx, session, software_token.ASSOCIATED)
    return user


async def associate_software_token(
    ctx: Context, access_token: str | None, session: str | None
) -> tuple[str, str | None]:
    """The new secret, and with a session the session for VerifySoftwareToken."""
    _one_of(access_token, session)
    if access_token:
        grant = await user_grant(ctx, access_token)
        return await software_token.associate(ctx, grant.pool, grant.user), None
    assert session is not None
    pool, client, user = await _from_session(ctx, session, challenges.MFA_SETUP)
    secret = await software_token.associate(ctx, pool, user)
    next_session = software_token.setup_session(
        ctx, client.id, user, software_token.ASSOCIATED, challenges.minutes(client)
    )
    return secret, next_session


async def verify_software_token(
    ctx: Context, access_token: str | None, session: str | None, code: str, name: str | None
) -> str | None:
    """None with an access token; with a session, the one that answers MFA_SETUP."""
    _one_of(access_token, session)
    if access_token:
        grant = await user_grant(ctx, access_token)
        await software_token.verify(ctx, grant.pool, grant.user, code, name, enable=False)
        return None
    assert session is not None
    pool, client, user = await _from_session(ctx, session, software_token.ASSOCIATED)
    await software_token.verify(ctx, pool, user, code, name, enable=True)
    return software_token.setup_session(
        ctx, client.id, user, software_token.VERIFIED, challenges.minutes(client)
    )


async def set_user_mfa_preference(ctx: Context, access_token: str, request: dict[str, Any]) -> None:
    grant = await user_grant(ctx, access_token)
    await user_factors.set_preference(ctx, grant.pool, grant.user, request)


async def admin_set_user_mfa_preference(
    ctx: Context, pool: UserPool, username: str, request: dict[str, Any]
) -> None:
    user = await lookup.require_user(ctx, pool, username)
    await user_factors.set_preference(ctx, pool, user, request)


async def admin_set_user_settings(
    ctx: Context, pool: UserPool, username: str, options: list[dict[str, Any]]
) -> None:
    user = await lookup.require_user(ctx, pool, username)
    await user_factors.set_user_settings(ctx, pool, user, options)


async def get_user_auth_factors(ctx: Context, access_token: str) -> dict[str, Any]:
    grant = await user_grant(ctx, access_token)
    return await user_factors.auth_factors(ctx, grant.pool, grant.user)


async def admin_get_user_auth_factors(
    ctx: Context, pool: UserPool, username: str
) -> dict[str, Any]:
    user = await lookup.require_user(ctx, pool, username)
    return await user_factors.auth_factors(ctx, pool, user)
