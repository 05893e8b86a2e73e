"""AdminLinkProviderForUser and AdminDisableProviderForUser (Cognito API reference;
developer guide, "Linking federated users to an existing user profile").

A link is a ``FederatedIdentity``: (provider, attribute name, value) -> the user it
signs in as. ``Cognito_Subject`` is the provider's own user id; an OIDC or SAML link
may name a mapped user pool attribute instead, and becomes a ``Cognito_Subject`` link
at the linked user's first sign-in (``users._linked_user``).
"""

from __future__ import annotations

from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import (
    AliasExistsException,
    InvalidParameterException,
    LimitExceededException,
    UserNotFoundException,
)
from poolgate.core.federation import details, providers, users
from poolgate.core.records import FederatedIdentity, User, UserPool
from poolgate.core.users import lookup

MAX_LINKS = 5  # "The maximum number of federated identities linked to a user is five."


async def _destination(ctx: Context, pool: UserPool, spec: dict[str, Any]) -> User:
    name = spec.get("ProviderName") or ""
    value = spec.get("ProviderAttributeValue") or ""
    if not value:
        raise InvalidParameterException("DestinationUser needs a ProviderAttributeValue.")
    if name.lower() == "cognito":
        return await lookup.require_user(ctx, pool, value)
    provider = await providers.require_provider(ctx, pool.id, name)
    user = await ctx.store.get_user(
        pool.id, lookup.key_of(pool, users.username_for(provider, value))
    )
    if user is None:
        raise UserNotFoundException("User does not exist.")
    return user


async def admin_link_provider_for_user(
    ctx: Context, pool: UserPool, destination: dict[str, Any], source: dict[str, Any]
) -> None:
    target = await _destination(ctx, pool, destination)
    name = source.get("ProviderName") or ""
    attribute = source.get("ProviderAttributeName") or ""
    value = source.get("ProviderAttributeValue") or ""
    if name.lower() == "cognito":
        raise InvalidParameterException("SourceUser must be a federated user, not a native one.")
    provider = await providers.require_provider(ctx, pool.id, name)
    if not attribute or not value:
        raise InvalidParameterException(
            "SourceUser needs a ProviderAttributeName and a ProviderAttributeValue."
        )
    if provider.type in details.SOCIAL and attribute != users.SUBJECT:
        raise InvalidParameterException(
            f"ProviderAttributeName must be {users.SUBJECT} for {provider.type} users."
        )
    if attribute != users.SUBJECT and attribute not in provider.attribute_mapping:
        raise InvalidParameterException(
            f"ProviderAttributeName {attribute} is not mapped from provider {name}."
        )
    if attribute == users.SUBJECT:
        existing = await ctx.store.get_user(
            pool.id, lookup.key_of(pool, users.username_for(provider, value))
        )
        if existing is not None and existing.sub != target.sub:
            raise InvalidParameterException(
                "Merging is not currently supported, provide a SourceUser which does not "
                "exist in the pool"
            )
    link = await ctx.store.get_federated_identity(pool.id, name, attribute, value)
    if link is not None and link.sub != target.sub:
        raise AliasExistsException("The SourceUser is already linked to another user.")
    links = await ctx.store.federated_identities_of(pool.id, target.sub)
    if link is None and len(links) >= MAX_LINKS:
        raise LimitExceededException(
            f"A user can be linked to at most {MAX_LINKS} federated identities."
        )
    now = ctx.clock()
    async with ctx.store.transaction() as tx:
        link = FederatedIdentity(pool.id, name, attribute, value, target.sub, now)
        await tx.put_federated_identity(link)
        if attribute == users.SUBJECT:
            entries = users.identities_of(target)
            if not any(e.get("providerName") == name and e.get("userId") == value for e in entries):
                entries.append(users.identity_entry(provider, value, None, now, False))
                users.set_identities(target, entries)
                target.modified = now
                await tx.put_user(target)


async def admin_disable_provider_for_user(
    ctx: Context, pool: UserPool, spec: dict[str, Any]
) -> None:
    name = spec.get("ProviderName") or ""
    attribute = spec.get("ProviderAttributeName") or ""
    value = spec.get("ProviderAttributeValue") or ""
    if name.lower() == "cognito":
        # Poolgate does not keep a native user from password sign-in this way; refuse
        # rather than answer success and change nothing (AdminDisableUser does).
        raise InvalidParameterException(
            "Disabling the Cognito provider of a native user is not supported; use "
            "AdminDisableUser."
        )
    provider = await providers.require_provider(ctx, pool.id, name)
    link = await ctx.store.get_federated_identity(pool.id, name, attribute, value)
    if link is None:
        raise UserNotFoundException("User does not exist.")
    user = await ctx.store.get_user_by_sub(pool.id, link.sub)
    if user is None:
        raise UserNotFoundException("User does not exist.")
    now = ctx.clock()
    own = user.status == users.EXTERNAL_PROVIDER and user.username == users.username_for(
        provider, value
    )
    async with ctx.store.transaction() as tx:
        if own:
            # The federated user's own identity: that user can no longer sign in.
            user.enabled = False
            user.modified = now
            await tx.put_user(user)
            await tx.revoke_user_tokens(pool.id, user.sub, now)
            return
        await tx.delete_federated_identity(pool.id, name, attribute, value)
        entries = [
            e
            for e in users.identities_of(user)
            if not (e.get("providerName") == name and e.get("userId") == value)
        ]
        users.set_identities(user, entries)
        user.modified = now
        await tx.put_user(user)
