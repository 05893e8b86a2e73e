"""What an answer looks like for a user who does not exist, with the client's
PreventUserExistenceErrors ENABLED ("Managing user existence error responses" in the
developer guide): a code "sent to a simulated delivery medium" by ForgotPassword and
ResendConfirmationCode, a wrong-code error from ConfirmSignUp and ConfirmForgotPassword.

The simulated destination must not be told from a real one. A real user's is their
own address, masked (``j***@e***``); so for a name that could be that address (an
email, or a phone number, where the pool signs users in by it) the name itself is
masked, and for any other name the letters come from an HMAC of the name under the
master key: stable for one name, unpredictable across names, the same derivation for
every name.
"""

from __future__ import annotations

import hashlib
import hmac

from poolgate.core.context import Context
from poolgate.core.messages import delivery, templates
from poolgate.core.records import UserPool
from poolgate.core.users import lookup
from poolgate.core.users.attributes import EMAIL_RE, PHONE_RE

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ATTRIBUTE = {"verified_email": "email", "verified_phone_number": "phone_number"}
_RE = {"email": EMAIL_RE, "phone_number": PHONE_RE}


def _signs_in_with(pool: UserPool, attribute: str) -> bool:
    return attribute in lookup.username_attributes(pool) or attribute in lookup.alias_attributes(
        pool
    )


def _medium(pool: UserPool, name: str, recovery: bool) -> str:
    auto = pool.settings.get("AutoVerifiedAttributes") or []
    if recovery:
        # The first recovery mechanism a user of this pool could have: one whose
        # contact the pool verifies, or the one the name itself is.
        setting = pool.settings.get("AccountRecoverySetting") or {}
        mechanisms = sorted(setting.get("RecoveryMechanisms") or [], key=lambda m: m["Priority"])
        order = [m["Name"] for m in mechanisms] or ["verified_phone_number", "verified_email"]
        contacts = [_ATTRIBUTE[m] for m in order if m in _ATTRIBUTE]
        plausible = [
            attribute
            for attribute in contacts
            if attribute in auto
            or (_signs_in_with(pool, attribute) and _RE[attribute].fullmatch(name))
        ]
        chosen = (plausible or contacts or ["email"])[0]
        return templates.SMS if chosen == "phone_number" else templates.EMAIL
    auto = auto or ["email"]
    if "phone_number" in auto and ("email" not in auto or PHONE_RE.fullmatch(name)):
        return templates.SMS
    return templates.EMAIL


def simulated_destination(
    ctx: Context, pool: UserPool, name: str, *, recovery: bool = False
) -> delivery.Destination:
    """Where a code would have gone: by the pool's recovery setting (``recovery``) or
    its auto-verified attributes, to an address derived from ``name``."""
    medium = _medium(pool, name, recovery)
    digest = hmac.new(
        ctx.sealer.mac_key("simulated-destination"),
        f"{pool.id}\x00{lookup.key_of(pool, name)}".encode(),
        hashlib.sha256,
    ).digest()
    if medium == templates.SMS:
        if PHONE_RE.fullmatch(name) and _signs_in_with(pool, "phone_number"):
            return delivery.Destination(templates.SMS, "phone_number", name)
        digits = "".join(str(byte % 10) for byte in digest[:10])
        return delivery.Destination(templates.SMS, "phone_number", f"+1{digits}")
    if EMAIL_RE.fullmatch(name) and _signs_in_with(pool, "email"):
        return delivery.Destination(templates.EMAIL, "email", name)
    local, domain = _LETTERS[digest[0] % 26], _LETTERS[digest[1] % 26]
    return delivery.Destination(templates.EMAIL, "email", f"{local}@{domain}.invalid")
