"""USER_AUTH: choice-based sign-in (developer guide, "Authentication flows", choice-
based authentication; API reference, InitiateAuth AuthParameters and
RespondToAuthChallenge SELECT_CHALLENGE).

InitiateAuth names the user (and perhaps PREFERRED_CHALLENGE); the answer is either
the preferred challenge or SELECT_CHALLENGE with ``AvailableChallenges``: the pool's
SignInPolicy.AllowedFirstAuthFactors that this user can use (PASSWORD and
PASSWORD_SRP with a password, EMAIL_OTP with a verified email address, SMS_OTP with a
verified phone number, WEB_AUTHN with a passkey). PASSWORD and PASSWORD_SRP continue
through the password flows, so lockout, masking and MFA are theirs; one-time codes are
``core.mfa.otp_codes``'s; passkeys are ``core.mfa.passkeys``'s.
"""

from __future__ import annotations

from typing import Any

from poolgate.core.auth import lockout, password_auth, sessions, sign_in, srp_auth
from poolgate.core.auth.client_auth import check_secret_hash
from poolgate.core.auth.outcome import AuthOutcome, param
from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException, NotAuthorizedException
from poolgate.core.messages import templates
from poolgate.core.mfa import challenges, passkeys, pool_config, user_factors
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.users import existence, lookup
from poolgate.core.users.signup import SIGNED_UP

SELECT_CHALLENGE = "SELECT_CHALLENGE"
PASSWORD = "PASSWORD"
PASSWORD_SRP = "PASSWORD_SRP"
EMAIL_OTP = "EMAIL_OTP"
SMS_OTP = "SMS_OTP"
WEB_AUTHN = "WEB_AUTHN"
# Cognito lists PASSWORD's two forms as one factor in the SignInPolicy.
_ORDER = (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN)


async def _available(ctx: Context, pool: UserPool, user: User | None) -> list[str]:
    allowed = set(pool_config.first_factors(pool.settings))
    if PASSWORD in allowed:
        allowed.add(PASSWORD_SRP)
    if user is None:
        # Unknown user (PreventUserExistenceErrors): what anyone could be offered.
        return [c for c in _ORDER if c in allowed and c != WEB_AUTHN]
    found = await user_factors.first_factors(ctx, pool, user)
    if PASSWORD in found:
        found.append(PASSWORD_SRP)
    return [c for c in _ORDER if c in allowed and c in found]


async def start(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    params: dict[str, str],
    *,
    session: str | None = None,
) -> AuthOutcome:
    name = param(params, "USERNAME")
    user = await sign_in.find_signing_in_user(ctx, pool, client, name, params.get("SECRET_HASH"))
    if session:
        return await _after_sign_up(ctx, pool, client, user, session)
    if user is not None and not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user is not None:
        lockout.check(user, ctx.clock())
    available = await _available(ctx, pool, user)
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred and preferred in available:
        return await _chosen(ctx, pool, client, user, name, preferred, params)
    session = sessions.seal(
        ctx,
        {"challenge": SELECT_CHALLENGE, "client": client.id, "sub": user.sub if user else None,
         "name": name, "available": available},
        challenges.minutes(client),
    )  # fmt: skip
    return AuthOutcome(
        challenge_name=SELECT_CHALLENGE,
        challenge_parameters={},
        session=session,
        available_challenges=available,
    )


async def _after_sign_up(
    ctx: Context, pool: UserPool, client: AppClient, user: User | None, session: str
) -> AuthOutcome:
    """InitiateAuth's Session from ConfirmSignUp: the confirmation code proved the
    first factor. Once only, for the user it was issued for, within its lifetime."""
    state = sessions.open_session(ctx, session, challenge=SIGNED_UP, client_id=client.id)
    if user is None or user.sub != state["sub"] or user.status != lookup.CONFIRMED:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None or current.state.get("signed_up_session_used"):
            raise NotAuthorizedException(
                "Invalid session for the user, session can only be used once."
            )
        current.state["signed_up_session_used"] = True
        await tx.put_user(current)
    return await sign_in.finish(ctx, pool, client, user)


async def select(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    name: str,
    responses: dict[str, str],
    session: str | None,
) -> AuthOutcome:
    """SELECT_CHALLENGE answered (ANSWER), or PASSWORD / PASSWORD_SRP answered on a
    SELECT_CHALLENGE session, as RespondToAuthChallenge's reference lists them."""
    if not session:
        raise InvalidParameterException("Missing required parameter Session")
    state = sessions.open_session(ctx, session, challenge=SELECT_CHALLENGE, client_id=client.id)
    answer = param(responses, "ANSWER") if name == SELECT_CHALLENGE else name
    if answer not in state["available"]:
        raise InvalidParameterException(f"{answer} is not one of the available challenges.")
    user = await ctx.store.get_user_by_sub(pool.id, state["sub"]) if state["sub"] else None
    check_secret_hash(
        ctx, client, responses.get("SECRET_HASH"), str(state["name"]),
        *([user.username] if user else []),
    )  # fmt: skip
    return await _chosen(ctx, pool, client, user, str(state["name"]), answer, responses)


async def _chosen(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    user: User | None,
    name: str,
    factor: str,
    given: dict[str, Any],
) -> AuthOutcome:
    # The password forms go through their own flows with the same parameters, so the
    # checks (SECRET_HASH, lockout, masked unknown users, MFA) are theirs.
    forward = {"USERNAME": name, **{k: v for k, v in given.items() if k != "ANSWER"}}
    if factor == PASSWORD:
        return await password_auth.password_auth(ctx, pool, client, forward)
    if factor == PASSWORD_SRP:
        return await srp_auth.start_srp(ctx, pool, client, forward)
    if factor == WEB_AUTHN:
        return await passkeys.sign_in_challenge(
            ctx, pool, client, user, credential=given.get("CREDENTIAL")
        )
    medium = templates.EMAIL if factor == EMAIL_OTP else templates.SMS
    if user is None:
        # An unknown user gets the same shape of answer; no code can ever match.
        where = existence.simulated_destination(ctx, pool, name)
        return challenges.first_factor_decoy(ctx, client, factor, name, where)
    if user.status != lookup.CONFIRMED:
        raise NotAuthorizedException("User is not confirmed.")
    return await challenges.present(ctx, pool, client, user, factor, first=True, medium=medium)
