"""UpdateAuthEventFeedback: a user with the event's feedback token (an HMAC of the
event under the master key) records feedback; a wrong token is refused."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from poolgate.core.audit.history import feedback_token
from poolgate.core.records import AuthEvent
from poolgate.crypto.sealing import Sealer, load_or_create_master_key
from tests.security.inprocess import app_client, signed

PASSWORD = "Feedback!Pass123"


async def test_a_user_gives_feedback_with_the_events_token(tmp_path: Path) -> None:
    async with app_client(tmp_path) as http:
        pool = (await signed(http, "CreateUserPool", {"PoolName": "fb"}))["UserPool"]["Id"]
        client = (
            await signed(
                http,
                "CreateUserPoolClient",
                {
                    "UserPoolId": pool,
                    "ClientName": "web",
                    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                },
            )
        )["UserPoolClient"]["ClientId"]
        user: Any = await signed(
            http,
            "AdminCreateUser",
            {"UserPoolId": pool, "Username": "fay", "MessageAction": "SUPPRESS"},
        )
        sub = next(a["Value"] for a in user["User"]["Attributes"] if a["Name"] == "sub")
        await signed(
            http,
            "AdminSetUserPassword",
            {"UserPoolId": pool, "Username": "fay", "Password": PASSWORD, "Permanent": True},
        )
        target = "AWSCognitoIdentityProviderService."
        headers = {"Content-Type": "application/x-amz-json-1.1"}
        signed_in = await http.post(
            "/",
            json={
                "ClientId": client,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "fay", "PASSWORD": PASSWORD},
            },
            headers={**headers, "X-Amz-Target": target + "InitiateAuth"},
        )
        assert signed_in.status_code == 200
        [event] = (
            await signed(http, "AdminListUserAuthEvents", {"UserPoolId": pool, "Username": "fay"})
        )["AuthEvents"]
        assert event["EventContextData"]["IpAddress"] == "203.0.113.7"
        ctx: Any = SimpleNamespace(sealer=Sealer(load_or_create_master_key("", tmp_path)))
        stored = AuthEvent(
            event_id=event["EventId"], event_type="SignIn", outcome="Pass", created=0.0,
            pool_id=pool, sub=sub,
        )  # fmt: skip
        token = feedback_token(ctx, stored)

        async def feedback(given: str) -> Any:
            return await http.post(
                "/",
                json={
                    "UserPoolId": pool,
                    "Username": "fay",
                    "EventId": event["EventId"],
                    "FeedbackToken": given,
                    "FeedbackValue": "Valid",
                },
                headers={**headers, "X-Amz-Target": target + "UpdateAuthEventFeedback"},
            )

        wrong = await feedback(token[:-4] + "AAA=")
        assert wrong.json()["__type"] == "NotAuthorizedException"
        assert (await feedback(token)).status_code == 200
        [listed] = (
            await signed(http, "AdminListUserAuthEvents", {"UserPoolId": pool, "Username": "fay"})
        )["AuthEvents"]
        assert (listed["EventFeedback"]["FeedbackValue"], listed["EventFeedback"]["Provider"]) == (
            "Valid",
            "User",
        )
