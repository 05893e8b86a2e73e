"""In-process helpers for the MFA tests: a core Context on SQLite with a frozen clock
that starts at the real time (pycognito stamps its SRP answers with the wall clock),
pools, users, and pycognito's SRP client driven against core directly."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from pycognito.aws_srp import AWSSRP

from poolgate.core.auth import flows
from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.clock import FrozenClock
from poolgate.core.context import Context
from poolgate.core.pools import clients, pools
from poolgate.core.records import UserPool
from poolgate.core.users import admin_users
from poolgate.crypto.sealing import Sealer
from poolgate.store.sql import SqlStore

STRONG = "Travel!Guide123"
FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
]


async def open_context(tmp_path: Path) -> Context:
    store = await SqlStore.open(f"sqlite:///{tmp_path / 'mfa.db'}")
    return Context(store=store, sealer=Sealer(os.urandom(32)), clock=FrozenClock(time.time()))


def frozen(ctx: Context) -> FrozenClock:
    assert isinstance(ctx.clock, FrozenClock)
    return ctx.clock


async def make_pool(ctx: Context, **request: Any) -> tuple[UserPool, str]:
    request.setdefault("UsernameAttributes", ["email"])
    request.setdefault("AutoVerifiedAttributes", ["email"])
    pool = await pools.create_user_pool(ctx, "TravelGuide-mfa", request)
    client, _ = await clients.create_user_pool_client(
        ctx, pool.id, "web", {"ExplicitAuthFlows": FLOWS}, False
    )
    return pool, client.id


async def force_settings(ctx: Context, pool_id: str, **settings: Any) -> UserPool:
    """Write settings straight into the stored pool, as a database written by an older
    Poolgate (or by hand) could hold them, bypassing the checks of UpdateUserPool."""
    updated = await ctx.store.update_pool(
        pool_id, lambda pool: replace(pool, settings={**pool.settings, **settings})
    )
    assert updated is not None
    return updated


async def confirmed_user(
    ctx: Context, pool_id: str, address: str, *, phone: str | None = None
) -> None:
    pool = await pools.require_pool(ctx, pool_id)
    attributes = [
        {"Name": "email", "Value": address},
        {"Name": "email_verified", "Value": "true"},
    ]
    if phone:
        attributes += [
            {"Name": "phone_number", "Value": phone},
            {"Name": "phone_number_verified", "Value": "true"},
        ]
    await admin_users.admin_create_user(
        ctx, pool, address, attributes, None, "SUPPRESS", None, False
    )
    await admin_users.admin_set_user_password(ctx, pool, address, STRONG, True)


async def password_sign_in(
    ctx: Context, client_id: str, username: str, password: str = STRONG, **extra: str
) -> AuthOutcome:
    return await flows.initiate_auth(
        ctx,
        client_id,
        "USER_PASSWORD_AUTH",
        {"USERNAME": username, "PASSWORD": password, **extra},
    )


async def srp_sign_in(
    ctx: Context,
    pool_id: str,
    client_id: str,
    username: str,
    password: str = STRONG,
    **device: str,
) -> AuthOutcome:
    """USER_SRP_AUTH then PASSWORD_VERIFIER, the client's half computed by pycognito."""
    client = AWSSRP(username, password, pool_id, client_id, client=object(), **device)
    params = client.get_auth_params()
    first = await flows.initiate_auth(ctx, client_id, "USER_SRP_AUTH", params)
    assert first.challenge_name == "PASSWORD_VERIFIER"
    answer = client.process_challenge(first.challenge_parameters, params)
    return await flows.respond_to_auth_challenge(ctx, client_id, "PASSWORD_VERIFIER", answer, None)


async def access_token_of(ctx: Context, client_id: str, username: str) -> str:
    outcome = await password_sign_in(ctx, client_id, username)
    assert outcome.tokens is not None, outcome.challenge_name
    return outcome.tokens.access_token


async def totp_user(ctx: Context, pool_id: str, client_id: str, username: str) -> str:
    """A confirmed user with a verified TOTP authenticator, preferred; returns the
    secret. Set up with an access token before the pool turns MFA on."""
    import pyotp

    from poolgate.core.mfa import operations

    await confirmed_user(ctx, pool_id, username)
    token = await access_token_of(ctx, client_id, username)
    secret, _ = await operations.associate_software_token(ctx, token, None)
    code = pyotp.TOTP(secret).at(ctx.clock())
    assert await operations.verify_software_token(ctx, token, None, code, "phone") is None
    await operations.set_user_mfa_preference(
        ctx, token, {"SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True}}
    )
    frozen(ctx).advance(30)  # the set-up code's step is spent
    return secret
