"""What the trigger tests share: users, sign-ins, the outbox, and tokens verified with
PyJWT against the pool's published JWKS."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import STRONG, email, error_of
from tests.triggers.conftest import Deployment


def outbox(deployment: Deployment, recipient: str) -> list[dict[str, Any]]:
    """The messages to ``recipient``, newest first, read on the mailbox as a developer
    would."""
    answer = httpx.get(f"{deployment.url}/_mailbox/messages", params={"recipient": recipient})
    answer.raise_for_status()
    return list(answer.json()["messages"])


def user(deployment: Deployment, pool: str, name: str = "Jane Traveller", **attributes: str) -> str:
    """A confirmed user with a verified email and the password STRONG."""
    address = email()
    values = {"email": address, "email_verified": "true", "name": name, **attributes}
    deployment.cognito.admin_create_user(
        UserPoolId=pool, Username=address, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in values.items()],
    )  # fmt: skip
    deployment.cognito.admin_set_user_password(
        UserPoolId=pool, Username=address, Password=STRONG, Permanent=True
    )
    return address


def password_sign_in(
    deployment: Deployment, client_id: str, address: str, password: str = STRONG, **extra: Any
) -> dict[str, Any]:
    return dict(
        deployment.cognito.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": address, "PASSWORD": password}, **extra,
        )
    )  # fmt: skip


def verify(deployment: Deployment, pool: str, token: str, **options: Any) -> dict[str, Any]:
    """The claims of ``token``, its signature checked against the pool's JWKS."""
    jwks = jwt.PyJWKClient(f"{deployment.url}/{pool}/.well-known/jwks.json")
    key = jwks.get_signing_key_from_jwt(token).key
    return dict(
        jwt.decode(token, key, algorithms=["RS256"], issuer=f"{deployment.url}/{pool}", **options)
    )


def no_such_user(deployment: Deployment, pool: str, address: str) -> bool:
    with pytest.raises(ClientError) as exc:
        deployment.cognito.admin_get_user(UserPoolId=pool, Username=address)
    return error_of(exc)[0] == "UserNotFoundException"
