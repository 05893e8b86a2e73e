"""Fail closed: a configuration that needs a factor Poolgate cannot check is refused
when it is set, and a pool that holds one anyway (a database written before) signs
nobody in on any path: password, SRP, admin, the hosted pages, NEW_PASSWORD_REQUIRED.
Refresh is exempt, as in Cognito."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from poolgate.core.auth import flows, new_password, password_auth
from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException, InvalidUserPoolConfigurationException
from poolgate.core.pools import pools
from poolgate.core.users import admin_users
from tests.mfa.helpers import (
    STRONG,
    confirmed_user,
    force_settings,
    make_pool,
    open_context,
    password_sign_in,
    srp_sign_in,
)


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[Context]:
    context = await open_context(tmp_path)
    yield context
    await context.close()


@pytest.mark.parametrize(
    "request_members",
    [
        # MFA needs a factor: without one it is refused, never stored.
        {"MfaConfiguration": "ON"},
        {"MfaConfiguration": "OPTIONAL"},
        # Every first factor needs PASSWORD beside it, as in Cognito.
        {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["WEB_AUTHN"]}}},
    ],
)
async def test_unsupported_configuration_is_refused_not_stored(
    ctx: Context, request_members: dict[str, object]
) -> None:
    refused = "not supported|without an MFA type|must include PASSWORD"
    with pytest.raises(InvalidParameterException, match=refused):
        await pools.create_user_pool(ctx, "p", dict(request_members))
    pool, _ = await make_pool(ctx)
    with pytest.raises(InvalidParameterException, match=refused):
        await pools.update_user_pool(ctx, pool.id, dict(request_members))
    stored = await pools.require_pool(ctx, pool.id)
    assert stored.settings["MfaConfiguration"] == "OFF"


async def test_a_stored_mfa_pool_signs_nobody_in_without_the_factor(ctx: Context) -> None:
    pool, client_id = await make_pool(ctx)
    await confirmed_user(ctx, pool.id, "a@example.com")
    before = await password_sign_in(ctx, client_id, "a@example.com")
    assert before.tokens is not None and before.tokens.refresh_token
    await force_settings(ctx, pool.id, MfaConfiguration="ON")
    stored = await pools.require_pool(ctx, pool.id)

    with pytest.raises(InvalidUserPoolConfigurationException):
        await password_sign_in(ctx, client_id, "a@example.com")
    with pytest.raises(InvalidUserPoolConfigurationException):
        await flows.initiate_auth(
            ctx, client_id, "ADMIN_USER_PASSWORD_AUTH",
            {"USERNAME": "a@example.com", "PASSWORD": STRONG}, admin_pool_id=pool.id,
        )  # fmt: skip
    with pytest.raises(InvalidUserPoolConfigurationException):
        await srp_sign_in(ctx, pool.id, client_id, "a@example.com")
    client = await ctx.store.get_client(client_id)
    assert client is not None
    with pytest.raises(InvalidUserPoolConfigurationException):
        await password_auth.hosted_sign_in(ctx, stored, client, "a@example.com", STRONG)

    # Refresh stands for a sign-in already completed: exempt, as in Cognito.
    refreshed = await flows.initiate_auth(
        ctx, client_id, "REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": before.tokens.refresh_token}
    )
    assert refreshed.tokens is not None and refreshed.tokens.access_token


async def test_new_password_required_does_not_skip_the_factor(ctx: Context) -> None:
    pool, client_id = await make_pool(ctx)
    sessions = []
    for name in ("b@example.com", "c@example.com"):
        await admin_users.admin_create_user(
            ctx, pool, name, [{"Name": "email", "Value": name}],
            "Temp!Pass123", "SUPPRESS", None, False,
        )  # fmt: skip
        challenge = await password_sign_in(ctx, client_id, name, "Temp!Pass123")
        assert challenge.challenge_name == "NEW_PASSWORD_REQUIRED" and challenge.session
        sessions.append(challenge.session)
    await force_settings(ctx, pool.id, MfaConfiguration="OPTIONAL")
    with pytest.raises(InvalidUserPoolConfigurationException):
        await flows.respond_to_auth_challenge(
            ctx, client_id, "NEW_PASSWORD_REQUIRED",
            {"USERNAME": "b@example.com", "NEW_PASSWORD": STRONG}, sessions[0],
        )  # fmt: skip
    client = await ctx.store.get_client(client_id)
    assert client is not None
    stored = await pools.require_pool(ctx, pool.id)
    with pytest.raises(InvalidUserPoolConfigurationException):
        await new_password.hosted_new_password(ctx, stored, client, sessions[1], STRONG, {})
