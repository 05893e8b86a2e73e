"""What the hosted forms ask for, from the pool's schema and sign-in settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from poolgate.core.records import UserPool
from poolgate.core.users import lookup

_LABELS = {
    "email": ("Email", "email", "email"),
    "phone_number": ("Phone number", "tel", "tel"),
    "name": ("Name", "text", "name"),
    "given_name": ("Given name", "text", "given-name"),
    "family_name": ("Family name", "text", "family-name"),
    "middle_name": ("Middle name", "text", "additional-name"),
    "nickname": ("Nickname", "text", "nickname"),
    "preferred_username": ("Preferred username", "text", "username"),
    "birthdate": ("Birthdate (YYYY-MM-DD)", "text", "bday"),
    "address": ("Address", "text", "street-address"),
    "gender": ("Gender", "text", "sex"),
    "locale": ("Locale", "text", "language"),
    "website": ("Website", "url", "url"),
    "picture": ("Picture URL", "url", "photo"),
    "profile": ("Profile URL", "url", "url"),
    "zoneinfo": ("Time zone", "text", "off"),
}


@dataclass
class Field:
    name: str
    label: str
    type: str
    autocomplete: str
    value: str = ""


def field_for(name: str, value: str = "") -> Field:
    label, kind, autocomplete = _LABELS.get(
        name, (name.removeprefix("custom:").replace("_", " ").capitalize(), "text", "off")
    )
    return Field(name, label, kind, autocomplete, value)


def username_label(pool: UserPool) -> str:
    attributes = lookup.username_attributes(pool)
    if attributes == ["email"]:
        return "Email"
    if attributes == ["phone_number"]:
        return "Phone number"
    if attributes:
        return "Email or phone number"
    return "Username"


def sign_up_fields(pool: UserPool) -> list[Field]:
    """The username attributes first, then required attributes, then the contact
    the pool verifies (so a code can be sent)."""
    names: list[str] = list(lookup.username_attributes(pool))
    for definition in pool.settings["SchemaAttributes"]:
        if definition.get("Required") and definition["Name"] != "sub":
            names.append(definition["Name"])
    for attribute in pool.settings.get("AutoVerifiedAttributes") or []:
        names.append(attribute)
    return [field_for(name) for name in dict.fromkeys(names)]


def policy_hint(pool: UserPool) -> str:
    policy: dict[str, Any] = pool.settings["Policies"]["PasswordPolicy"]
    parts = [f"at least {policy['MinimumLength']} characters"]
    for key, text in (
        ("RequireUppercase", "an upper-case letter"),
        ("RequireLowercase", "a lower-case letter"),
        ("RequireNumbers", "a number"),
        ("RequireSymbols", "a symbol"),
    ):
        if policy.get(key):
            parts.append(text)
    return (
        "Use " + ", ".join(parts[:-1]) + (" and " + parts[-1] if len(parts) > 1 else parts[0]) + "."
    )
