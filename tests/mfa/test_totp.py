"""TOTP MFA in core, with pyotp as the independent oracle and a frozen clock: every
sign-in path answers SOFTWARE_TOKEN_MFA, only a valid unused code inside the RFC 6238
drift window yields tokens, wrong codes lock the user like wrong passwords, and
MfaConfiguration ON without a factor answers MFA_SETUP and never tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pyotp
import pytest

from poolgate.core.auth import flows, lockout, password_auth
from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.context import Context
from poolgate.core.errors import (
    CodeMismatchException,
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    SoftwareTokenMFANotFoundException,
)
from poolgate.core.mfa import challenges, operations, pool_config
from poolgate.core.pools import pools
from tests.mfa.helpers import (
    STRONG,
    access_token_of,
    confirmed_user,
    frozen,
    make_pool,
    open_context,
    password_sign_in,
    srp_sign_in,
    totp_user,
)


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[Context]:
    context = await open_context(tmp_path)
    yield context
    await context.close()


async def totp_pool(ctx: Context, mode: str = "OPTIONAL") -> tuple[str, str]:
    pool, client_id = await make_pool(ctx)
    await pool_config.set_user_pool_mfa_config(
        ctx, pool.id, {"SoftwareTokenMfaConfiguration": {"Enabled": True}, "MfaConfiguration": mode}
    )
    return pool.id, client_id


async def answer(ctx: Context, client_id: str, outcome: AuthOutcome, code: str) -> AuthOutcome:
    return await flows.respond_to_auth_challenge(
        ctx, client_id, "SOFTWARE_TOKEN_MFA", {"SOFTWARE_TOKEN_MFA_CODE": code}, outcome.session
    )


def code(ctx: Context, secret: str, offset: float = 0) -> str:
    return pyotp.TOTP(secret).at(ctx.clock() + offset)


async def test_pool_config_round_trip_and_refusals(ctx: Context) -> None:
    pool, _ = await make_pool(ctx)
    with pytest.raises(InvalidParameterException, match="without an MFA type"):
        await pool_config.set_user_pool_mfa_config(ctx, pool.id, {"MfaConfiguration": "ON"})
    updated = await pool_config.set_user_pool_mfa_config(
        ctx, pool.id, {"SoftwareTokenMfaConfiguration": {"Enabled": True}, "MfaConfiguration": "ON"}
    )
    assert pool_config.mfa_config(updated) == {
        "MfaConfiguration": "ON",
        "SoftwareTokenMfaConfiguration": {"Enabled": True},
    }
    # UpdateUserPool keeps SetUserPoolMfaConfig's own settings...
    await pools.update_user_pool(ctx, pool.id, {"MfaConfiguration": "ON"})
    assert pool_config.totp_enabled((await pools.require_pool(ctx, pool.id)).settings)
    # ...and cannot leave MFA on without a factor.
    with pytest.raises(InvalidParameterException, match="without an MFA type"):
        await pool_config.set_user_pool_mfa_config(
            ctx, pool.id, {"SoftwareTokenMfaConfiguration": {"Enabled": False}}
        )


async def test_every_sign_in_path_owes_the_code(ctx: Context) -> None:
    pool_id, client_id = await totp_pool(ctx)
    secret = await totp_user(ctx, pool_id, client_id, "a@example.com")
    pool = await pools.require_pool(ctx, pool_id)
    client = await ctx.store.get_client(client_id)
    assert client is not None

    outcomes = [
        await password_sign_in(ctx, client_id, "a@example.com"),
        await flows.initiate_auth(
            ctx,
            client_id,
            "ADMIN_USER_PASSWORD_AUTH",
            {"USERNAME": "a@example.com", "PASSWORD": STRONG},
            admin_pool_id=pool_id,
        ),
        await srp_sign_in(ctx, pool_id, client_id, "a@example.com"),
        (await password_auth.hosted_sign_in(ctx, pool, client, "a@example.com", STRONG))[1],
    ]
    for outcome in outcomes:
        assert outcome.tokens is None
        assert outcome.challenge_name == "SOFTWARE_TOKEN_MFA"
        assert outcome.challenge_parameters == {
            "USER_ID_FOR_SRP": outcome.challenge_parameters["USER_ID_FOR_SRP"],
            "FRIENDLY_DEVICE_NAME": "phone",
        }
    # Each code once: the first answer takes the step, the next must wait for a new one.
    done = await answer(ctx, client_id, outcomes[0], code(ctx, secret))
    assert done.tokens is not None and done.tokens.id_token
    with pytest.raises(CodeMismatchException, match="Invalid code or auth state"):
        await answer(ctx, client_id, outcomes[1], code(ctx, secret))
    frozen(ctx).advance(30)
    assert (await answer(ctx, client_id, outcomes[1], code(ctx, secret))).tokens is not None
    frozen(ctx).advance(30)
    assert (await answer(ctx, client_id, outcomes[2], code(ctx, secret))).tokens is not None
    frozen(ctx).advance(30)
    _user, hosted = await challenges.respond(
        ctx, pool, client, "SOFTWARE_TOKEN_MFA",
        {"SOFTWARE_TOKEN_MFA_CODE": code(ctx, secret)}, outcomes[3].session, mint=False,
    )  # fmt: skip
    assert hosted.tokens is None and hosted.challenge_name is None


async def test_drift_window_is_one_step(ctx: Context) -> None:
    pool_id, client_id = await totp_pool(ctx)
    secret = await totp_user(ctx, pool_id, client_id, "d@example.com")
    frozen(ctx).advance(60)  # the step before now is not the set-up's (already spent)
    outcome = await password_sign_in(ctx, client_id, "d@example.com")
    for outside in (-61, 61):
        with pytest.raises(CodeMismatchException):
            await answer(ctx, client_id, outcome, code(ctx, secret, outside))
    # One step late still works (a code typed as it rolled over).
    assert (await answer(ctx, client_id, outcome, code(ctx, secret, -30))).tokens is not None


async def test_wrong_codes_lock_like_wrong_passwords(ctx: Context) -> None:
    pool_id, client_id = await totp_pool(ctx)
    secret = await totp_user(ctx, pool_id, client_id, "w@example.com")
    outcome = await password_sign_in(ctx, client_id, "w@example.com")
    right = code(ctx, secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(CodeMismatchException):
            await answer(ctx, client_id, outcome, wrong)
    with pytest.raises(NotAuthorizedException, match=lockout.LOCKED_MESSAGE):
        await answer(ctx, client_id, outcome, right)
    with pytest.raises(NotAuthorizedException, match=lockout.LOCKED_MESSAGE):
        await password_sign_in(ctx, client_id, "w@example.com")
    frozen(ctx).advance(1.01)
    assert (await answer(ctx, client_id, outcome, right)).tokens is not None


async def test_a_session_answers_only_its_own_challenge(ctx: Context) -> None:
    pool_id, client_id = await totp_pool(ctx)
    secret = await totp_user(ctx, pool_id, client_id, "s@example.com")
    outcome = await password_sign_in(ctx, client_id, "s@example.com")
    with pytest.raises(NotAuthorizedException, match="Invalid session"):
        await flows.respond_to_auth_challenge(
            ctx, client_id, "SMS_MFA", {"SMS_MFA_CODE": code(ctx, secret)}, outcome.session
        )
    with pytest.raises(InvalidParameterException, match="Session"):
        await answer(ctx, client_id, AuthOutcome(), code(ctx, secret))
    frozen(ctx).advance(3 * 60 + 1)
    with pytest.raises(NotAuthorizedException, match="expired"):
        await answer(ctx, client_id, outcome, code(ctx, secret))


async def test_mfa_on_without_a_factor_answers_mfa_setup_never_tokens(ctx: Context) -> None:
    pool_id, client_id = await totp_pool(ctx, mode="ON")
    await confirmed_user(ctx, pool_id, "n@example.com")
    outcome = await password_sign_in(ctx, client_id, "n@example.com")
    assert outcome.tokens is None and outcome.challenge_name == "MFA_SETUP"
    assert orjson.loads(outcome.challenge_parameters["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    # MFA_SETUP cannot be answered before an authenticator is verified.
    with pytest.raises(NotAuthorizedException, match="Invalid session"):
        await flows.respond_to_auth_challenge(ctx, client_id, "MFA_SETUP", {}, outcome.session)
    secret, associated = await operations.associate_software_token(ctx, None, outcome.session)
    assert associated
    with pytest.raises(EnableSoftwareTokenMFAException):
        await operations.verify_software_token(ctx, None, associated, "000000", None)
    verified = await operations.verify_software_token(
        ctx, None, associated, code(ctx, secret), "laptop"
    )
    assert verified
    done = await flows.respond_to_auth_challenge(ctx, client_id, "MFA_SETUP", {}, verified)
    assert done.tokens is not None
    # Set up through MFA_SETUP, TOTP is now the user's factor: the next sign-in asks.
    frozen(ctx).advance(30)
    again = await password_sign_in(ctx, client_id, "n@example.com")
    assert again.challenge_name == "SOFTWARE_TOKEN_MFA"


async def test_preferences_need_a_verified_authenticator(ctx: Context) -> None:
    pool_id, client_id = await totp_pool(ctx)
    await confirmed_user(ctx, pool_id, "p@example.com")
    token = await access_token_of(ctx, client_id, "p@example.com")
    with pytest.raises(InvalidParameterException, match="not verified software token"):
        await operations.set_user_mfa_preference(
            ctx, token, {"SoftwareTokenMfaSettings": {"Enabled": True}}
        )
    with pytest.raises(SoftwareTokenMFANotFoundException):
        await operations.verify_software_token(ctx, token, None, "123456", None)
    # OPTIONAL and nothing turned on: tokens straight away.
    assert (await password_sign_in(ctx, client_id, "p@example.com")).tokens is not None
    factors = await operations.get_user_auth_factors(ctx, token)
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD"]
    assert "UserMFASettingList" not in factors
