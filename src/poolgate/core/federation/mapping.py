"""AttributeMapping: user pool attribute -> the provider's attribute (Cognito
developer guide, "Specifying identity provider attribute mappings for your user pool").

The ``username`` key names the provider attribute that identifies its user (Cognito
adds it for every OAuth type: ``sub``, or ``id`` for Facebook, ``user_id`` for Login
with Amazon); SAML identifies users by the assertion's NameID. Mapped attributes are
written at every sign-in, so a change at the provider reaches the user pool.
"""

from __future__ import annotations

from typing import Any

from poolgate.core.errors import InvalidParameterException
from poolgate.core.records import UserPool
from poolgate.core.users import attributes

DEFAULT_USERNAME = {
    "Google": "sub",
    "Facebook": "id",
    "LoginWithAmazon": "user_id",
    "SignInWithApple": "sub",
    "OIDC": "sub",
}
# Kept by Cognito itself: a mapping may not write them.
_RESERVED = {"sub", "identities"}


def checked(pool: UserPool, provider_type: str, mapping: dict[str, str] | None) -> dict[str, str]:
    result = dict(mapping or {})
    schema = attributes.schema_of(pool)
    for name, source in result.items():
        if name == "username":
            continue
        if name in _RESERVED or name not in schema:
            raise InvalidParameterException(
                f"AttributeMapping: {name} is not a user pool attribute that a provider may write."
            )
        if not source:
            raise InvalidParameterException(f"AttributeMapping: {name} maps to nothing.")
    if provider_type in DEFAULT_USERNAME:
        result.setdefault("username", DEFAULT_USERNAME[provider_type])
    return result


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        # A multi-valued SAML attribute: Cognito joins the values.
        return ",".join(str(v) for v in value)
    return str(value)


def apply(mapping: dict[str, str], claims: dict[str, Any]) -> dict[str, str]:
    """The user pool attributes the provider's claims set (missing claims skipped)."""
    mapped: dict[str, str] = {}
    for name, source in mapping.items():
        if name == "username":
            continue
        value = _text(claims.get(source))
        if value is not None and value != "":
            mapped[name] = value
    return mapped
