"""ListUsers: Cognito's filter syntax on the attributes Cognito allows, answered from
indexes (``=`` is an index lookup, ``^=`` an index range scan), paginated by key.

Filter: ``AttributeName Filter-Type "AttributeValue"`` with ``=`` or ``^=``; a
quotation mark inside the value is escaped with a backslash (API reference,
ListUsers).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import orjson
import regex

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.records import User, UserPool
from poolgate.core.users import lookup

SEARCHABLE = {
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
}
_FILTER = regex.compile(r'\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*')


@dataclass(frozen=True)
class Filter:
    """A parsed filter; ``field`` names the store's lookup key."""

    field: str
    prefix: bool
    value: str


def parse_filter(pool: UserPool, text: str | None) -> Filter | None:
    if not text or not text.strip():
        return None
    match = _FILTER.fullmatch(text)
    if match is None:
        raise InvalidParameterException("Error while parsing filter.")
    name, operator, raw = match.groups()
    if name not in SEARCHABLE:
        raise InvalidParameterException(f"Invalid search attribute: {name}")
    value = regex.sub(r"\\(.)", r"\1", raw)
    prefix = operator == "^="
    if name in ("username", "email", "preferred_username"):
        return Filter(name, prefix, lookup.key_of(pool, value))
    if name == "cognito:user_status":
        return Filter("user_status", prefix, value.upper())
    if name == "status":
        # "Enabled" / "Disabled"
        return Filter("enabled", prefix, value.capitalize())
    return Filter(name, prefix, value)


def _encode(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode()


def _decode(token: str | None) -> tuple[str, str] | None:
    if not token:
        return None
    try:
        key, sub = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        return str(key), str(sub)
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        raise InvalidParameterException("The pagination token is invalid.") from None


async def list_users(
    ctx: Context,
    pool: UserPool,
    filter_text: str | None,
    limit: int | None,
    pagination_token: str | None,
) -> tuple[list[User], str | None]:
    search = parse_filter(pool, filter_text)
    page_size = limit or 60
    found = await ctx.store.list_users(
        pool.id,
        field=search.field if search else None,
        value=search.value if search else None,
        prefix=search.prefix if search else False,
        limit=page_size + 1,
        after=_decode(pagination_token),
    )
    if len(found) <= page_size:
        return [user for user, _ in found], None
    page = found[:page_size]
    return [user for user, _ in page], _encode(page[-1][1])
