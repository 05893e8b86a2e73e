"""User attributes checked against the pool's schema.

Messages follow Cognito's "Attributes did not conform to the schema: ..." form.
"""

from __future__ import annotations

import re
from typing import Any

from poolgate.core.errors import InvalidParameterException, NotAuthorizedException
from poolgate.core.records import AppClient, UserPool

EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_RE = re.compile(r"\+[0-9]{4,15}")
# Only an administrator (or a verification) sets these.
VERIFIED_FLAGS = ("email_verified", "phone_number_verified")


def schema_of(pool: UserPool) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in pool.settings["SchemaAttributes"]}


def _schema_error(detail: str) -> InvalidParameterException:
    return InvalidParameterException(f"Attributes did not conform to the schema: {detail}")


def parse(
    pool: UserPool,
    attributes: list[dict[str, str]] | None,
    *,
    client: AppClient | None = None,
    admin: bool = False,
) -> dict[str, str]:
    """Check a request's ``[{"Name", "Value"}]`` list and return it as a dict.

    ``client`` limits writes to its WriteAttributes; ``admin`` allows the verified
    flags and immutable attributes (at creation).
    """
    schema = schema_of(pool)
    writable = (
        set(client.settings["WriteAttributes"])
        if client and client.settings.get("WriteAttributes")
        else None
    )
    parsed: dict[str, str] = {}
    for item in attributes or []:
        name, value = item.get("Name", ""), item.get("Value")
        if value is None:
            # AttributeType's Value is optional in the model, but an attribute to write
            # needs one (an empty string clears it where clearing is allowed).
            raise InvalidParameterException(f"The attribute {name!r} has no Value.")
        definition = schema.get(name)
        if definition is None or name == "sub":
            if name == "sub":
                raise _schema_error("sub: Attribute cannot be written")
            raise _schema_error(f"Type for attribute {{{name}}} could not be determined")
        if not admin and (
            name in VERIFIED_FLAGS or (writable is not None and name not in writable)
        ):
            raise NotAuthorizedException("A client attempted to write unauthorized attribute")
        _check_value(name, value, definition)
        parsed[name] = value
    return parsed


def _check_value(name: str, value: str, definition: dict[str, Any]) -> None:
    kind = definition["AttributeDataType"]
    if kind == "String":
        constraints = definition.get("StringAttributeConstraints") or {}
        max_length = int(constraints.get("MaxLength") or 2048)
        min_length = int(constraints.get("MinLength") or 0)
        if len(value) > max_length:
            raise _schema_error(f"{name}: String must be no longer than {max_length} characters")
        if len(value) < min_length and value:
            raise _schema_error(f"{name}: String must be at least {min_length} characters")
    elif kind == "Number":
        try:
            number = float(value)
        except ValueError:
            raise _schema_error(f"{name}: Number must be a valid number") from None
        constraints = definition.get("NumberAttributeConstraints") or {}
        if constraints.get("MinValue") not in (None, "") and number < float(
            constraints["MinValue"]
        ):
            raise _schema_error(f"{name}: Number must be at least {constraints['MinValue']}")
        if constraints.get("MaxValue") not in (None, "") and number > float(
            constraints["MaxValue"]
        ):
            raise _schema_error(f"{name}: Number must be at most {constraints['MaxValue']}")
    elif kind == "Boolean":
        if value not in ("true", "false"):
            raise _schema_error(f"{name}: Attribute value must be true or false")
    elif kind == "DateTime" and not value:
        raise _schema_error(f"{name}: Attribute value must be a date")
    if name == "email" and value and not EMAIL_RE.fullmatch(value):
        raise InvalidParameterException("Invalid email address format.")
    if name == "phone_number" and value and not PHONE_RE.fullmatch(value):
        raise InvalidParameterException("Invalid phone number format.")


def check_required(pool: UserPool, attributes: dict[str, str]) -> None:
    for definition in pool.settings["SchemaAttributes"]:
        name = definition["Name"]
        if definition.get("Required") and name != "sub" and not attributes.get(name):
            raise _schema_error(f"{name}: The attribute is required")


def readable(client: AppClient | None, pool: UserPool) -> set[str] | None:
    """The attributes ``client`` may read, or None for all of them."""
    if client is not None and client.settings.get("ReadAttributes"):
        return set(client.settings["ReadAttributes"]) | {"sub"}
    return None


def as_list(attributes: dict[str, str], allowed: set[str] | None = None) -> list[dict[str, str]]:
    """The ``[{"Name", "Value"}]`` form, sub first, developer-only attributes hidden."""
    names = sorted(attributes, key=lambda n: (n != "sub", n))
    return [
        {"Name": n, "Value": attributes[n]}
        for n in names
        if not n.startswith("dev:") and (allowed is None or n in allowed)
    ]
