"""The second-factor challenges on the wire's terms: SMS_MFA, SOFTWARE_TOKEN_MFA,
EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP, presented with Cognito's challenge
parameters and answered through RespondToAuthChallenge with Cognito's response names
(SMS_MFA_CODE, SOFTWARE_TOKEN_MFA_CODE, EMAIL_OTP_CODE, ANSWER) (API reference,
RespondToAuthChallenge ChallengeResponses).

Each challenge's Session is sealed (``core.auth.sessions``) and names the challenge,
the client and the user, so it answers only that challenge for that user and client.
"""

from __future__ import annotations

from typing import Any

import orjson

from poolgate.core.auth import sessions
from poolgate.core.auth.client_auth import check_secret_hash
from poolgate.core.auth.outcome import AuthOutcome, param
from poolgate.core.auth.signed_in import signed_in
from poolgate.core.context import Context
from poolgate.core.errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
)
from poolgate.core.messages import templates
from poolgate.core.mfa import otp_codes, software_token
from poolgate.core.mfa.pool_config import EMAIL_OTP, SMS_MFA, SOFTWARE_TOKEN_MFA
from poolgate.core.records import AppClient, User, UserPool

SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
MFA_SETUP = software_token.MFA_SETUP
# USER_AUTH's first factor by SMS (EMAIL_OTP serves as both first and second factor).
SMS_OTP = "SMS_OTP"
CODE_PARAMETER = {
    SMS_MFA: "SMS_MFA_CODE",
    SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE",
    EMAIL_OTP: "EMAIL_OTP_CODE",
    SMS_OTP: "SMS_OTP_CODE",
}
NAMES = (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SMS_OTP, SELECT_MFA_TYPE, MFA_SETUP)


def minutes(client: AppClient) -> int:
    return int(client.settings.get("AuthSessionValidity") or 3)


def _seal(ctx: Context, client: AppClient, user: User, challenge: str, **extra: Any) -> str:
    payload = {"challenge": challenge, "client": client.id, "sub": user.sub, **extra}
    return sessions.seal(ctx, payload, minutes(client))


async def present(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    user: User,
    factor: str,
    *,
    device: str | None = None,
    first: bool = False,
    medium: str | None = None,
) -> AuthOutcome:
    """The challenge of one factor; SMS and email codes are sent now. ``first``: a
    USER_AUTH first factor (EMAIL_OTP, SMS_OTP), after which MFA may still be owed."""
    params = {"USER_ID_FOR_SRP": user.username}
    if factor in (SMS_MFA, EMAIL_OTP, SMS_OTP):
        medium = medium or (templates.EMAIL if factor == EMAIL_OTP else templates.SMS)
        where = await otp_codes.send(ctx, pool, user, medium)
        params["CODE_DELIVERY_DELIVERY_MEDIUM"] = where.medium
        params["CODE_DELIVERY_DESTINATION"] = where.masked
    elif (name := software_token.friendly_name(user)) is not None:
        params["FRIENDLY_DEVICE_NAME"] = name
    return AuthOutcome(
        challenge_name=factor,
        challenge_parameters=params,
        session=_seal(ctx, client, user, factor, device=device, first=first),
    )


def first_factor_decoy(
    ctx: Context, client: AppClient, factor: str, name: str, where: Any
) -> AuthOutcome:
    """EMAIL_OTP / SMS_OTP for a user who does not exist (PreventUserExistenceErrors):
    the same shape of answer, and a session no code can answer."""
    session = sessions.seal(
        ctx, {"challenge": factor, "client": client.id, "sub": None, "decoy": True},
        minutes(client),
    )  # fmt: skip
    return AuthOutcome(
        challenge_name=factor,
        challenge_parameters={
            "USER_ID_FOR_SRP": name,
            "CODE_DELIVERY_DELIVERY_MEDIUM": where.medium,
            "CODE_DELIVERY_DESTINATION": where.masked,
        },
        session=session,
    )


def select(
    ctx: Context, client: AppClient, user: User, choices: list[str], *, device: str | None = None
) -> AuthOutcome:
    return AuthOutcome(
        challenge_name=SELECT_MFA_TYPE,
        challenge_parameters={
            "MFAS_CAN_CHOOSE": orjson.dumps(choices).decode(),
            "USER_ID_FOR_SRP": user.username,
        },
        session=_seal(ctx, client, user, SELECT_MFA_TYPE, choices=choices, device=device),
    )


def setup(
    ctx: Context, client: AppClient, user: User, offered: list[str], *, device: str | None = None
) -> AuthOutcome:
    return AuthOutcome(
        challenge_name=MFA_SETUP,
        challenge_parameters={
            "MFAS_CAN_SETUP": orjson.dumps(offered).decode(),
            "USER_ID_FOR_SRP": user.username,
        },
        session=_seal(ctx, client, user, MFA_SETUP, device=device),
    )


async def _user(ctx: Context, pool: UserPool, state: dict[str, Any]) -> User:
    user = await ctx.store.get_user_by_sub(pool.id, str(state["sub"]))
    if user is None:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return user


async def respond(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    name: str,
    responses: dict[str, str],
    session: str | None,
    *,
    mint: bool = True,
) -> tuple[User, AuthOutcome]:
    """Answer a second-factor challenge: the next challenge, or the end of sign-in.
    ``mint=False``: the hosted pages (no SECRET_HASH, no tokens yet)."""
    if not session:
        raise InvalidParameterException("Missing required parameter Session")
    # MFA_SETUP is answered with the session VerifySoftwareToken returned.
    expected = software_token.VERIFIED if name == MFA_SETUP else name
    state = sessions.open_session(ctx, session, challenge=expected, client_id=client.id)
    if state.get("decoy"):
        param(responses, CODE_PARAMETER[name])
        raise CodeMismatchException(otp_codes.WRONG_CODE)
    user = await _user(ctx, pool, state)
    if mint:  # the hosted pages are the server itself: no SECRET_HASH there
        check_secret_hash(
            ctx, client, responses.get("SECRET_HASH"), responses.get("USERNAME", ""), user.username
        )
    if name == SELECT_MFA_TYPE:
        answer = param(responses, "ANSWER")
        answer = EMAIL_OTP if answer == "EMAIL_MFA" else answer
        if answer not in state.get("choices", []):
            raise InvalidParameterException(f"{answer} is not one of MFAS_CAN_CHOOSE.")
        return user, await present(ctx, pool, client, user, answer, device=state.get("device"))
    if name != MFA_SETUP:
        code = param(responses, CODE_PARAMETER[name])
        if name == SOFTWARE_TOKEN_MFA:
            await software_token.check_code(ctx, pool, user, code)
        else:
            await otp_codes.check(ctx, pool, user, code)
    device = state.get("device") or responses.get("DEVICE_KEY")
    if state.get("first"):
        # A one-time code proved the first factor; the second is the MFA still owed,
        # never the same channel twice. (owed imports this module: import late.)
        from poolgate.core.mfa import owed

        used = SMS_MFA if name == SMS_OTP else name
        owing = await owed.second_step(ctx, pool, client, user, device_key=device, used=used)
        if owing is not None:
            return user, owing
    return user, await signed_in(ctx, pool, client, user, mint=mint, device_key=device)
