"""Sign-in: InitiateAuth, AdminInitiateAuth and RespondToAuthChallenge as Cognito's
clients use them (Amazon Cognito developer guide, "Authentication flows"). This module
picks the flow; each flow is a module of its own: ``password_auth`` (USER_PASSWORD_AUTH,
ADMIN_USER_PASSWORD_AUTH), ``srp_auth`` (USER_SRP_AUTH, PASSWORD_VERIFIER),
``new_password`` (NEW_PASSWORD_REQUIRED), ``refresh`` (REFRESH_TOKEN_AUTH),
``user_auth`` (USER_AUTH and SELECT_CHALLENGE), ``custom_auth`` (CUSTOM_AUTH and
CUSTOM_CHALLENGE); what they share is in ``sign_in``. The
second factors' and devices' challenges are ``core.mfa``'s (``challenges``,
``device_auth``, ``passkeys``).
"""

from __future__ import annotations

from poolgate.core.auth import (
    attempts,
    custom_auth,
    new_password,
    password_auth,
    refresh,
    srp_auth,
    user_auth,
)
from poolgate.core.auth.client_auth import client_and_pool
from poolgate.core.auth.explicit_flows import require_flow
from poolgate.core.auth.outcome import NEW_PASSWORD_REQUIRED, PASSWORD_VERIFIER, AuthOutcome, param
from poolgate.core.context import Context
from poolgate.core.errors import (
    CognitoError,
    InvalidParameterException,
    ResourceNotFoundException,
)
from poolgate.core.mfa import challenges as mfa_challenges
from poolgate.core.mfa import device_auth, passkeys
from poolgate.core.triggers import request_scope


@attempts.guarded
async def initiate_auth(
    ctx: Context,
    client_id: str,
    flow: str,
    params: dict[str, str],
    *,
    admin_pool_id: str | None = None,
    session: str | None = None,
    client_metadata: dict[str, str] | None = None,
) -> AuthOutcome:
    """``session``: ConfirmSignUp's, which USER_AUTH accepts in place of a first factor.
    ``client_metadata``: for the triggers the call runs (``triggers.request_scope``)."""
    try:
        with request_scope.sign_in_call(client_metadata):
            outcome = await _initiate_auth(
                ctx, client_id, flow, params, admin_pool_id=admin_pool_id, session=session
            )
    except CognitoError as error:
        ctx.metrics.sign_in(flow, error.code)
        raise
    ctx.metrics.sign_in(flow, _result(outcome))
    return outcome


@attempts.guarded
async def respond_to_auth_challenge(
    ctx: Context,
    client_id: str,
    challenge_name: str,
    responses: dict[str, str],
    session: str | None,
    *,
    admin_pool_id: str | None = None,
    client_metadata: dict[str, str] | None = None,
) -> AuthOutcome:
    try:
        with request_scope.sign_in_call(client_metadata, challenge_name):
            outcome = await _respond_to_auth_challenge(
                ctx, client_id, challenge_name, responses, session, admin_pool_id=admin_pool_id
            )
    except CognitoError as error:
        ctx.metrics.sign_in(challenge_name, error.code)
        raise
    ctx.metrics.sign_in(challenge_name, _result(outcome))
    return outcome


def _result(outcome: AuthOutcome) -> str:
    """How a sign-in step ended, for ``ctx.metrics``: tokens, or a further challenge."""
    return "tokens" if outcome.tokens is not None else "challenge"


async def _initiate_auth(
    ctx: Context,
    client_id: str,
    flow: str,
    params: dict[str, str],
    *,
    admin_pool_id: str | None = None,
    session: str | None = None,
) -> AuthOutcome:
    client, pool = await client_and_pool(ctx, client_id)
    if admin_pool_id is not None and admin_pool_id != pool.id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    public = (
        "USER_SRP_AUTH",
        "USER_PASSWORD_AUTH",
        "USER_AUTH",
        "CUSTOM_AUTH",
        "REFRESH_TOKEN_AUTH",
        "REFRESH_TOKEN",
    )
    admin = (
        "USER_SRP_AUTH",
        "USER_AUTH",
        "CUSTOM_AUTH",
        "ADMIN_USER_PASSWORD_AUTH",
        "ADMIN_NO_SRP_AUTH",
        "REFRESH_TOKEN_AUTH",
        "REFRESH_TOKEN",
    )
    if flow not in (admin if admin_pool_id is not None else public):
        raise InvalidParameterException("Initiate Auth method not supported.")
    require_flow(client, flow)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return await refresh.refresh(
            ctx, pool, client, param(params, "REFRESH_TOKEN"), params.get("SECRET_HASH")
        )
    if flow == "USER_SRP_AUTH":
        return await srp_auth.start_srp(ctx, pool, client, params)
    if flow == "CUSTOM_AUTH":
        return await custom_auth.start(ctx, pool, client, params)
    if flow == "USER_AUTH":
        return await user_auth.start(ctx, pool, client, params, session=session)
    return await password_auth.password_auth(ctx, pool, client, params)


async def _respond_to_auth_challenge(
    ctx: Context,
    client_id: str,
    challenge_name: str,
    responses: dict[str, str],
    session: str | None,
    *,
    admin_pool_id: str | None = None,
) -> AuthOutcome:
    client, pool = await client_and_pool(ctx, client_id)
    if admin_pool_id is not None and admin_pool_id != pool.id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    if challenge_name == PASSWORD_VERIFIER:
        if session and custom_auth.is_password_step(ctx, session, client):
            return await custom_auth.respond_password_verifier(
                ctx, pool, client, responses, session
            )
        return await srp_auth.verify_srp(ctx, pool, client, responses)
    if challenge_name == custom_auth.CUSTOM_CHALLENGE:
        return await custom_auth.respond(ctx, pool, client, responses, session)
    if challenge_name == NEW_PASSWORD_REQUIRED:
        if not session:
            raise InvalidParameterException("Missing required parameter Session")
        return await new_password.respond(ctx, pool, client, responses, session)
    if challenge_name in (user_auth.SELECT_CHALLENGE, user_auth.PASSWORD, user_auth.PASSWORD_SRP):
        return await user_auth.select(ctx, pool, client, challenge_name, responses, session)
    if challenge_name == passkeys.WEB_AUTHN:
        _user, outcome = await passkeys.respond(ctx, pool, client, responses, session)
        return outcome
    if challenge_name == device_auth.DEVICE_SRP_AUTH:
        return await device_auth.start(ctx, pool, client, responses, session)
    if challenge_name == device_auth.DEVICE_PASSWORD_VERIFIER:
        return await device_auth.verify(ctx, pool, client, responses)
    if challenge_name in mfa_challenges.NAMES:
        _user, outcome = await mfa_challenges.respond(
            ctx, pool, client, challenge_name, responses, session
        )
        return outcome
    raise InvalidParameterException(f"The challenge {challenge_name} is not supported.")
