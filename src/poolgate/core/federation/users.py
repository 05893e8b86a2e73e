"""Federated users as Cognito keeps them (developer guide, "Third-party IdP sign-in"
and "Linking federated users to an existing user profile").

The first sign-in of a provider's user creates ``{ProviderName}_{id}`` with status
EXTERNAL_PROVIDER, no password, the mapped attributes and an ``identities`` attribute
(the id token's ``identities`` claim). Every sign-in writes the mapped attributes
again. A federated identity that an administrator linked to an existing user
(AdminLinkProviderForUser) signs in as that user instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from poolgate.core import ids
from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException
from poolgate.core.federation import mapping
from poolgate.core.records import FederatedIdentity, IdentityProvider, User, UserPool
from poolgate.core.triggers import sign_up as sign_up_triggers
from poolgate.core.users import lookup
from poolgate.store.base import Conflict

EXTERNAL_PROVIDER = lookup.EXTERNAL_PROVIDER
SUBJECT = "Cognito_Subject"


@dataclass
class ProviderIdentity:
    """Who the provider says signed in: its user id and its claims (id token and
    userinfo, Graph or profile answer, or SAML attributes)."""

    user_id: str
    claims: dict[str, Any] = field(default_factory=dict)
    # The OIDC issuer or SAML entity id; None for social providers, as in Cognito.
    issuer: str | None = None
    # SAML: what a LogoutRequest must name later (NameID format, SessionIndex).
    saml_session: dict[str, str] | None = None


def username_for(provider: IdentityProvider, user_id: str) -> str:
    return f"{provider.name}_{user_id}"


def identity_entry(
    provider: IdentityProvider, user_id: str, issuer: str | None, created: float, primary: bool
) -> dict[str, Any]:
    """One element of the ``identities`` attribute, in Cognito's shape (strings for
    ``primary`` and ``dateCreated``, the latter in milliseconds)."""
    return {
        "userId": user_id,
        "providerName": provider.name,
        "providerType": provider.type,
        "issuer": issuer,
        "primary": "true" if primary else "false",
        "dateCreated": str(int(created * 1000)),
    }


def identities_of(user: User) -> list[dict[str, Any]]:
    raw = user.attributes.get("identities")
    if not raw:
        return []
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return []
    return value if isinstance(value, list) else []


def set_identities(user: User, entries: list[dict[str, Any]]) -> None:
    if entries:
        user.attributes["identities"] = orjson.dumps(entries).decode()
    else:
        user.attributes.pop("identities", None)


async def sign_in(
    ctx: Context,
    pool: UserPool,
    provider: IdentityProvider,
    identity: ProviderIdentity,
    *,
    client_id: str | None = None,
) -> User:
    """The user pool user this provider's user signs in as, created or refreshed.
    ``client_id``: the app client signing in (the pre sign-up trigger's callerContext)."""
    mapped = mapping.apply(provider.attribute_mapping, identity.claims)
    user = await _linked_user(ctx, pool, provider, identity, mapped)
    if user is None:
        user = await create_federated_user(
            ctx, pool, provider, identity, mapped, client_id=client_id
        )
    else:
        user = await _refresh(ctx, pool, provider, identity, user, mapped)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return user


async def _linked_user(
    ctx: Context,
    pool: UserPool,
    provider: IdentityProvider,
    identity: ProviderIdentity,
    mapped: dict[str, str],
) -> User | None:
    store = ctx.store
    link = await store.get_federated_identity(pool.id, provider.name, SUBJECT, identity.user_id)
    if link is None:
        # A link an administrator made on a mapped attribute (e.g. email) before this
        # user's first sign-in: from now on it is keyed by the provider's user id, as
        # AdminDisableProviderForUser then expects (Cognito_Subject).
        for name, value in mapped.items():
            found = await store.get_federated_identity(pool.id, provider.name, name, value)
            if found is not None:
                async with store.transaction() as tx:
                    await tx.delete_federated_identity(pool.id, provider.name, name, value)
                    link = FederatedIdentity(
                        pool.id, provider.name, SUBJECT, identity.user_id, found.sub, ctx.clock()
                    )
                    await tx.put_federated_identity(link)
                break
    if link is not None:
        user = await store.get_user_by_sub(pool.id, link.sub)
        if user is not None:
            return user
    # The federated user may exist without its link (unlinked by an administrator).
    existing = await store.get_user(
        pool.id, lookup.key_of(pool, username_for(provider, identity.user_id))
    )
    if existing is not None and existing.status == EXTERNAL_PROVIDER:
        await store.put_federated_identity(
            FederatedIdentity(
                pool.id, provider.name, SUBJECT, identity.user_id, existing.sub, ctx.clock()
            )
        )
        return existing
    return None


async def create_federated_user(
    ctx: Context,
    pool: UserPool,
    provider: IdentityProvider,
    identity: ProviderIdentity,
    mapped: dict[str, str],
    *,
    client_id: str | None = None,
) -> User:
    """The first sign-in of a provider's user: ``{ProviderName}_{id}``.

    The pool's pre sign-up trigger runs first, with the trigger source
    ``PreSignUp_ExternalProvider`` (developer guide, "Pre sign-up Lambda trigger"): it
    may refuse (nothing is written) or mark the email or phone verified; the user is
    EXTERNAL_PROVIDER whatever ``autoConfirmUser`` says.
    """
    now = ctx.clock()
    sub = ids.new_sub()
    username = username_for(provider, identity.user_id)
    answer = await sign_up_triggers.pre_sign_up(
        ctx, pool, sign_up_triggers.EXTERNAL_PROVIDER, username=username, attributes=mapped,
        client_id=client_id, validation_data=None, client_metadata=None,
    )  # fmt: skip
    attributes = {**mapped, "sub": sub}
    if answer.auto_verify_email:
        attributes["email_verified"] = "true"
    if answer.auto_verify_phone:
        attributes["phone_number_verified"] = "true"
    user = User(
        pool_id=pool.id,
        username=username,
        sub=sub,
        status=EXTERNAL_PROVIDER,
        enabled=True,
        created=now,
        modified=now,
        attributes=attributes,
    )
    set_identities(user, [identity_entry(provider, identity.user_id, identity.issuer, now, True)])
    lookup.index_keys(pool, user)
    try:
        async with ctx.store.transaction() as tx:
            await tx.create_user(user)
            await tx.put_federated_identity(
                FederatedIdentity(pool.id, provider.name, SUBJECT, identity.user_id, sub, now)
            )
    except Conflict:
        # Two first sign-ins raced: the other one created the user.
        existing = await ctx.store.get_user(pool.id, user.username_key)
        if existing is None:
            raise
        return existing
    return user


async def _refresh(
    ctx: Context,
    pool: UserPool,
    provider: IdentityProvider,
    identity: ProviderIdentity,
    user: User,
    mapped: dict[str, str],
) -> User:
    """Write the mapped attributes again; a linked user gains the identity's entry."""
    changed = {k: v for k, v in mapped.items() if user.attributes.get(k) != v}
    entries = identities_of(user)
    known = any(
        e.get("providerName") == provider.name and e.get("userId") == identity.user_id
        for e in entries
    )
    if not changed and known:
        return user
    user.attributes.update(changed)
    if not known:
        primary = user.status == EXTERNAL_PROVIDER and not entries
        entries.append(
            identity_entry(provider, identity.user_id, identity.issuer, ctx.clock(), primary)
        )
        set_identities(user, entries)
    user.modified = ctx.clock()
    lookup.index_keys(pool, user)
    await ctx.store.put_user(user)
    return user
