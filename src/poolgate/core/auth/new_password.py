"""NEW_PASSWORD_REQUIRED: an administrator-created user chooses a password (and the
required attributes still missing) before the first tokens."""

from __future__ import annotations

from poolgate.core.auth import passwords, sessions, sign_in
from poolgate.core.auth.client_auth import check_secret_hash
from poolgate.core.auth.outcome import NEW_PASSWORD_REQUIRED, AuthOutcome, param
from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.users import attributes, lookup


async def respond(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    responses: dict[str, str],
    session: str,
    *,
    mint: bool = True,
) -> AuthOutcome:
    state = sessions.open_session(
        ctx, session, challenge=NEW_PASSWORD_REQUIRED, client_id=client.id
    )
    new_password = param(responses, "NEW_PASSWORD")
    user = await ctx.store.get_user_by_sub(pool.id, state["sub"])
    if user is None:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    if mint:  # the hosted pages are the server itself: no SECRET_HASH there
        check_secret_hash(
            ctx, client, responses.get("SECRET_HASH"), responses.get("USERNAME", ""), user.username
        )
    if user.status != lookup.FORCE_CHANGE_PASSWORD:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    given = [
        {"Name": key[len("userAttributes.") :], "Value": value}
        for key, value in responses.items()
        if key.startswith("userAttributes.")
    ]
    changes = attributes.parse(pool, given, client=client)
    merged = {**user.attributes, **changes}
    attributes.check_required(pool, merged)
    passwords.check_policy(pool, new_password)
    user.attributes = merged
    await passwords.set_password(ctx.sealer, pool, user, new_password)
    user.status = lookup.CONFIRMED
    user.state.pop("temporary_password_expires", None)
    user.modified = ctx.clock()
    await ctx.store.put_user(lookup.index_keys(pool, user))
    # Cognito asks for the second factor after the new password, like any sign-in.
    return await sign_in.finish(
        ctx, pool, client, user, mint=mint, device_key=responses.get("DEVICE_KEY")
    )


async def hosted_new_password(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    session: str,
    new_password: str,
    attributes_given: dict[str, str],
) -> tuple[User, AuthOutcome]:
    """The hosted new-password page: complete NEW_PASSWORD_REQUIRED; returns the user
    and what they still owe (an empty outcome when nothing)."""
    state = sessions.open_session(
        ctx, session, challenge=NEW_PASSWORD_REQUIRED, client_id=client.id
    )
    responses = {"NEW_PASSWORD": new_password}
    responses.update({f"userAttributes.{k}": v for k, v in attributes_given.items()})
    outcome = await respond(ctx, pool, client, responses, session, mint=False)
    user = await ctx.store.get_user_by_sub(pool.id, str(state["sub"]))
    if user is None:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    return user, outcome
