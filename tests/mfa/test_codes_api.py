"""SMS and email MFA codes through a running server: email codes in the outbox
(read on /_mailbox, as a developer would), SMS codes POSTed to the configured webhook,
and the challenge completed through boto3."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import STRONG, client, email, email_pool, error_of
from tests.conftest import Server, cognito_client, latest_code


def sign_in(cognito: Any, client_id: str, username: str) -> dict[str, Any]:
    return cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": STRONG},
    )  # fmt: skip


def user_with(cognito: Any, pool_id: str, phone: str | None = None) -> str:
    address = email()
    attributes = [{"Name": "email", "Value": address}, {"Name": "email_verified", "Value": "true"}]
    if phone:
        attributes.append({"Name": "phone_number", "Value": phone})
    cognito.admin_create_user(
        UserPoolId=pool_id, Username=address, MessageAction="SUPPRESS", UserAttributes=attributes
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=address, Password=STRONG, Permanent=True
    )
    return address


def test_email_mfa_code_in_the_outbox(server: Server, cognito: Any) -> None:
    pool = email_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration={"Subject": "TravelGuide sign-in", "Message": "Code {####}"},
    )  # fmt: skip
    client_id = client(cognito, pool["Id"])["ClientId"]
    address = user_with(cognito, pool["Id"])
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool["Id"], Username=address,
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )  # fmt: skip
    challenge = sign_in(cognito, client_id, address)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = latest_code(server, address)

    def respond(value: str) -> dict[str, Any]:
        return cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="EMAIL_OTP", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": address, "EMAIL_OTP_CODE": value},
        )  # fmt: skip

    with pytest.raises(ClientError) as exc:
        respond(f"{(int(code) + 1) % 1_000_000:06d}")
    assert error_of(exc)[0] == "CodeMismatchException"
    assert respond(code)["AuthenticationResult"]["IdToken"]
    user = cognito.admin_get_user(UserPoolId=pool["Id"], Username=address)
    assert user["UserMFASettingList"] == ["EMAIL_OTP"]


class _Webhook(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Webhook.received.append(
            (self.headers.get("Authorization", ""), json.loads(self.rfile.read(length)))
        )
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/sms"
    httpd.shutdown()


def test_sms_mfa_codes_go_to_the_webhook(tmp_path: Path, webhook: str) -> None:
    server = Server(
        data_dir=tmp_path / "sms",
        database_url="",
        extra_env={"POOLGATE_SMS_WEBHOOK_URL": webhook, "POOLGATE_SMS_WEBHOOK_TOKEN": "s3cret"},
    )
    server.start()
    try:
        cognito = cognito_client(server.url)
        # CreateUserPool with MFA ON and an SmsConfiguration: SMS MFA, as in Cognito.
        pool = email_pool(
            cognito, MfaConfiguration="ON",
            SmsConfiguration={"SnsCallerArn": "arn:aws:iam::123456789012:role/sms"},
            SmsAuthenticationMessage="TravelGuide: {####}",
        )  # fmt: skip
        assert cognito.get_user_pool_mfa_config(UserPoolId=pool["Id"])["SmsMfaConfiguration"]
        client_id = client(cognito, pool["Id"])["ClientId"]
        address = user_with(cognito, pool["Id"], phone="+15555550199")
        challenge = sign_in(cognito, client_id, address)
        assert challenge["ChallengeName"] == "SMS_MFA"
        assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0199"
        authorization, body = _Webhook.received[-1]
        assert authorization == "Bearer s3cret"
        assert body["to"] == "+15555550199" and body["purpose"] == "sign_in"
        code = re.fullmatch(r"TravelGuide: (\d{6})", body["message"])
        assert code, body
        done = cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SMS_MFA", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": address, "SMS_MFA_CODE": code.group(1)},
        )  # fmt: skip
        assert done["AuthenticationResult"]["AccessToken"]
        assert "s3cret" not in server.log()
    finally:
        server.stop()
