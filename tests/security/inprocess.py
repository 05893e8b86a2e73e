"""The identity provider's whole app in process (httpx's ASGI transport, lifespan
entered), for settings a shared server cannot have: other binds, an https public URL,
the mailbox forced on."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from poolgate.app import create_app
from poolgate.config import Settings
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET


@contextlib.asynccontextmanager
async def app_client(
    tmp: Path, base_url: str = "http://127.0.0.1:9229", **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(
            data_dir=tmp,
            admin_access_key_id=ADMIN_KEY_ID,
            admin_secret_access_key=ADMIN_SECRET,
            **settings,
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            yield http


async def signed(http: httpx.AsyncClient, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """An administrative call through the in-process app, signed as boto3 signs."""
    import orjson
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = str(http.base_url)
    raw = orjson.dumps(body)
    request = AWSRequest(
        method="POST",
        url=url,
        data=raw,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
        },
    )
    SigV4Auth(Credentials(ADMIN_KEY_ID, ADMIN_SECRET), "cognito-idp", "us-east-1").add_auth(request)
    response = await http.post("/", content=raw, headers=dict(request.headers.items()))
    assert response.status_code == 200, response.text
    parsed: dict[str, Any] = response.json()
    return parsed
