"""TOTP authenticators: AssociateSoftwareToken and VerifySoftwareToken (API reference),
with an access token or with the session of an MFA_SETUP challenge, and the check of
a SOFTWARE_TOKEN_MFA code at sign-in.

The secret is sealed with the master key (purpose bound to the pool and user), never
stored in clear. ``state["totp"]`` holds ``pending`` (associated, not yet verified),
``secret`` (verified), ``name`` (FriendlyDeviceName) and ``last_step`` (the last time
step accepted, so no code is accepted twice). Wrong codes count toward the same
lockout as wrong passwords.
"""

from __future__ import annotations

import base64
from typing import Any

from poolgate.core.auth import lockout, sessions
from poolgate.core.context import Context
from poolgate.core.errors import (
    CodeMismatchException,
    EnableSoftwareTokenMFAException,
    SoftwareTokenMFANotFoundException,
)
from poolgate.core.mfa import totp
from poolgate.core.records import User, UserPool

MFA_SETUP = "MFA_SETUP"
# The session between AssociateSoftwareToken and VerifySoftwareToken in MFA_SETUP, and
# the one VerifySoftwareToken returns for RespondToAuthChallenge.
ASSOCIATED = "MFA_SETUP:associated"
VERIFIED = "MFA_SETUP:verified"
WRONG_CODE = "Invalid code or auth state for the user."


def _purpose(user: User) -> str:
    return f"totp:{user.pool_id}:{user.sub}"


def _seal(ctx: Context, user: User, secret: str) -> str:
    return base64.b64encode(ctx.sealer.seal(secret.encode(), _purpose(user))).decode()


def _open(ctx: Context, user: User, sealed: str) -> str:
    return ctx.sealer.open(base64.b64decode(sealed), _purpose(user)).decode()


def verified(user: User) -> bool:
    return bool((user.state.get("totp") or {}).get("secret"))


def friendly_name(user: User) -> str | None:
    name = (user.state.get("totp") or {}).get("name")
    return str(name) if name else None


async def associate(ctx: Context, pool: UserPool, user: User) -> str:
    """A new secret for ``user``, kept pending until VerifySoftwareToken proves the
    authenticator has it; a verified authenticator stays in use until then."""
    secret = totp.new_secret()
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise SoftwareTokenMFANotFoundException("User does not exist.")
        state = dict(current.state.get("totp") or {})
        state["pending"] = _seal(ctx, current, secret)
        current.state["totp"] = state
        current.modified = ctx.clock()
        await tx.put_user(current)
    return secret


async def _record_failure(ctx: Context, pool: UserPool, user: User) -> None:
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is not None:
            lockout.record_failure(current, ctx.clock())
            await tx.put_user(current)


async def verify(
    ctx: Context, pool: UserPool, user: User, code: str, name: str | None, *, enable: bool
) -> None:
    """VerifySoftwareToken: the pending secret becomes the user's authenticator when
    ``code`` is one of its codes. ``enable`` (MFA_SETUP) also turns TOTP MFA on."""
    lockout.check(user, ctx.clock())
    pending = (user.state.get("totp") or {}).get("pending")
    if not pending:
        raise SoftwareTokenMFANotFoundException(
            "Software Token MFA has not been associated with this user."
        )
    step = totp.matching_step(_open(ctx, user, pending), code, ctx.clock())
    if step is None:
        await _record_failure(ctx, pool, user)
        raise EnableSoftwareTokenMFAException("Code mismatch")
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise SoftwareTokenMFANotFoundException("User does not exist.")
        state = dict(current.state.get("totp") or {})
        if state.get("pending") != pending:
            raise EnableSoftwareTokenMFAException("Code mismatch")
        state["secret"] = state.pop("pending")
        state["last_step"] = step
        if name:
            state["name"] = name
        current.state["totp"] = state
        lockout.record_success(current)
        if enable:
            mfa: dict[str, Any] = dict(current.state.get("mfa") or {})
            on = list(mfa.get("enabled") or [])
            if "SOFTWARE_TOKEN_MFA" not in on:
                on.append("SOFTWARE_TOKEN_MFA")
            mfa["enabled"] = on
            mfa.setdefault("preferred", "SOFTWARE_TOKEN_MFA")
            current.state["mfa"] = mfa
        current.modified = ctx.clock()
        await tx.put_user(current)


async def check_code(ctx: Context, pool: UserPool, user: User, code: str) -> None:
    """SOFTWARE_TOKEN_MFA: accept a code of the user's authenticator once, within the
    drift window; a wrong or reused code is a failed attempt (lockout)."""
    lockout.check(user, ctx.clock())
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        state = dict((current.state.get("totp") or {}) if current else {})
        if current is None or not state.get("secret"):
            raise SoftwareTokenMFANotFoundException("Software Token MFA is not set up.")
        step = totp.matching_step(
            _open(ctx, current, state["secret"]), code, ctx.clock(),
            after_step=int(state.get("last_step", -1)),
        )  # fmt: skip
        if step is not None:
            state["last_step"] = step
            current.state["totp"] = state
            lockout.record_success(current)
            await tx.put_user(current)
            return
        lockout.record_failure(current, ctx.clock())
        await tx.put_user(current)
    raise CodeMismatchException(WRONG_CODE)


def setup_session(ctx: Context, client_id: str, user: User, challenge: str, minutes: int) -> str:
    return sessions.seal(
        ctx, {"challenge": challenge, "client": client_id, "sub": user.sub}, minutes
    )
