"""The pre and post authentication triggers (developer guide, "Pre authentication
Lambda trigger", "Post authentication Lambda trigger").

Pre authentication runs when an existing user starts to sign in, before the password
or SRP proof is checked; an error from it refuses the sign-in. Post authentication runs
once the user has proven every factor the sign-in needs, before tokens are issued; an
error from it refuses the sign-in too. InitiateAuth's ClientMetadata reaches pre
authentication as ``validationData``; RespondToAuthChallenge's reaches post
authentication as ``clientMetadata`` (API reference, ``ClientMetadata``).
"""

from __future__ import annotations

from poolgate.core.context import Context
from poolgate.core.records import User, UserPool
from poolgate.core.triggers import invoke, lambda_config
from poolgate.core.triggers.events import metadata, user_attributes

PRE_AUTHENTICATION = "PreAuthentication_Authentication"
POST_AUTHENTICATION = "PostAuthentication_Authentication"


async def pre_authentication(
    ctx: Context,
    pool: UserPool,
    user: User,
    *,
    client_id: str,
    validation_data: dict[str, str] | None,
) -> None:
    trigger = lambda_config.PRE_AUTHENTICATION
    if not invoke.configured(pool, trigger):
        return
    await invoke.call(
        ctx,
        pool,
        trigger,
        PRE_AUTHENTICATION,
        user_name=user.username,
        client_id=client_id,
        request={
            "userAttributes": user_attributes(pool, user),
            "validationData": metadata(validation_data),
            "userNotFound": False,
        },
        response={},
    )


async def post_authentication(
    ctx: Context,
    pool: UserPool,
    user: User,
    *,
    client_id: str,
    client_metadata: dict[str, str] | None,
    new_device_used: bool = False,
) -> None:
    trigger = lambda_config.POST_AUTHENTICATION
    if not invoke.configured(pool, trigger):
        return
    request: dict[str, object] = {
        "userAttributes": user_attributes(pool, user),
        "newDeviceUsed": new_device_used,
    }
    if client_metadata:
        request["clientMetadata"] = dict(client_metadata)
    await invoke.call(
        ctx,
        pool,
        trigger,
        POST_AUTHENTICATION,
        user_name=user.username,
        client_id=client_id,
        request=request,
        response={},
    )
