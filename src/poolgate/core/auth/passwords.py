"""Passwords: the pool's policy, temporary passwords, and the stored credential.

A password is never stored. The credential is the SRP verifier Cognito's clients
derive (``core.srp``), sealed with the master key so a stolen database alone does not
allow offline guessing. Password flows verify by recomputing the verifier.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import string
from dataclasses import replace
from typing import Any

from poolgate.core.auth import srp
from poolgate.core.errors import InvalidPasswordException, PasswordHistoryPolicyViolationException
from poolgate.core.records import User, UserPool
from poolgate.crypto.sealing import Sealer

# Cognito's accepted special characters (Cognito developer guide, "Password policies").
SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "
_SALT_LEN = srp.SALT_BYTES


def policy_of(pool: UserPool) -> dict[str, Any]:
    policy: dict[str, Any] = pool.settings["Policies"]["PasswordPolicy"]
    return policy


def check_policy(pool: UserPool, password: str) -> None:
    """Raise ``InvalidPasswordException`` with Cognito's message for the first rule the
    password breaks."""
    policy = policy_of(pool)
    problems = []
    if len(password) < policy["MinimumLength"]:
        problems.append("Password not long enough")
    if policy.get("RequireLowercase") and not any(c.islower() for c in password):
        problems.append("Password must have lowercase characters")
    if policy.get("RequireUppercase") and not any(c.isupper() for c in password):
        problems.append("Password must have uppercase characters")
    if policy.get("RequireNumbers") and not any(c.isdigit() for c in password):
        problems.append("Password must have numeric characters")
    if policy.get("RequireSymbols") and not any(c in SYMBOLS for c in password):
        problems.append("Password must have symbol characters")
    if password != password.strip():
        problems.append("Password must not begin or end with a space")
    if problems:
        raise InvalidPasswordException("Password did not conform with policy: " + problems[0])


def temporary_password(pool: UserPool) -> str:
    """A random password that satisfies the pool's policy."""
    policy = policy_of(pool)
    length = max(int(policy["MinimumLength"]), 12)
    picks = [
        secrets.choice(string.ascii_lowercase),
        secrets.choice(string.ascii_uppercase),
        secrets.choice(string.digits),
        secrets.choice("^$*.!@#%&"),
    ]
    alphabet = string.ascii_letters + string.digits + "^$*.!@#%&"
    picks += [secrets.choice(alphabet) for _ in range(length - len(picks))]
    secrets.SystemRandom().shuffle(picks)
    return "".join(picks)


def _purpose(user: User) -> str:
    return f"credential:{user.pool_id}:{user.sub}"


def _encode(verifier: srp.Verifier) -> bytes:
    return verifier.salt + verifier.verifier.to_bytes(384, "big")


def _decode(raw: bytes) -> srp.Verifier:
    return srp.Verifier(salt=raw[:_SALT_LEN], verifier=int.from_bytes(raw[_SALT_LEN:], "big"))


async def seal_password(sealer: Sealer, user: User, password: str) -> bytes:
    """The sealed verifier for ``password``; one modular exponentiation, run off the
    event loop."""
    pool_name = srp.pool_name_from_id(user.pool_id)
    verifier = await asyncio.to_thread(srp.make_verifier, pool_name, user.username, password)
    return sealer.seal(_encode(verifier), _purpose(user))


def open_verifier(sealer: Sealer, user: User) -> srp.Verifier | None:
    if user.credential_sealed is None:
        return None
    return _decode(sealer.open(user.credential_sealed, _purpose(user)))


def reseal(user: User, old: Sealer, new: Sealer) -> User:
    """The user with the verifier and its history sealed with ``new`` (master-key
    rotation); the same object when the user has none."""
    history = user.state.get("password_history") or []
    if user.credential_sealed is None and not history:
        return user
    purpose = _purpose(user)
    credential = user.credential_sealed
    if credential is not None:
        credential = new.seal(old.open(credential, purpose), purpose)
    state = dict(user.state)
    if history:
        state["password_history"] = [
            base64.b64encode(new.seal(old.open(base64.b64decode(s), purpose), purpose)).decode()
            for s in history
        ]
    return replace(user, credential_sealed=credential, state=state)


async def password_matches(sealer: Sealer, user: User, password: str) -> bool:
    verifier = open_verifier(sealer, user)
    if verifier is None:
        return False
    pool_name = srp.pool_name_from_id(user.pool_id)
    return await asyncio.to_thread(
        srp.password_matches, verifier, pool_name, user.username, password
    )


def decoy_verifier(sealer: Sealer, pool_id: str, name: str) -> srp.Verifier:
    """A stable, fake verifier for a name nobody has, so that SRP's challenge and a
    password check look and cost the same for everyone (PreventUserExistenceErrors)."""
    seed = hmac.new(sealer.mac_key("srp-decoy"), f"{pool_id}:{name}".encode(), hashlib.sha256)
    digest = seed.digest()
    return srp.Verifier(salt=digest[:_SALT_LEN], verifier=int.from_bytes(digest, "big") + 2)


async def decoy_check(sealer: Sealer, pool: UserPool, name: str, password: str) -> None:
    """What ``password_matches`` spends, against the name's decoy verifier: an unknown
    user answers in the time a wrong password takes."""
    verifier = decoy_verifier(sealer, pool.id, name)
    pool_name = srp.pool_name_from_id(pool.id)
    await asyncio.to_thread(srp.password_matches, verifier, pool_name, name, password)


def history_size(pool: UserPool) -> int:
    return int(policy_of(pool).get("PasswordHistorySize") or 0)


def _history(sealer: Sealer, user: User) -> list[srp.Verifier]:
    found = []
    for sealed in user.state.get("password_history", []):
        raw = sealer.open(base64.b64decode(sealed), _purpose(user))
        found.append(_decode(raw))
    return found


async def check_history(sealer: Sealer, pool: UserPool, user: User, password: str) -> None:
    """Refuse a password among the last PasswordHistorySize ones (the current one
    included), as Cognito's password history policy does."""
    size = history_size(pool)
    if size == 0:
        return
    candidates = [v for v in [open_verifier(sealer, user)] if v is not None]
    candidates += _history(sealer, user)[: max(size - 1, 0)]
    pool_name = srp.pool_name_from_id(user.pool_id)
    for verifier in candidates:
        if await asyncio.to_thread(
            srp.password_matches, verifier, pool_name, user.username, password
        ):
            raise PasswordHistoryPolicyViolationException(
                "The password has been used recently. Choose a different password."
            )


async def set_password(sealer: Sealer, pool: UserPool, user: User, password: str) -> None:
    """Give ``user`` a new credential, remembering the old one when the pool keeps a
    password history. The caller stores the user."""
    size = history_size(pool)
    if size > 1 and user.credential_sealed is not None:
        previous = base64.b64encode(user.credential_sealed).decode()
        kept = user.state.get("password_history", [])[: size - 2]
        user.state["password_history"] = [previous, *kept]
    elif size <= 1:
        user.state.pop("password_history", None)
    user.credential_sealed = await seal_password(sealer, user, password)
