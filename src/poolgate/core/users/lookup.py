"""Finding users the way Cognito does: by username, or by an alias (email, phone,
preferred username) as the pool's UsernameAttributes / AliasAttributes allow, with
the pool's case sensitivity."""

from __future__ import annotations

from poolgate.core import ids
from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException, UserNotFoundException
from poolgate.core.records import User, UserPool
from poolgate.core.users.attributes import EMAIL_RE, PHONE_RE

UNCONFIRMED = "UNCONFIRMED"
CONFIRMED = "CONFIRMED"
FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
RESET_REQUIRED = "RESET_REQUIRED"
# Federated users (core.federation.users): they sign in at their provider only, so
# their email and phone are nobody's sign-in alias.
EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"


def case_sensitive(pool: UserPool) -> bool:
    return bool(pool.settings.get("UsernameConfiguration", {}).get("CaseSensitive", True))


def key_of(pool: UserPool, value: str) -> str:
    return value if case_sensitive(pool) else value.lower()


def username_attributes(pool: UserPool) -> list[str]:
    return list(pool.settings.get("UsernameAttributes") or [])


def alias_attributes(pool: UserPool) -> list[str]:
    return list(pool.settings.get("AliasAttributes") or [])


def index_keys(pool: UserPool, user: User) -> User:
    """Fill the lookup keys from the username and attributes."""
    user.username_key = key_of(pool, user.username)
    email = user.attributes.get("email")
    phone = user.attributes.get("phone_number")
    preferred = user.attributes.get("preferred_username")
    user.email_key = key_of(pool, email) if email else None
    user.phone_key = phone or None
    user.preferred_username_key = key_of(pool, preferred) if preferred else None
    # ListUsers filters on these by exact value and prefix.
    user.name_key = user.attributes.get("name") or None
    user.given_name_key = user.attributes.get("given_name") or None
    user.family_name_key = user.attributes.get("family_name") or None
    return user


def new_username(pool: UserPool, given: str) -> tuple[str, str, dict[str, str]]:
    """For a sign-up or admin creation: (username to store, sub, attributes implied).

    In pools whose users sign in with email or phone (UsernameAttributes), the given
    value must be one of those; Cognito then stores a generated UUID username (the same
    as the sub) and the value becomes the attribute.
    """
    sub = ids.new_sub()
    allowed = username_attributes(pool)
    if not allowed:
        if EMAIL_RE.fullmatch(given) and "email" in alias_attributes(pool):
            raise InvalidParameterException(
                "Username cannot be of email format, since user pool is configured for email alias."
            )
        if PHONE_RE.fullmatch(given) and "phone_number" in alias_attributes(pool):
            raise InvalidParameterException(
                "Username cannot be of phone number format, since user pool is configured "
                "for phone number alias."
            )
        return given, sub, {}
    if "email" in allowed and EMAIL_RE.fullmatch(given):
        return sub, sub, {"email": given}
    if "phone_number" in allowed and PHONE_RE.fullmatch(given):
        return sub, sub, {"phone_number": given}
    if allowed == ["email"]:
        raise InvalidParameterException("Username should be an email.")
    if allowed == ["phone_number"]:
        raise InvalidParameterException("Username should be a phone number.")
    raise InvalidParameterException("Username should be either an email or a phone number.")


def _alias_usable(pool: UserPool, user: User, field: str) -> bool:
    if user.status == EXTERNAL_PROVIDER:
        return False
    if field in username_attributes(pool):
        return True
    if field not in alias_attributes(pool):
        return False
    if field == "preferred_username":
        return True
    return user.attributes.get(f"{field}_verified") == "true"


async def find_user(ctx: Context, pool: UserPool, name: str) -> User | None:
    """The user ``name`` designates: its username, else an alias the pool allows."""
    user = await ctx.store.get_user(pool.id, key_of(pool, name))
    if user is not None:
        return user
    fields = [
        f
        for f in ("email", "phone_number", "preferred_username")
        if f in username_attributes(pool) or f in alias_attributes(pool)
    ]
    for field in fields:
        key = name if field == "phone_number" else key_of(pool, name)
        for candidate in await ctx.store.find_users_by_alias(pool.id, field, key):
            if _alias_usable(pool, candidate, field):
                return candidate
    return None


async def require_user(ctx: Context, pool: UserPool, name: str) -> User:
    user = await find_user(ctx, pool, name)
    if user is None:
        raise UserNotFoundException("User does not exist.")
    return user


async def alias_owner(
    ctx: Context, pool: UserPool, field: str, value: str, *, excluding: str
) -> User | None:
    """Another user who already signs in with ``value`` as ``field``."""
    key = value if field == "phone_number" else key_of(pool, value)
    for candidate in await ctx.store.find_users_by_alias(pool.id, field, key):
        if (
            candidate.sub != excluding
            and _alias_usable(pool, candidate, field)
            and (candidate.status != UNCONFIRMED or field in username_attributes(pool))
        ):
            return candidate
    return None
