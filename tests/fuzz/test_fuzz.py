"""Every implemented operation, fed bounded random requests built from botocore's
shapes (``strategies.py``), signed and unsigned, in process (httpx's ASGI transport
over the whole app, middleware included): none may answer 5xx, and every error must be
one the operation declares (or a wire-level one every operation may answer).

A few thousand examples in all; ``FUZZ_EXAMPLES`` raises the count per operation for a
longer hunt. In CI (``CI=true``) the examples are derandomized, so a run is repeatable.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poolgate.app import create_app
from poolgate.awsjson.model import service_model
from poolgate.awsjson.registry import load_handlers
from poolgate.config import Settings
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET, UNDECLARED_OK
from tests.fuzz.strategies import Shapes

URL = "http://127.0.0.1:9229/"
TARGET = "AWSCognitoIdentityProviderService."
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "45"))
MODEL = service_model()
OPERATIONS = sorted(load_handlers())
PASSWORD = "Fuzz!Pass1234"


# What the examples were answered, printed at the end (``-s``): how deep they got.
OUTCOMES: Counter[str] = Counter()


class Harness:
    """The app, its lifespan entered on a loop of its own, and a seeded pool."""

    def __init__(self, tmp: Path) -> None:
        self.runner = asyncio.Runner()
        self.stack = contextlib.AsyncExitStack()
        settings = Settings(
            data_dir=tmp,
            admin_access_key_id=ADMIN_KEY_ID,
            admin_secret_access_key=ADMIN_SECRET,
            throttle_sign_in_failures_per_address="off",
            throttle_code_sends_per_address="off",
        )
        self.app = create_app(settings)
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=URL)
        self.runner.run(self.stack.enter_async_context(self.app.router.lifespan_context(self.app)))
        self.known: dict[str, list[Any]] = {}

    def seed(self) -> None:
        """A fresh pool, client, user and group for each operation: the previous
        operation's examples may have deleted them."""
        self.runner.run(self._seed())

    async def _seed(self) -> None:
        pool = (await self.call("CreateUserPool", {"PoolName": "fuzz"}))["UserPool"]["Id"]
        client = (
            await self.call(
                "CreateUserPoolClient",
                {
                    "UserPoolId": pool,
                    "ClientName": "web",
                    "ExplicitAuthFlows": [
                        "ALLOW_USER_PASSWORD_AUTH",
                        "ALLOW_USER_SRP_AUTH",
                        "ALLOW_REFRESH_TOKEN_AUTH",
                        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                    ],
                },
            )
        )["UserPoolClient"]["ClientId"]
        await self.call(
            "AdminCreateUser",
            {"UserPoolId": pool, "Username": "fuzzer", "MessageAction": "SUPPRESS"},
        )
        await self.call(
            "AdminSetUserPassword",
            {"UserPoolId": pool, "Username": "fuzzer", "Password": PASSWORD, "Permanent": True},
        )
        tokens = (
            await self.call(
                "InitiateAuth",
                {
                    "ClientId": client,
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": "fuzzer", "PASSWORD": PASSWORD},
                },
            )
        )["AuthenticationResult"]
        await self.call("CreateGroup", {"UserPoolId": pool, "GroupName": "g1"})
        self.known = {
            "UserPoolId": [pool],
            "ClientId": [client],
            "Username": ["fuzzer"],
            "USERNAME": ["fuzzer"],
            "PASSWORD": [PASSWORD],
            "AccessToken": [tokens["AccessToken"]],
            "RefreshToken": [tokens["RefreshToken"]],
            "Token": [tokens["RefreshToken"]],
            "GroupName": ["g1"],
            "Password": [PASSWORD],
            "ProposedPassword": [PASSWORD + "x"],
            "PreviousPassword": [PASSWORD],
        }

    async def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.send(operation, orjson.dumps(body), signed=True)
        assert response.status_code == 200, response.text
        parsed: dict[str, Any] = response.json()
        return parsed

    async def send(self, operation: str, body: bytes, *, signed: bool) -> httpx.Response:
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": TARGET + operation,
        }
        if signed:
            request = AWSRequest(method="POST", url=URL, data=body, headers=headers)
            SigV4Auth(Credentials(ADMIN_KEY_ID, ADMIN_SECRET), "cognito-idp", "us-east-1").add_auth(
                request
            )
            headers = dict(request.headers.items())
        return await self.http.post("/", content=body, headers=headers)

    def close(self) -> None:
        self.runner.run(self.http.aclose())
        self.runner.run(self.stack.aclose())
        self.runner.close()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    opened = Harness(tmp_path_factory.mktemp("fuzz"))
    yield opened
    opened.close()
    total = sum(OUTCOMES.values())
    print(f"\nfuzz: {total} requests, answered:")
    for outcome, count in OUTCOMES.most_common():
        print(f"  {count:6d}  {outcome}")


@pytest.mark.parametrize("name", OPERATIONS)
def test_no_operation_answers_a_server_error(harness: Harness, name: str) -> None:
    operation = MODEL.operation(name)
    assert operation is not None
    harness.seed()
    shapes = Shapes(MODEL.shapes, harness.known)
    declared = operation.errors | UNDECLARED_OK
    # Public operations are called unsigned by their clients; administrative ones mostly
    # signed (to get past SigV4), sometimes not.
    signed = st.just(False) if operation.public else st.sampled_from([True] * 7 + [False])

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=os.environ.get("CI") == "true",
        suppress_health_check=list(HealthCheck),
    )
    @given(body=shapes.request(operation.input_shape), sign=signed)
    def check(body: Any, sign: bool) -> None:
        raw = orjson.dumps(body)
        response = harness.runner.run(harness.send(name, raw, signed=sign))
        assert response.status_code < 500, (name, body, response.text)
        error = None
        if response.status_code != 200:
            error = response.json().get("__type")
            assert error in declared, (name, body, response.text)
        OUTCOMES[error or "200 OK"] += 1
        if os.environ.get("FUZZ_DEBUG") and error == os.environ["FUZZ_DEBUG"]:
            print(name, response.json()["message"][:150])

    check()
