"""Rules that depend on time, with a frozen clock instead of sleeping: lockout and its
backoff, code expiry and attempt limits, temporary-password expiry."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from poolgate.core.auth import flows, lockout
from poolgate.core.clock import FrozenClock
from poolgate.core.context import Context
from poolgate.core.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    LimitExceededException,
    NotAuthorizedException,
)
from poolgate.core.messages import codes
from poolgate.core.pools import clients, pools
from poolgate.core.records import User
from poolgate.core.users import admin_users, lookup, signup
from poolgate.crypto.sealing import Sealer
from poolgate.store.sql import SqlStore

STRONG = "Travel!Guide123"
WRONG = "Wrong!Password1"


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[Context]:
    store = await SqlStore.open(f"sqlite:///{tmp_path / 'core.db'}")
    yield Context(store=store, sealer=Sealer(os.urandom(32)), clock=FrozenClock())
    await store.close()


async def setup(ctx: Context) -> tuple[str, str]:
    pool = await pools.create_user_pool(
        ctx, "p", {"UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"]}
    )
    client, _ = await clients.create_user_pool_client(
        ctx, pool.id, "web", {"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}, False
    )
    return pool.id, client.id


async def sign_in(ctx: Context, client_id: str, username: str, password: str) -> None:
    await flows.initiate_auth(
        ctx, client_id, "USER_PASSWORD_AUTH", {"USERNAME": username, "PASSWORD": password}
    )


def clock(ctx: Context) -> FrozenClock:
    assert isinstance(ctx.clock, FrozenClock)
    return ctx.clock


async def confirmed(ctx: Context, pool_id: str, address: str) -> None:
    pool = await pools.require_pool(ctx, pool_id)
    await admin_users.admin_create_user(ctx, pool, address, None, None, "SUPPRESS", None, False)
    await admin_users.admin_set_user_password(ctx, pool, address, STRONG, True)


async def test_lockout_backoff_doubles_and_does_not_extend(ctx: Context) -> None:
    pool_id, client_id = await setup(ctx)
    await confirmed(ctx, pool_id, "a@example.com")
    for _ in range(5):
        with pytest.raises(NotAuthorizedException, match=r"Incorrect username or password\."):
            await sign_in(ctx, client_id, "a@example.com", WRONG)
    # Locked for 1 s: even the right password is refused, and trying does not extend it.
    for _ in range(3):
        with pytest.raises(NotAuthorizedException, match=lockout.LOCKED_MESSAGE):
            await sign_in(ctx, client_id, "a@example.com", STRONG)
    clock(ctx).advance(1.01)
    with pytest.raises(NotAuthorizedException, match="Incorrect"):
        await sign_in(ctx, client_id, "a@example.com", WRONG)  # 6th failure: 2 s
    clock(ctx).advance(1.5)
    with pytest.raises(NotAuthorizedException, match=lockout.LOCKED_MESSAGE):
        await sign_in(ctx, client_id, "a@example.com", STRONG)
    clock(ctx).advance(0.6)
    await sign_in(ctx, client_id, "a@example.com", STRONG)  # success clears the count
    with pytest.raises(NotAuthorizedException, match="Incorrect"):
        await sign_in(ctx, client_id, "a@example.com", WRONG)
    await sign_in(ctx, client_id, "a@example.com", STRONG)


def test_backoff_is_capped_at_fifteen_minutes() -> None:
    user = User("p", "u", "s", "CONFIRMED", True, 0, 0, {})
    now = 1000.0
    for _ in range(30):
        now = max(now, user.state.get("lockout", {}).get("until", 0)) + 0.001
        lockout.record_failure(user, now)
    assert user.state["lockout"]["until"] - now == pytest.approx(lockout.MAX_LOCK)


async def test_failures_are_forgotten_after_fifteen_quiet_minutes(ctx: Context) -> None:
    pool_id, client_id = await setup(ctx)
    await confirmed(ctx, pool_id, "b@example.com")
    for _ in range(4):
        with pytest.raises(NotAuthorizedException):
            await sign_in(ctx, client_id, "b@example.com", WRONG)
    clock(ctx).advance(15 * 60 + 1)
    for _ in range(4):
        with pytest.raises(NotAuthorizedException, match="Incorrect"):
            await sign_in(ctx, client_id, "b@example.com", WRONG)
    await sign_in(ctx, client_id, "b@example.com", STRONG)


async def latest_code(ctx: Context, recipient: str) -> str:
    import re

    [message] = await ctx.store.list_messages(recipient=recipient, limit=1)
    match = re.search(r"\d{6}", message.body)
    assert match
    return match.group(0)


async def test_sign_up_code_expires_after_a_day(ctx: Context) -> None:
    _, client_id = await setup(ctx)
    await signup.sign_up(ctx, client_id, "c@example.com", STRONG, None, None)
    code = await latest_code(ctx, "c@example.com")
    clock(ctx).advance(24 * 3600 + 1)
    with pytest.raises(ExpiredCodeException):
        await signup.confirm_sign_up(ctx, client_id, "c@example.com", code, None, False)
    await signup.resend_confirmation_code(ctx, client_id, "c@example.com", None)
    await signup.confirm_sign_up(
        ctx, client_id, "c@example.com", await latest_code(ctx, "c@example.com"), None, False
    )


async def test_codes_are_stored_hashed_and_attempts_limited(ctx: Context) -> None:
    pool_id, client_id = await setup(ctx)
    await signup.sign_up(ctx, client_id, "d@example.com", STRONG, None, None)
    code = await latest_code(ctx, "d@example.com")
    pool = await pools.require_pool(ctx, pool_id)
    user = await lookup.require_user(ctx, pool, "d@example.com")
    stored = await ctx.store.get_code(pool_id, user.sub, codes.SIGN_UP)
    assert stored is not None and code not in stored.code_hash and len(stored.code_hash) == 64
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(codes.MAX_WRONG_GUESSES):
        with pytest.raises(CodeMismatchException):
            await signup.confirm_sign_up(ctx, client_id, "d@example.com", wrong, None, False)
    with pytest.raises(LimitExceededException):
        await signup.confirm_sign_up(ctx, client_id, "d@example.com", code, None, False)


async def test_sends_are_limited_per_hour(ctx: Context) -> None:
    _, client_id = await setup(ctx)
    await signup.sign_up(ctx, client_id, "e@example.com", STRONG, None, None)
    for _ in range(codes.MAX_SENDS_PER_HOUR - 1):
        await signup.resend_confirmation_code(ctx, client_id, "e@example.com", None)
    with pytest.raises(LimitExceededException):
        await signup.resend_confirmation_code(ctx, client_id, "e@example.com", None)
    clock(ctx).advance(3601)
    await signup.resend_confirmation_code(ctx, client_id, "e@example.com", None)


async def test_temporary_password_expires(ctx: Context) -> None:
    pool_id, client_id = await setup(ctx)
    pool = await pools.require_pool(ctx, pool_id)
    await admin_users.admin_create_user(
        ctx, pool, "f@example.com", None, "Temp!Pass123", "SUPPRESS", None, False
    )
    clock(ctx).advance(7 * 86400 + 1)
    with pytest.raises(NotAuthorizedException, match="Temporary password has expired"):
        await sign_in(ctx, client_id, "f@example.com", "Temp!Pass123")


async def test_session_expires(ctx: Context) -> None:
    pool_id, client_id = await setup(ctx)
    pool = await pools.require_pool(ctx, pool_id)
    await admin_users.admin_create_user(
        ctx, pool, "g@example.com", None, "Temp!Pass123", "SUPPRESS", None, False
    )
    outcome = await flows.initiate_auth(
        ctx,
        client_id,
        "USER_PASSWORD_AUTH",
        {"USERNAME": "g@example.com", "PASSWORD": "Temp!Pass123"},
    )
    assert outcome.session
    clock(ctx).advance(3 * 60 + 1)
    with pytest.raises(NotAuthorizedException, match="session is expired"):
        await flows.respond_to_auth_challenge(
            ctx,
            client_id,
            "NEW_PASSWORD_REQUIRED",
            {"NEW_PASSWORD": "Brand!New123"},
            outcome.session,
        )
