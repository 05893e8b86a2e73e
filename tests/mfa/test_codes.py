"""SMS_MFA and EMAIL_OTP second factors in core: the code goes through the sender
(the outbox here), completes the challenge once, expires after three minutes, and
five wrong codes lock the user like five wrong passwords. SELECT_MFA_TYPE when
several factors are on and none is preferred; legacy MFAOptions turn SMS MFA on."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest

from poolgate.core.auth import flows, lockout
from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.context import Context
from poolgate.core.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
)
from poolgate.core.mfa import operations, pool_config
from poolgate.core.pools import clients, pools
from tests.mfa.helpers import (
    FLOWS,
    access_token_of,
    confirmed_user,
    frozen,
    make_pool,
    open_context,
    password_sign_in,
)

PHONE = "+15555550123"


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[Context]:
    context = await open_context(tmp_path)
    yield context
    await context.close()


async def code_pool(ctx: Context, mode: str = "OPTIONAL") -> tuple[str, str]:
    pool, client_id = await make_pool(ctx)
    await pool_config.set_user_pool_mfa_config(
        ctx, pool.id,
        {
            "SmsMfaConfiguration": {"SmsAuthenticationMessage": "TravelGuide code: {####}"},
            "EmailMfaConfiguration": {"Subject": "Sign-in", "Message": "Your code: {####}"},
            "MfaConfiguration": mode,
        },
    )  # fmt: skip
    return pool.id, client_id


async def latest(ctx: Context, recipient: str) -> tuple[str, str]:
    """(body, code) of the newest message to ``recipient`` in the outbox."""
    message = (await ctx.store.list_messages(recipient=recipient, limit=1))[0]
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return message.body, found.group(1)


async def respond(
    ctx: Context, client_id: str, outcome: AuthOutcome, responses: dict[str, str]
) -> AuthOutcome:
    assert outcome.challenge_name is not None
    return await flows.respond_to_auth_challenge(
        ctx, client_id, outcome.challenge_name, responses, outcome.session
    )


async def test_sms_code_arrives_and_completes_once(ctx: Context) -> None:
    pool_id, client_id = await code_pool(ctx, mode="ON")
    await confirmed_user(ctx, pool_id, "s@example.com", phone=PHONE)
    # MFA required and nothing chosen: the phone gets the code, as in Cognito.
    outcome = await password_sign_in(ctx, client_id, "s@example.com")
    assert outcome.tokens is None and outcome.challenge_name == "SMS_MFA"
    assert outcome.challenge_parameters is not None
    assert outcome.challenge_parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert outcome.challenge_parameters["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    body, code = await latest(ctx, PHONE)
    assert body == f"TravelGuide code: {code}"
    done = await respond(ctx, client_id, outcome, {"SMS_MFA_CODE": code})
    assert done.tokens is not None and done.tokens.id_token
    with pytest.raises(ExpiredCodeException):
        await respond(ctx, client_id, outcome, {"SMS_MFA_CODE": code})


async def test_email_code_expires_after_three_minutes(ctx: Context) -> None:
    pool_id, _ = await code_pool(ctx)
    # A session that outlives the code, so the code's own expiry is what refuses.
    client, _secret = await clients.create_user_pool_client(
        ctx, pool_id, "long", {"ExplicitAuthFlows": FLOWS, "AuthSessionValidity": 15}, False
    )
    client_id = client.id
    await confirmed_user(ctx, pool_id, "e@example.com")
    token = await access_token_of(ctx, client_id, "e@example.com")
    await operations.set_user_mfa_preference(
        ctx, token, {"EmailMfaSettings": {"Enabled": True, "PreferredMfa": True}}
    )
    outcome = await password_sign_in(ctx, client_id, "e@example.com")
    assert outcome.challenge_name == "EMAIL_OTP"
    assert outcome.challenge_parameters is not None
    assert outcome.challenge_parameters["CODE_DELIVERY_DESTINATION"] == "e***@e***"
    body, code = await latest(ctx, "e@example.com")
    assert body == f"Your code: {code}"
    frozen(ctx).advance(181)
    with pytest.raises(ExpiredCodeException):
        await respond(ctx, client_id, outcome, {"EMAIL_OTP_CODE": code})


async def test_five_wrong_codes_lock_like_sign_in(ctx: Context) -> None:
    pool_id, client_id = await code_pool(ctx, mode="ON")
    await confirmed_user(ctx, pool_id, "l@example.com", phone=PHONE)
    outcome = await password_sign_in(ctx, client_id, "l@example.com")
    _body, code = await latest(ctx, PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(CodeMismatchException, match="Invalid code or auth state"):
            await respond(ctx, client_id, outcome, {"SMS_MFA_CODE": wrong})
    with pytest.raises(NotAuthorizedException, match=lockout.LOCKED_MESSAGE):
        await respond(ctx, client_id, outcome, {"SMS_MFA_CODE": code})
    with pytest.raises(NotAuthorizedException, match=lockout.LOCKED_MESSAGE):
        await password_sign_in(ctx, client_id, "l@example.com")
    frozen(ctx).advance(2)
    # The code was spent by the wrong guesses: a new sign-in sends a new one.
    with pytest.raises(ExpiredCodeException):
        await respond(ctx, client_id, outcome, {"SMS_MFA_CODE": code})


async def test_select_mfa_type_when_several_and_none_preferred(ctx: Context) -> None:
    pool_id, client_id = await code_pool(ctx)
    await confirmed_user(ctx, pool_id, "m@example.com", phone=PHONE)
    pool = await pools.require_pool(ctx, pool_id)
    await operations.admin_set_user_mfa_preference(
        ctx, pool, "m@example.com",
        {"SMSMfaSettings": {"Enabled": True}, "EmailMfaSettings": {"Enabled": True}},
    )  # fmt: skip
    outcome = await password_sign_in(ctx, client_id, "m@example.com")
    assert outcome.challenge_name == "SELECT_MFA_TYPE"
    assert outcome.challenge_parameters is not None
    choices = orjson.loads(outcome.challenge_parameters["MFAS_CAN_CHOOSE"])
    assert choices == ["SMS_MFA", "EMAIL_OTP"]
    with pytest.raises(InvalidParameterException, match="MFAS_CAN_CHOOSE"):
        await respond(ctx, client_id, outcome, {"ANSWER": "SOFTWARE_TOKEN_MFA"})
    chosen = await respond(ctx, client_id, outcome, {"ANSWER": "EMAIL_OTP"})
    assert chosen.challenge_name == "EMAIL_OTP"
    _body, code = await latest(ctx, "m@example.com")
    assert (await respond(ctx, client_id, chosen, {"EMAIL_OTP_CODE": code})).tokens


async def test_legacy_settings_and_auth_factors(ctx: Context) -> None:
    pool_id, client_id = await code_pool(ctx)
    await confirmed_user(ctx, pool_id, "g@example.com", phone=PHONE)
    pool = await pools.require_pool(ctx, pool_id)
    await operations.admin_set_user_settings(
        ctx, pool, "g@example.com", [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    )
    factors = await operations.admin_get_user_auth_factors(ctx, pool, "g@example.com")
    assert factors["UserMFASettingList"] == ["SMS_MFA"]
    assert (await password_sign_in(ctx, client_id, "g@example.com")).challenge_name == "SMS_MFA"
    await operations.admin_set_user_settings(ctx, pool, "g@example.com", [])
    assert (await password_sign_in(ctx, client_id, "g@example.com")).tokens is not None
    # SMS MFA cannot be turned on for a user without a phone number.
    await confirmed_user(ctx, pool_id, "nophone@example.com")
    with pytest.raises(InvalidParameterException, match="delivery config"):
        await operations.admin_set_user_mfa_preference(
            ctx, pool, "nophone@example.com", {"SMSMfaSettings": {"Enabled": True}}
        )
