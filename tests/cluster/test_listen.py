"""Two nodes on one PostgreSQL database: a configuration change made through one is
obeyed by the other within a second, even right after an administrator terminated
every Poolgate connection (the LISTEN session comes back, and until it does the
node reads through its cache)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import STRONG
from tests.conftest import PG_DSN, Server, _pg, cognito_client


@pytest.fixture
def two_nodes(tmp_path: Path) -> Iterator[tuple[Server, Server, str]]:
    name = f"poolgate_listen_{secrets.token_hex(4)}"
    _pg(f'CREATE DATABASE "{name}"')
    url = f"{PG_DSN.rsplit('/', 1)[0]}/{name}"
    nodes = [Server(tmp_path / f"node-{i}", url) for i in (1, 2)]
    try:
        for node in nodes:
            node.start()
        yield nodes[0], nodes[1], name
    finally:
        for node in nodes:
            node.stop()
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def terminate_poolgate_sessions(database: str) -> int:
    import asyncio

    async def run() -> int:
        conn = await asyncpg.connect(PG_DSN)
        try:
            rows = await conn.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND application_name = 'poolgate'",
                database,
            )
            return len(rows)
        finally:
            await conn.close()

    return asyncio.run(run())


def listening_sessions(database: str) -> int:
    import asyncio

    async def run() -> int:
        conn = await asyncpg.connect(PG_DSN)
        try:
            value = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
                "AND application_name = 'poolgate' AND query LIKE 'LISTEN%'",
                database,
            )
            return int(value)
        finally:
            await conn.close()

    return asyncio.run(run())


def sign_in(node: Server, client: str) -> dict[str, Any]:
    cognito: Any = cognito_client(node.url)
    return dict(
        cognito.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "listener", "PASSWORD": STRONG},
        )
    )


def refused_within(node: Server, client: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            sign_in(node, client)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "InvalidParameterException"
            assert "USER_PASSWORD_AUTH" in error.response["Error"]["Message"]
            return True
        if time.monotonic() > deadline:
            return False


def test_a_change_through_node_2_reaches_node_1_after_its_connections_died(
    two_nodes: tuple[Server, Server, str],
) -> None:
    node_1, node_2, database = two_nodes
    admin: Any = cognito_client(node_2.url)
    pool = admin.create_user_pool(PoolName="listen")["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = admin.create_user_pool_client(
        UserPoolId=pool, ClientName="c", ExplicitAuthFlows=flows
    )["UserPoolClient"]["ClientId"]
    admin.admin_create_user(UserPoolId=pool, Username="listener", MessageAction="SUPPRESS")
    admin.admin_set_user_password(
        UserPoolId=pool, Username="listener", Password=STRONG, Permanent=True
    )
    for round_ in range(2):
        # Node 1 caches the client while it allows the flow.
        admin.update_user_pool_client(UserPoolId=pool, ClientId=client, ExplicitAuthFlows=flows)
        deadline = time.monotonic() + 5
        while True:
            try:
                assert sign_in(node_1, client)["AuthenticationResult"]["AccessToken"]
                break
            except ClientError:
                assert time.monotonic() < deadline
        assert terminate_poolgate_sessions(database) >= 2  # both nodes' LISTEN at least
        if round_ == 1:
            # The second time, wait until both LISTEN sessions are back first.
            deadline = time.monotonic() + 10
            while listening_sessions(database) < 2:
                assert time.monotonic() < deadline, "the LISTEN sessions did not come back"
                time.sleep(0.05)
        admin.update_user_pool_client(
            UserPoolId=pool, ClientId=client, ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"]
        )
        assert refused_within(node_1, client, 1.0), f"round {round_}: node 1 still allows it"
