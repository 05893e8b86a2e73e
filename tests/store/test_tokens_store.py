"""Refresh tokens and their revocation (RevokeToken, GlobalSignOut,
AdminUserGlobalSignOut, the revocation check of every self-service call): the store
contract on SQLite and a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from poolgate.store.base import Conflict
from poolgate.store.records import AuthEvent, Group
from poolgate.store.sql import SqlStore
from tests.store.factories import OTHER_POOL, POOL, pool, refresh_token, user

ALICE = user("alice")
BOB = user("bob")
ALICE_ELSEWHERE = user("alice", pool_id=OTHER_POOL)


@pytest.fixture
async def ready(store: SqlStore) -> SqlStore:
    await store.create_pool(pool(), [])
    await store.create_pool(pool(OTHER_POOL), [])
    for u in (ALICE, BOB, ALICE_ELSEWHERE):
        await store.create_user(u)
    return store


async def test_refresh_token_round_trip(ready: SqlStore) -> None:
    oauth = refresh_token("h1", ALICE.sub, "origin-1")
    api = refresh_token("h2", ALICE.sub, "origin-2", scope=None, auth_time=5, expires=6.5)
    await ready.add_refresh_token(oauth)
    await ready.add_refresh_token(api)
    assert await ready.get_refresh_token("h1") == oauth
    assert await ready.get_refresh_token("h2") == api
    assert await ready.get_refresh_token("h3") is None
    stored = await ready.get_refresh_token("h1")
    assert stored is not None and stored.revoked is None


async def test_refresh_token_its_user_and_groups_in_one_read(ready: SqlStore) -> None:
    await ready.add_refresh_token(refresh_token("h1", ALICE.sub, "origin-1"))
    # ALICE_ELSEWHERE has the same sub in another pool: the token's pool decides.
    stored, owner, found = await ready.get_refresh_token_with_user("h1")
    assert stored == refresh_token("h1", ALICE.sub, "origin-1")
    assert owner == await ready.get_user_by_sub(POOL, ALICE.sub)
    assert owner is not None and owner.pool_id == POOL
    assert found == []
    assert await ready.get_refresh_token_with_user("h3") == (None, None, [])

    admins = Group(
        pool_id=POOL, name="admins", created=1.0, modified=2.0, description="the admins",
        precedence=1, role_arn="arn:aws:iam::123456789012:role/admin",
    )  # fmt: skip
    bare = Group(pool_id=POOL, name="bare", created=3.0, modified=3.0)
    elsewhere = Group(pool_id=OTHER_POOL, name="admins", created=1.0, modified=1.0)
    for group in (bare, admins):
        await ready.create_group(group)
        await ready.add_user_to_group(POOL, group.name, ALICE.sub, 4.0)
    await ready.create_group(elsewhere)
    await ready.add_user_to_group(OTHER_POOL, "admins", ALICE_ELSEWHERE.sub, 4.0)
    await ready.create_group(Group(pool_id=POOL, name="others", created=1.0, modified=1.0))
    await ready.add_user_to_group(POOL, "others", BOB.sub, 4.0)
    stored, owner, found = await ready.get_refresh_token_with_user("h1")
    assert stored == refresh_token("h1", ALICE.sub, "origin-1") and owner is not None
    assert found == [admins, bare] == await ready.groups_for_token(POOL, ALICE.sub)


async def test_a_refresh_token_goes_with_its_user(ready: SqlStore) -> None:
    await ready.add_refresh_token(refresh_token("h1", BOB.sub, "origin-1"))
    await ready.delete_user(POOL, BOB.sub)
    assert await ready.get_refresh_token_with_user("h1") == (None, None, [])


async def test_a_sign_in_stores_its_tokens_and_its_event_together(ready: SqlStore) -> None:
    event = AuthEvent(
        event_id="e1", event_type="SignIn", outcome="Pass", created=5.0, pool_id=POOL,
        sub=ALICE.sub, client_id="c1", source_ip=None, request_id=None, user_agent=None,
        details={"flow": "USER_PASSWORD_AUTH"},
    )  # fmt: skip
    token = refresh_token("h1", ALICE.sub, "origin-1")
    await ready.add_sign_in([token], event)
    assert await ready.get_refresh_token("h1") == token
    assert await ready.get_auth_event(POOL, "e1") == event
    # Together: a token that cannot be stored (its user is gone) leaves no event either.
    gone = refresh_token("h2", "00000000-0000-4000-8000-0000000000ff", "o")
    with pytest.raises(Conflict):
        await ready.add_sign_in([gone], replace(event, event_id="e2"))
    assert await ready.get_auth_event(POOL, "e2") is None
    # And an event that cannot be stored (its id is taken) leaves no token.
    with pytest.raises(Conflict):
        await ready.add_sign_in([refresh_token("h3", ALICE.sub, "origin-3")], event)
    assert await ready.get_refresh_token("h3") is None
    # Without a refresh token (a sign-in that asked for none), the event alone.
    await ready.add_sign_in([], replace(event, event_id="e4"))
    assert await ready.get_auth_event(POOL, "e4") == replace(event, event_id="e4")
    # Inside a transaction (PostgreSQL: through SQLAlchemy, not the driver), the same.
    async with ready.transaction() as tx:
        await tx.add_sign_in([refresh_token("h5", ALICE.sub, "o5")], replace(event, event_id="e5"))
    assert await ready.get_refresh_token("h5") == refresh_token("h5", ALICE.sub, "o5")
    assert await ready.get_auth_event(POOL, "e5") == replace(event, event_id="e5")


async def test_refresh_token_conflicts(ready: SqlStore) -> None:
    await ready.add_refresh_token(refresh_token("h1", ALICE.sub, "origin-1"))
    with pytest.raises(Conflict):
        await ready.add_refresh_token(refresh_token("h1", BOB.sub, "origin-2"))
    assert await ready.get_refresh_token("h1") == refresh_token("h1", ALICE.sub, "origin-1")
    # A token needs its user: one deleted meanwhile refuses it, on both backends alike.
    with pytest.raises(Conflict):
        await ready.add_refresh_token(
            refresh_token("h9", "00000000-0000-4000-8000-0000000000ff", "o")
        )
    assert await ready.get_refresh_token("h9") is None


async def test_tokens_of_an_origin(ready: SqlStore) -> None:
    await ready.add_refresh_token(refresh_token("h1", ALICE.sub, "origin-1"))
    await ready.add_refresh_token(refresh_token("h2", ALICE.sub, "origin-1", created=5.0))
    await ready.add_refresh_token(refresh_token("h3", ALICE.sub, "origin-2"))
    family = await ready.refresh_tokens_of_origin("origin-1")
    assert sorted(family, key=lambda t: t.token_hash) == [
        refresh_token("h1", ALICE.sub, "origin-1"),
        refresh_token("h2", ALICE.sub, "origin-1", created=5.0),
    ]
    assert await ready.refresh_tokens_of_origin("origin-9") == []


async def test_revoke_one_token(ready: SqlStore) -> None:
    await ready.add_refresh_token(refresh_token("h1", ALICE.sub, "origin-1"))
    await ready.add_refresh_token(refresh_token("h2", ALICE.sub, "origin-2"))
    assert await ready.origin_revoked("origin-1") is False

    await ready.revoke_refresh_token("h1", 1234.5)
    assert await ready.get_refresh_token("h1") == refresh_token(
        "h1", ALICE.sub, "origin-1", revoked=1234.5
    )
    assert await ready.origin_revoked("origin-1") is True
    # Revoking again keeps the first revocation's time; unknown tokens are no error.
    await ready.revoke_refresh_token("h1", 9999.0)
    stored = await ready.get_refresh_token("h1")
    assert stored is not None and stored.revoked == 1234.5
    await ready.revoke_refresh_token("nope", 1.0)
    # The other token and its origin are untouched.
    assert await ready.origin_revoked("origin-2") is False
    assert await ready.origin_revoked("origin-9") is False
    stored = await ready.get_refresh_token("h2")
    assert stored is not None and stored.revoked is None


async def test_revoking_any_token_of_an_origin_revokes_the_origin(ready: SqlStore) -> None:
    """Tokens minted from one sign-in share its ``origin_jti``; once one of them is
    revoked, the access tokens of that origin are, whichever token that was."""
    for token_hash in ("h1", "h2", "h3"):
        await ready.add_refresh_token(refresh_token(token_hash, ALICE.sub, "origin-1"))
    await ready.revoke_refresh_token("h3", 50.0)
    assert await ready.origin_revoked("origin-1") is True
    user_, revoked = await ready.get_user_for_token(POOL, ALICE.sub, "origin-1")
    assert (user_, revoked) == (ALICE, True)
    # The same answer when the user is gone from the pool asked about.
    assert await ready.get_user_for_token(
        POOL, "00000000-0000-4000-8000-000000000000", "origin-1"
    ) == (
        None,
        True,
    )


async def test_global_sign_out_revokes_the_users_tokens_only(ready: SqlStore) -> None:
    await ready.add_refresh_token(refresh_token("a1", ALICE.sub, "oa1"))
    await ready.add_refresh_token(refresh_token("a2", ALICE.sub, "oa2", client_id="x" * 26))
    await ready.add_refresh_token(refresh_token("a3", ALICE.sub, "oa3", revoked=7.0))
    await ready.add_refresh_token(refresh_token("b1", BOB.sub, "ob1"))
    await ready.add_refresh_token(
        refresh_token("e1", ALICE_ELSEWHERE.sub, "oe1", pool_id=OTHER_POOL)
    )
    # Two live tokens revoked; the one revoked before keeps its time.
    assert await ready.revoke_user_tokens(POOL, ALICE.sub, 100.0) == 2
    assert await ready.revoke_user_tokens(POOL, ALICE.sub, 200.0) == 0
    revoked = {h: (await ready.get_refresh_token(h)) for h in ("a1", "a2", "a3", "b1", "e1")}
    assert {h: t.revoked if t else "missing" for h, t in revoked.items()} == {
        "a1": 100.0,
        "a2": 100.0,
        "a3": 7.0,
        "b1": None,
        "e1": None,
    }
    assert revoked["a2"] == refresh_token("a2", ALICE.sub, "oa2", client_id="x" * 26, revoked=100.0)
    assert [await ready.origin_revoked(o) for o in ("oa1", "oa2", "ob1", "oe1")] == [
        True,
        True,
        False,
        False,
    ]
    assert await ready.revoke_user_tokens(POOL, "00000000-0000-4000-8000-000000000000", 1.0) == 0


async def test_user_for_token(ready: SqlStore) -> None:
    await ready.add_refresh_token(refresh_token("h1", ALICE.sub, "origin-1"))
    assert await ready.get_user_for_token(POOL, ALICE.sub, "origin-1") == (ALICE, False)
    # An access token without a stored refresh token (none was asked for): not revoked.
    assert await ready.get_user_for_token(POOL, ALICE.sub, "no-refresh") == (ALICE, False)
    assert await ready.get_user_for_token(POOL, ALICE.sub, "") == (ALICE, False)
    # The user as stored now, not as at sign-in.
    disabled = replace(ALICE, enabled=False, modified=50.0)
    await ready.put_user(disabled)
    assert await ready.get_user_for_token(POOL, ALICE.sub, "origin-1") == (disabled, False)
    # Unknown user (or another pool's sub).
    assert await ready.get_user_for_token(POOL, ALICE_ELSEWHERE.sub, "origin-1") == (None, False)

    await ready.revoke_user_tokens(POOL, ALICE.sub, 60.0)
    assert await ready.get_user_for_token(POOL, ALICE.sub, "origin-1") == (disabled, True)
    assert await ready.get_user_for_token(OTHER_POOL, ALICE_ELSEWHERE.sub, "origin-1") == (
        ALICE_ELSEWHERE,
        True,
    )
    # Deleting the user deletes its tokens too.
    assert await ready.delete_user(POOL, ALICE.sub)
    assert await ready.get_user_for_token(POOL, ALICE.sub, "origin-1") == (None, False)
    assert await ready.refresh_tokens_of_origin("origin-1") == []
