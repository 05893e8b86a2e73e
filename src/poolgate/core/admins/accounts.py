"""Administrators: created by an administrator (the console's Administrators page is
the pool's Users page), by ``poolgate admin create``, or at start from
POOLGATE_BOOTSTRAP_ADMIN_USERNAME and POOLGATE_BOOTSTRAP_ADMIN_PASSWORD.

Every way gives a temporary password: the account is FORCE_CHANGE_PASSWORD, and its
first sign-in asks for a new one (AdminCreateUser's documented behaviour), so a
password that went through a command line, an environment variable or a deployment
file does not stay the administrator's.

The bootstrap administrator is created only while the pool has no user at all, as
Keycloak creates its bootstrap admin only when there is none: an administrator deleted
on purpose does not come back with a known password because the variables stayed in a
deployment file.
"""

from __future__ import annotations

from dataclasses import dataclass

from poolgate.core.admins import pool as admins_pool
from poolgate.core.admins.pool import Administrators, ConsoleSetup
from poolgate.core.context import Context
from poolgate.core.errors import UsernameExistsException
from poolgate.core.records import User
from poolgate.core.users import admin_users


async def create_administrator(
    ctx: Context,
    setup: ConsoleSetup,
    username: str,
    temporary_password: str,
    email: str | None = None,
) -> tuple[Administrators, User]:
    """A new administrator who must choose a password at the first sign-in. Cognito's
    errors for a taken name or a password the policy refuses (UsernameExistsException,
    InvalidPasswordException)."""
    found = await admins_pool.ensure(ctx, setup)
    attributes = [{"Name": "email", "Value": email}] if email else None
    user = await admin_users.admin_create_user(
        ctx, found.pool, username, attributes, temporary_password, "SUPPRESS", None, False
    )
    return found, user


@dataclass(frozen=True)
class Bootstrap:
    """What the start did with the bootstrap settings: ``created`` the administrator,
    or left them unused because the pool ``had_administrators``."""

    created: bool
    pool_id: str


async def bootstrap(ctx: Context, setup: ConsoleSetup, username: str, password: str) -> Bootstrap:
    found = await admins_pool.ensure(ctx, setup)
    if await ctx.store.count_users(found.pool.id) > 0:
        return Bootstrap(created=False, pool_id=found.pool.id)
    try:
        await admin_users.admin_create_user(
            ctx, found.pool, username.strip(), None, password, "SUPPRESS", None, False
        )
    except UsernameExistsException:  # another node, starting at the same time, made it
        return Bootstrap(created=False, pool_id=found.pool.id)
    return Bootstrap(created=True, pool_id=found.pool.id)
