"""The gateway app in process (httpx's ASGI transport) in front of a real identity
provider: real tokens and JWKS over HTTP, a stand-in function runtime and a clock the
test moves, so a Poolgate token can be seen expiring without waiting an hour."""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from starlette.applications import Starlette

from poolgate.config import Settings
from poolgate.core.context import Context
from poolgate.crypto.sealing import Sealer
from poolgate.functions.runtime import Invocation
from poolgate.functions.spec import FunctionSpec
from poolgate.gateway.app import Gateway, create_gateway_app
from poolgate.gateway.config import parse
from poolgate.store.base import Store
from tests.api.helpers import STRONG, client, email_pool
from tests.api.test_sign_in import confirmed_user
from tests.conftest import Server


class FakeRuntime:
    """Answers every invocation with the event it got."""

    def __init__(self) -> None:
        self.registered: list[FunctionSpec] = []
        self.events: list[Any] = []

    def register(self, spec: FunctionSpec) -> None:
        self.registered.append(spec)

    async def invoke(self, name: str, event: Any, *, request_id: str | None = None) -> Invocation:
        self.events.append(event)
        result = {"statusCode": 200, "body": json.dumps(event)}
        return Invocation(request_id or "", result, 1.0, [])

    async def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
async def setup(
    server: Server, cognito: Any, tmp_path: Path
) -> AsyncIterator[tuple[Starlette, Gateway, Clock, str, FakeRuntime]]:
    pool = email_pool(cognito)["Id"]
    web = client(cognito, pool)["ClientId"]
    address = confirmed_user(cognito, pool)
    id_token = cognito.initiate_auth(
        ClientId=web,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
    )["AuthenticationResult"]["IdToken"]
    (tmp_path / "fn").mkdir()
    config = parse(
        {
            "functions": [{"name": "echo", "code_dir": "fn", "handler": "app.handler"}],
            "apis": [
                {
                    "name": "api",
                    "stage": "dev",
                    # A pool id: resolved without reading the store. The stand-in store
                    # below knows no users, so revocation is not asked of it.
                    "authorizers": [
                        {
                            "name": "c",
                            "type": "COGNITO_USER_POOLS",
                            "user_pool": pool,
                            "check_revocation": False,
                        }
                    ],
                    "routes": [
                        {"method": "GET", "path": "/me", "function": "echo", "authorizer": "c"}
                    ],
                }
            ],
        },
        tmp_path,
    )

    class PoolStore:
        async def get_pool(self, pool_id: str) -> Any:
            return type("Pool", (), {"id": pool_id})() if pool_id == pool else None

        async def close(self) -> None:
            pass

    ctx = Context(store=cast(Store, PoolStore()), sealer=Sealer(os.urandom(32)))

    clock = Clock()
    runtime = FakeRuntime()
    app = create_gateway_app(
        config,
        Settings(public_url=server.url, data_dir=tmp_path),
        runtime=runtime,
        context=lambda: ctx,
        clock=clock,
    )
    gateway: Gateway = app.state.gateway
    await gateway.start()
    try:
        yield app, gateway, clock, id_token, runtime
    finally:
        await gateway.stop()


async def test_a_poolgate_token_expires_at_the_gateway(
    setup: tuple[Starlette, Gateway, Clock, str, FakeRuntime],
) -> None:
    app, gateway, clock, id_token, runtime = setup
    assert [spec.name for spec in runtime.registered] == ["echo"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        for _ in range(3):
            response = await http.get("/dev/me", headers={"Authorization": id_token})
            assert response.status_code == 200
        authorizer = next(iter(gateway.authorizers.values()))
        assert authorizer.verifications == 1  # the cache answered the other two
        event = runtime.events[-1]
        assert event["requestContext"]["authorizer"]["claims"]["token_use"] == "id"
        clock.offset = 3601  # id tokens last an hour
        response = await http.get("/dev/me", headers={"Authorization": id_token})
        assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})
        assert len(runtime.events) == 3
