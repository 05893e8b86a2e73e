"""Migrations, on SQLite and a real PostgreSQL server.

For every revision: a database migrated to exactly that revision, rows written with
raw SQL in that revision's shape, then the upgrade the server runs at start; the rows
must read back through the store with their values, and the columns added since with
their defaults. And the schema Alembic builds must be the one ``store/schema.py``
describes, whichever revision a database started from: the queries are written
against schema.py, the database is what the migrations made.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from poolgate.config import normalize_database_url
from poolgate.store import migrate
from poolgate.store.records import (
    AppClient,
    AuthorizationCode,
    Code,
    Group,
    Message,
    PoolDomain,
    RefreshToken,
    ResourceServer,
    SigningKey,
    UICustomization,
    User,
    UserPool,
)
from poolgate.store.schema import metadata
from poolgate.store.sql import SqlStore
from poolgate.store.sql_base import Engine, make_engine
from tests.conftest import PG_DSN
from tests.store.recording import open_store

REVISIONS = [
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006_cluster",
    "0007_security",
    "0008_federation",
    "0009_mfa",
    "0010_triggers",
    "0011_console",
]
TRIGGERS = REVISIONS.index("0010_triggers")
CONSOLE = REVISIONS.index("0011_console")
POOL = "us-east-1_MMMMMMMMM"
SUB = "5f0e9c1a-3c7e-4d6a-9a41-0d4c2f6e8b10"


@pytest.fixture
async def fresh_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of its own (the migration tests must start from nothing)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"poolgate_migrations_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_DSN, timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield normalize_database_url(f"{PG_DSN.rsplit('/', 1)[0]}/{name}")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _upgrade_to(conn: sa.Connection, revision: str) -> None:
    # As store.migrate runs Alembic (an open connection handed to env.py), but stopping
    # at ``revision`` instead of the head.
    config = Config()
    config.set_main_option("script_location", str(Path(migrate.__file__).parent / "migrations"))
    config.attributes["connection"] = conn
    command.upgrade(config, revision)


async def upgrade_to(engine: Engine, revision: str) -> None:
    async with engine.connect() as conn:
        await conn.run_sync(_upgrade_to, revision)
        await conn.commit()


async def execute(engine: Engine, statements: list[tuple[str, dict[str, Any]]]) -> None:
    async with engine.connect() as conn:
        for sql, params in statements:
            await conn.execute(text(sql), params)
        await conn.commit()


def _insert(table: str, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    columns = ", ".join(f'"{name}"' for name in row)
    values = ", ".join(f":{name}" for name in row)
    return f"INSERT INTO {table} ({columns}) VALUES ({values})", row


def rows_at(revision: str) -> list[tuple[str, dict[str, Any]]]:
    """Representative rows for the tables as they were at ``revision``."""
    at = REVISIONS.index(revision)
    rows = [
        _insert(
            "user_pools",
            {
                "id": POOL,
                "name": "migrated",
                "arn": f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL}",
                "created": 1.5,
                "modified": 2.5,
                "settings": '{"Policies": {"PasswordPolicy": {"MinimumLength": 12}}}',
                "tags": '{"team": "travel"}',
            },
        ),
        _insert(
            "app_clients",
            {
                "id": "m" * 26,
                "pool_id": POOL,
                "name": "web",
                "created": 3.0,
                "modified": 3.0,
                "settings": '{"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}',
                "secret_sealed": b"\x01secret\x00",
            },
        ),
        _insert(
            "pool_domains",
            {"domain": "migrated", "pool_id": POOL, "created": 4.0, "settings": '{"v": 1}'},
        ),
        _insert(
            "signing_keys",
            {
                "kid": "kid-1",
                "pool_id": POOL,
                "use": "access",
                "public_jwk": '{"kid": "kid-1", "kty": "RSA"}',
                "private_sealed": b"\x01private",
                "created": 5.0,
                "status": "retired",
                "retire_after": 99.0,
            },
        ),
    ]
    if at >= 1:  # 0002: users, codes, refresh tokens, outbox
        user_row: dict[str, Any] = {
            "pool_id": POOL,
            "sub": SUB,
            "username": "Migrated",
            "username_key": "migrated",
            "email_key": "m@example.com",
            "phone_key": "+15550100",
            "preferred_username_key": "mig",
            "status": "CONFIRMED",
            "enabled": True,
            "created": 6.0,
            "modified": 6.5,
            "attributes": '{"sub": "' + SUB + '", "email": "m@example.com"}',
            "credential_sealed": b"\x02verifier",
            "state": '{"failures": 2}',
        }
        if at >= 2:
            user_row.update(name_key="mig rated", given_name_key="mig", family_name_key="rated")
        token_row: dict[str, Any] = {
            "token_hash": "t" * 64,
            "pool_id": POOL,
            "client_id": "m" * 26,
            "sub": SUB,
            "origin_jti": "origin-1",
            "auth_time": 1_700_000_000,
            "created": 7.0,
            "expires": 8.0,
            "revoked": None,
        }
        if at >= 3:
            token_row["scope"] = "openid"
        rows += [
            _insert("users", user_row),
            _insert(
                "codes",
                {
                    "pool_id": POOL,
                    "sub": SUB,
                    "purpose": "SIGN_UP",
                    "code_hash": "c" * 64,
                    "created": 9.0,
                    "expires": 10.0,
                    "attempts": 1,
                    "destination": "m***@e***.com",
                },
            ),
            _insert("refresh_tokens", token_row),
            _insert(
                "outbox",
                {
                    "pool_id": POOL,
                    "username": "Migrated",
                    "channel": "EMAIL",
                    "recipient": "m@example.com",
                    "subject": "Your code",
                    "body": "Your code is 123456",
                    "purpose": "SIGN_UP",
                    "created": 11.0,
                },
            ),
        ]
    if at >= 2:  # 0003: groups and memberships
        rows += [
            _insert(
                "groups",
                {
                    "pool_id": POOL,
                    "name": "staff",
                    "description": "the staff",
                    "precedence": 3,
                    "role_arn": None,
                    "created": 12.0,
                    "modified": 12.0,
                },
            ),
            _insert(
                "user_groups", {"pool_id": POOL, "group_name": "staff", "sub": SUB, "added": 13.0}
            ),
        ]
    if at >= 3:  # 0004: resource servers, UI customization, authorization codes
        rows += [
            _insert(
                "resource_servers",
                {
                    "pool_id": POOL,
                    "identifier": "https://api.example.com",
                    "name": "API",
                    "scopes": '[{"ScopeName": "read", "ScopeDescription": "Read"}]',
                    "created": 14.0,
                    "modified": 14.0,
                },
            ),
            _insert(
                "ui_customizations",
                {
                    "pool_id": POOL,
                    "client_id": "ALL",
                    "css": ".banner-customizable { color: red; }",
                    "image": b"\x89PNG",
                    "image_type": "image/png",
                    "version": "20250101000000",
                    "created": 15.0,
                    "modified": 15.0,
                },
            ),
            _insert(
                "authorization_codes",
                {
                    "code_hash": "a" * 64,
                    "pool_id": POOL,
                    "client_id": "m" * 26,
                    "sub": SUB,
                    "grant": '{"redirect_uri": "https://app.example.com/cb", "scope": "openid"}',
                    "created": 16.0,
                    "expires": 17.0,
                    "used": None,
                },
            ),
        ]
    if at >= 4:  # 0005: the configuration counter has moved on
        rows.append(("UPDATE config_version SET version = 7 WHERE id = 1", {}))
    if at >= 5:  # 0006: the deployment's shared facts
        rows.append(_insert("deployment", {"name": "probe", "value": "v1", "modified": 18.0}))
    if at >= 6:  # 0007: throttle counters and the audit trail
        rows += [
            _insert(
                "throttle_counters",
                {
                    "scope": "ip",
                    "subject": "198.51.100.7",
                    "bucket": 3,
                    "count": 4,
                    "expires": 1e12,
                },
            ),
            _insert(
                "auth_events",
                {
                    "event_id": "e" * 36,
                    "pool_id": POOL,
                    "sub": SUB,
                    "event_type": "SignIn",
                    "outcome": "Pass",
                    "created": 19.0,
                    "client_id": "m" * 26,
                    "source_ip": "198.51.100.7",
                    "request_id": "req-1",
                    "user_agent": "boto3",
                    "actor": None,
                    "details": '{"flow": "USER_SRP_AUTH"}',
                    "feedback": None,
                },
            ),
        ]
    if at >= 7:  # 0008: an identity provider and a federated identity
        rows += [
            _insert(
                "identity_providers",
                {
                    "pool_id": POOL,
                    "name": "Staff",
                    "type": "OIDC",
                    "details": '{"client_id": "staff", "oidc_issuer": "https://idp.example.com"}',
                    "attribute_mapping": '{"email": "email"}',
                    "idp_identifiers": '["staff"]',
                    "secrets_sealed": b"\x03secret",
                    "created": 21.0,
                    "modified": 21.5,
                },
            ),
            _insert(
                "federated_identities",
                {
                    "pool_id": POOL,
                    "provider_name": "Staff",
                    "attribute_name": "Cognito_Subject",
                    "attribute_value": "staff-42",
                    "sub": SUB,
                    "created": 22.0,
                },
            ),
        ]
    if at >= 8:  # 0009: a remembered device
        rows.append(
            _insert(
                "devices",
                {
                    "device_key": "us-east-1_d1",
                    "pool_id": POOL,
                    "sub": SUB,
                    "group_key": "g1",
                    "attributes": '{"device_name": "laptop"}',
                    "verifier_sealed": None,
                    "created": 23.0,
                    "modified": 23.0,
                    "last_authenticated": None,
                },
            )
        )
    if at >= TRIGGERS:  # 0010: a custom authentication session already answered
        rows.append(_insert("spent_sessions", {"session_id": "spent-1", "expires": 1e12}))
    if at >= CONSOLE:  # 0011: a rotated key that starts signing later
        rows.append(
            _insert(
                "signing_keys",
                {
                    "kid": "kid-2",
                    "pool_id": POOL,
                    "use": "access",
                    "public_jwk": '{"kid": "kid-2", "kty": "RSA"}',
                    "private_sealed": b"\x01private2",
                    "created": 30.0,
                    "status": "active",
                    "retire_after": None,
                    "signs_from": 90.0,
                },
            )
        )
    return rows


def _schema_differences(conn: sa.Connection, target: sa.MetaData) -> list[Any]:
    """What tells the migrated schema from ``target``: Alembic's comparison (tables,
    columns, types, nullability, server defaults, indexes, unique constraints, foreign
    keys with their ON DELETE), and what it leaves out but the store relies on: the
    byte-wise collation of the lookup keys on PostgreSQL (ListUsers' ``^=``)."""
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": True}
    )
    differences: list[Any] = list(compare_metadata(context, target))
    inspector = sa.inspect(conn)
    for table in target.sorted_tables:
        reflected = {column["name"]: column for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in reflected:
                continue  # compare_metadata reported it
            declared = getattr(column.type.dialect_impl(conn.dialect), "collation", None)
            found = getattr(reflected[column.name]["type"], "collation", None)
            if declared != found:
                differences.append(("collation", table.name, column.name, declared, found))
    return differences


async def schema_differences(engine: Engine, target: sa.MetaData = metadata) -> list[Any]:
    async with engine.connect() as conn:
        return await conn.run_sync(_schema_differences, target)


@pytest.mark.parametrize("revision", REVISIONS)
async def test_rows_written_at_a_revision_survive_the_upgrade(
    backend: str, fresh_url: str, revision: str
) -> None:
    engine = make_engine(fresh_url)
    try:
        await upgrade_to(engine, revision)
        assert await migrate.current_revision(engine) == revision
        await execute(engine, rows_at(revision))
        # What the server does at start.
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.HEAD_REVISION
        assert await schema_differences(engine) == []
        async with engine.connect() as conn:
            counter = (await conn.execute(text("SELECT id, version FROM config_version"))).all()
    finally:
        await engine.dispose()
    # The counter's one row: created by 0005 with 0, or kept as it was.
    assert [tuple(row) for row in counter] == [(1, 7 if revision >= "0005" else 0)]

    store = await SqlStore.open(fresh_url)
    try:
        await check_rows(store, revision)
    finally:
        await store.close()


async def check_rows(store: SqlStore, revision: str) -> None:
    at = REVISIONS.index(revision)
    assert await store.get_pool(POOL) == UserPool(
        id=POOL,
        name="migrated",
        arn=f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL}",
        created=1.5,
        modified=2.5,
        settings={"Policies": {"PasswordPolicy": {"MinimumLength": 12}}},
        tags={"team": "travel"},
    )
    assert await store.get_client("m" * 26) == AppClient(
        id="m" * 26,
        pool_id=POOL,
        name="web",
        created=3.0,
        modified=3.0,
        settings={"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]},
        secret_sealed=b"\x01secret\x00",
    )
    assert await store.get_domain("migrated") == PoolDomain(
        domain="migrated", pool_id=POOL, created=4.0, settings={"v": 1}
    )
    assert await store.list_signing_keys(POOL) == [
        SigningKey(
            kid="kid-1",
            pool_id=POOL,
            use="access",
            public_jwk={"kid": "kid-1", "kty": "RSA"},
            private_sealed=b"\x01private",
            created=5.0,
            status="retired",
            retire_after=99.0,
        )
    ] + (
        [
            SigningKey(
                kid="kid-2",
                pool_id=POOL,
                use="access",
                public_jwk={"kid": "kid-2", "kty": "RSA"},
                private_sealed=b"\x01private2",
                created=30.0,
                status="active",
                signs_from=90.0,
            )
        ]
        if at >= CONSOLE
        else []
    )
    if at < 1:
        return

    migrated = User(
        pool_id=POOL,
        username="Migrated",
        sub=SUB,
        status="CONFIRMED",
        enabled=True,
        created=6.0,
        modified=6.5,
        attributes={"sub": SUB, "email": "m@example.com"},
        credential_sealed=b"\x02verifier",
        state={"failures": 2},
        username_key="migrated",
        email_key="m@example.com",
        phone_key="+15550100",
        preferred_username_key="mig",
        # Added by 0003: empty for users from before it.
        name_key="mig rated" if at >= 2 else None,
        given_name_key="mig" if at >= 2 else None,
        family_name_key="rated" if at >= 2 else None,
    )
    assert await store.get_user(POOL, "migrated") == migrated
    assert await store.get_user_by_sub(POOL, SUB) == migrated
    # The lookup keys now sort and match byte-wise (0003 on PostgreSQL).
    for field, prefix in (("username", "mig"), ("email", "m@"), ("preferred_username", "mi")):
        found = await store.list_users(
            POOL, field=field, value=prefix, prefix=True, limit=10, after=None
        )
        assert [user.sub for user, _ in found] == [SUB]
    assert await store.get_code(POOL, SUB, "SIGN_UP") == Code(
        pool_id=POOL,
        sub=SUB,
        purpose="SIGN_UP",
        code_hash="c" * 64,
        created=9.0,
        expires=10.0,
        attempts=1,
        destination="m***@e***.com",
    )
    assert await store.get_refresh_token("t" * 64) == RefreshToken(
        token_hash="t" * 64,
        pool_id=POOL,
        client_id="m" * 26,
        sub=SUB,
        origin_jti="origin-1",
        auth_time=1_700_000_000,
        created=7.0,
        expires=8.0,
        # Added by 0004: None (the API's scope) for tokens from before it.
        scope="openid" if at >= 3 else None,
    )
    messages = await store.list_messages(recipient="m@example.com")
    assert [(m.body, m.created, m.username) for m in messages] == [
        ("Your code is 123456", 11.0, "Migrated")
    ]
    # The outbox's numbering carries on after the migrated message.
    new_id = await store.add_message(
        Message(channel="SMS", recipient="+15550100", subject="", body="b", created=20.0)
    )
    assert messages[0].id is not None and new_id > messages[0].id

    if at >= 2:
        assert await store.get_group(POOL, "staff") == Group(
            pool_id=POOL,
            name="staff",
            created=12.0,
            modified=12.0,
            description="the staff",
            precedence=3,
        )
        assert await store.list_users_in_group(POOL, "staff", 10, None) == [migrated]
    else:
        assert await store.list_groups(POOL, 10, None) == []
    if at >= 3:
        assert await store.get_resource_server(POOL, "https://api.example.com") == ResourceServer(
            pool_id=POOL,
            identifier="https://api.example.com",
            name="API",
            scopes=[{"ScopeName": "read", "ScopeDescription": "Read"}],
            created=14.0,
            modified=14.0,
        )
        assert await store.get_ui_customization(POOL, "ALL") == UICustomization(
            pool_id=POOL,
            client_id="ALL",
            version="20250101000000",
            created=15.0,
            modified=15.0,
            css=".banner-customizable { color: red; }",
            image=b"\x89PNG",
            image_type="image/png",
        )
        assert await store.consume_authorization_code("a" * 64, 16.5) == (
            AuthorizationCode(
                code_hash="a" * 64,
                pool_id=POOL,
                client_id="m" * 26,
                sub=SUB,
                grant={"redirect_uri": "https://app.example.com/cb", "scope": "openid"},
                created=16.0,
                expires=17.0,
                used=16.5,
            ),
            True,
        )
    # Messages written before 0007 get an expiry, after which the outbox masks them.
    assert messages[0].expires == (11.0 + 604800 if at < 6 else None)
    if at >= 5:
        assert await store.get_deployment_value("probe") == "v1"
    if at >= 6:
        assert await store.read_counter_row("ip", "198.51.100.7", 3) == (4, 1e12)
        event = await store.get_auth_event(POOL, "e" * 36)
        assert event is not None and (event.event_type, event.sub, event.details) == (
            "SignIn",
            SUB,
            {"flow": "USER_SRP_AUTH"},
        )
    if at >= 7:
        provider = await store.get_identity_provider(POOL, "Staff")
        assert provider is not None and provider.details == {
            "client_id": "staff",
            "oidc_issuer": "https://idp.example.com",
        }
        assert provider.secrets_sealed == b"\x03secret"
        linked = await store.get_federated_identity(POOL, "Staff", "Cognito_Subject", "staff-42")
        assert linked is not None and linked.sub == SUB
    if at >= 8:
        device = await store.get_device(POOL, SUB, "us-east-1_d1")
        assert device is not None and device.attributes == {"device_name": "laptop"}
    if at >= TRIGGERS:
        # Spent before the upgrade: still spent (a replay is refused) after it.
        assert await store.spend_session("spent-1", 1e12, 100.0) is False
    assert await store.spend_session("fresh-1", 1e12, 100.0) is True
    # And the migrated database takes new writes of every new column.
    newer = User(
        pool_id=POOL,
        username="newer",
        sub="6f0e9c1a-3c7e-4d6a-9a41-0d4c2f6e8b11",
        status="CONFIRMED",
        enabled=False,
        created=21.0,
        modified=21.0,
        attributes={},
        username_key="newer",
        name_key="n",
        given_name_key="n",
        family_name_key="n",
    )
    await store.create_user(newer)
    assert await store.get_user(POOL, "newer") == newer


async def test_the_schema_module_matches_the_migrated_head(backend: str, fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    try:
        await migrate.upgrade(engine)
        assert await schema_differences(engine) == []
        # The comparison sees a difference when there is one, including those Alembic
        # leaves out.
        changed = sa.MetaData()
        for table in metadata.sorted_tables:
            table.to_metadata(changed)
        users = changed.tables["users"]
        users.append_column(sa.Column("nickname_key", sa.String(64)))
        users.c.username_key.type = sa.String(128)  # the "C" collation forgotten
        changed.tables["codes"].c.attempts.nullable = True
        next(iter(changed.tables["app_clients"].foreign_key_constraints)).ondelete = None
        differences = await schema_differences(engine, changed)
        kinds = sorted(d[0] if isinstance(d, tuple) else d[0][0] for d in differences)
        collation = ["collation"] if backend == "postgresql" else []
        assert kinds == sorted(["add_column", "add_fk", "remove_fk", "modify_nullable", *collation])
    finally:
        await engine.dispose()


async def test_migrating_twice_is_a_no_op_and_an_unknown_schema_is_refused(
    backend: str, fresh_url: str
) -> None:
    engine = make_engine(fresh_url)
    try:
        await migrate.upgrade(engine)
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        await execute(engine, [("UPDATE alembic_version SET version_num = 'future9999'", {})])
        with pytest.raises(migrate.UnknownSchemaError, match="does not know"):
            await open_store(backend, fresh_url)
        with pytest.raises(migrate.UnknownSchemaError, match="does not know"):
            await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def test_a_store_opened_without_migrating_wants_the_head(
    backend: str, fresh_url: str
) -> None:
    with pytest.raises(migrate.UnknownSchemaError, match="poolgate db upgrade"):
        await open_store(backend, fresh_url, migrate_schema=False)
    engine = make_engine(fresh_url)
    try:
        await upgrade_to(engine, "0004")
    finally:
        await engine.dispose()
    expected = f"'0004', expected '{migrate.HEAD_REVISION}'"
    with pytest.raises(migrate.UnknownSchemaError, match=expected):
        await open_store(backend, fresh_url, migrate_schema=False)
    # Migrating on open brings it to the head, after which either way opens it.
    store = await open_store(backend, fresh_url)
    await store.close()
    store = await open_store(backend, fresh_url, migrate_schema=False)
    try:
        assert await store.list_pools(10, None) == []
    finally:
        await store.close()


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    # The start-up fast path trusts HEAD_REVISION instead of importing Alembic.
    assert migrate.head_revision() == migrate.HEAD_REVISION


def test_every_revision_has_its_rows_in_this_module() -> None:
    # A new migration needs its rows in ``rows_at`` and its checks in ``check_rows``.
    scripts = ScriptDirectory(str(Path(migrate.__file__).parent / "migrations"))
    assert [script.revision for script in scripts.walk_revisions()][::-1] == REVISIONS
