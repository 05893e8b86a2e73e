"""What a signed-in user does with their access token: GetUser,
UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute,
DeleteUserAttributes, ChangePassword, DeleteUser, GlobalSignOut, SetUserSettings.

Each starts from ``tokens.verify_access_token``: a revoked, expired or forged access
token, or one for a deleted or disabled user, goes no further.
"""

from __future__ import annotations

from typing import Any

from poolgate.core.audit import events
from poolgate.core.auth import lockout, passwords, tokens
from poolgate.core.context import Context
from poolgate.core.errors import (
    NotAuthorizedException,
    UserNotFoundException,
)
from poolgate.core.messages.delivery import Destination
from poolgate.core.mfa import user_factors
from poolgate.core.users import attribute_changes


async def get_user(ctx: Context, access_token: str) -> tokens.AccessGrant:
    return await tokens.verify_access_token(ctx, access_token)


async def _grant(ctx: Context, access_token: str) -> tokens.AccessGrant:
    grant = await tokens.verify_access_token(ctx, access_token)
    if tokens.ADMIN_SCOPE not in str(grant.claims.get("scope", "")).split():
        # Only tokens with aws.cognito.signin.user.admin may use the self-service API.
        raise NotAuthorizedException("Access Token does not have required scopes")
    return grant


async def update_user_attributes(
    ctx: Context,
    access_token: str,
    changes: list[dict[str, str]],
    *,
    client_metadata: dict[str, str] | None = None,
) -> list[Destination]:
    grant = await _grant(ctx, access_token)
    client = await ctx.store.get_client(str(grant.claims.get("client_id", "")))
    return await attribute_changes.update(
        ctx, grant.pool, grant.user, changes, client=client, client_metadata=client_metadata
    )


async def get_user_attribute_verification_code(
    ctx: Context,
    access_token: str,
    attribute: str,
    *,
    client_metadata: dict[str, str] | None = None,
) -> Destination:
    grant = await _grant(ctx, access_token)
    return await attribute_changes.send_verification_code(
        ctx, grant.pool, grant.user, attribute,
        client_id=str(grant.claims.get("client_id", "")) or None,
        client_metadata=client_metadata,
    )  # fmt: skip


async def verify_user_attribute(ctx: Context, access_token: str, attribute: str, code: str) -> None:
    grant = await _grant(ctx, access_token)
    await attribute_changes.verify(ctx, grant.pool, grant.user, attribute, code)


async def delete_user_attributes(ctx: Context, access_token: str, names: list[str]) -> None:
    grant = await _grant(ctx, access_token)
    client = await ctx.store.get_client(str(grant.claims.get("client_id", "")))
    await attribute_changes.delete(ctx, grant.pool, grant.user, names, client=client)


@events.audited(events.PASSWORD_CHANGE, username_at=None)
async def change_password(
    ctx: Context, access_token: str, previous: str | None, proposed: str
) -> None:
    grant = await _grant(ctx, access_token)
    pool, user = grant.pool, grant.user
    events.identify(user)
    lockout.check(user, ctx.clock())
    if previous is None or not await passwords.password_matches(ctx.sealer, user, previous):
        async with ctx.store.transaction() as tx:
            current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
            if current is not None:
                lockout.record_failure(current, ctx.clock())
                await tx.put_user(current)
        raise NotAuthorizedException("Incorrect username or password.")
    passwords.check_policy(pool, proposed)
    await passwords.check_history(ctx.sealer, pool, user, proposed)
    await passwords.set_password(ctx.sealer, pool, user, proposed)
    user.modified = ctx.clock()
    lockout.record_success(user)
    await ctx.store.put_user(user)


async def delete_user(ctx: Context, access_token: str) -> None:
    grant = await _grant(ctx, access_token)
    await ctx.store.delete_user(grant.pool.id, grant.user.sub)


async def global_sign_out(ctx: Context, access_token: str) -> None:
    """Revoke every refresh token of the user (all clients), and with them every
    access and id token minted from them, for Poolgate's own APIs."""
    try:
        grant = await _grant(ctx, access_token)
    except UserNotFoundException as exc:
        raise NotAuthorizedException(exc.message) from None
    await ctx.store.revoke_user_tokens(grant.pool.id, grant.user.sub, ctx.clock())


async def set_user_settings(
    ctx: Context, access_token: str, mfa_options: list[dict[str, Any]]
) -> None:
    grant = await _grant(ctx, access_token)
    await user_factors.set_user_settings(ctx, grant.pool, grant.user, mfa_options)
