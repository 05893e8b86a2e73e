"""Real JavaScript clients judge Poolgate's sign-in and tokens.

mfa.test.mjs: amazon-cognito-identity-js's totpRequired, mfaRequired and mfaSetup
callbacks, and Amplify JS v6 (``aws-amplify`` with ``userPoolEndpoint``) signing in with
USER_SRP_AUTH, with USER_AUTH and an email code, and confirming a TOTP code.

amazon-cognito-identity-js (SRP, NEW_PASSWORD_REQUIRED, sign-up, refresh, GetUser),
aws-jwt-verify (signature, issuer, audience through the published JWKS) and the AWS
SDK for JavaScript v3 run in Node against a real ``poolgate serve`` process, on
SQLite and on PostgreSQL. Python creates the pools and users with boto3 and hands
them to ``tests/node/clients.test.mjs`` through environment variables.

Node and npm are required, not optional: CI installs them, so their absence fails.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pyotp
import pytest
from tests.api.helpers import POLICY, STRONG, client, email, email_pool
from tests.conftest import Server, cognito_client

NODE_DIR = Path(__file__).resolve().parent
LOCK = NODE_DIR / "package-lock.json"
MODULES = NODE_DIR / "node_modules"
# npm writes this file at the end of every install: its age tells whether the
# installed tree is older than the lock file.
INSTALLED = MODULES / ".package-lock.json"

TEMP_PASSWORD = "Temp!Pass123"
NEW_PASSWORD = "Changed!Pass456"

SMS_PHONE = "+15555550177"
JS_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"`{name}` is not on PATH: the JavaScript client tests need Node.js 20+ and npm "
            "(CI installs them; locally install Node.js, e.g. from nodejs.org or your "
            "package manager)"
        )
    return path


def _installed() -> bool:
    return INSTALLED.exists() and INSTALLED.stat().st_mtime >= LOCK.stat().st_mtime


def ensure_node_modules() -> None:
    """``npm ci`` once, then only when package-lock.json changes. Serialized through
    a lock file, in case several pytest processes get here at once."""
    npm = _tool("npm")
    if _installed():
        return
    with open(Path(tempfile.gettempdir()) / "poolgate-tests-node-npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed():
            return
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(f"npm ci failed in {NODE_DIR}:\n{result.stdout}\n{result.stderr}")


def _admin_created_user(cognito: Any, pool_id: str, username: str, password: str) -> None:
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": username},
            {"Name": "email_verified", "Value": "true"},
        ],
    )


def _confirmed_user(cognito: Any, pool_id: str, username: str, password: str) -> None:
    _admin_created_user(cognito, pool_id, username, TEMP_PASSWORD)
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )


def _app(cognito: Any) -> tuple[str, str]:
    pool = email_pool(cognito)
    app_client = client(
        cognito,
        pool["Id"],
        ExplicitAuthFlows=JS_FLOWS,
        PreventUserExistenceErrors="LEGACY",
    )
    return pool["Id"], app_client["ClientId"]


def _mfa_pool(cognito: Any, flows: list[str] | None = None, **extra: Any) -> tuple[str, str]:
    pool = email_pool(cognito, **extra)
    app_client = client(cognito, pool["Id"], ExplicitAuthFlows=flows or JS_FLOWS)
    return pool["Id"], app_client["ClientId"]


def _totp_user(cognito: Any, pool_id: str, client_id: str) -> tuple[str, str, int]:
    """A confirmed user with TOTP on: (username, secret, the time step already used)."""
    username = email()
    _confirmed_user(cognito, pool_id, username, STRONG)
    token = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": STRONG},
    )["AuthenticationResult"]["AccessToken"]  # fmt: skip
    secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
    now = time.time()
    cognito.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).at(now))
    cognito.set_user_mfa_preference(
        AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return username, secret, int(now) // 30


def mfa_scenario(cognito: Any) -> dict[str, str]:
    """Pools with TOTP (OPTIONAL and ON), SMS MFA, and passwordless email codes."""
    totp_pool, totp_client = _mfa_pool(cognito, [*JS_FLOWS, "ALLOW_USER_AUTH"])
    cognito.set_user_pool_mfa_config(
        UserPoolId=totp_pool, SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )  # fmt: skip
    js_user, js_secret, js_step = _totp_user(cognito, totp_pool, totp_client)
    amplify_user, amplify_secret, amplify_step = _totp_user(cognito, totp_pool, totp_client)

    setup_pool, setup_client = _mfa_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=setup_pool, SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )  # fmt: skip
    setup_user = email()
    _confirmed_user(cognito, setup_pool, setup_user, STRONG)

    sms_pool, sms_client = _mfa_pool(
        cognito, MfaConfiguration="ON",
        SmsConfiguration={"SnsCallerArn": "arn:aws:iam::123456789012:role/sms"},
    )  # fmt: skip
    sms_user = email()
    _confirmed_user(cognito, sms_pool, sms_user, STRONG)
    cognito.admin_update_user_attributes(
        UserPoolId=sms_pool, Username=sms_user,
        UserAttributes=[{"Name": "phone_number", "Value": SMS_PHONE}],
    )  # fmt: skip

    otp_pool, otp_client = _mfa_pool(
        cognito, [*JS_FLOWS, "ALLOW_USER_AUTH"],
        Policies={"PasswordPolicy": POLICY,
                  "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
    )  # fmt: skip
    otp_user = email()
    _confirmed_user(cognito, otp_pool, otp_user, STRONG)
    return {
        "TOTP_POOL_ID": totp_pool, "TOTP_CLIENT_ID": totp_client,
        "TOTP_USER": js_user, "TOTP_SECRET": js_secret, "TOTP_USED_STEP": str(js_step),
        "AMPLIFY_TOTP_USER": amplify_user, "AMPLIFY_TOTP_SECRET": amplify_secret,
        "AMPLIFY_TOTP_USED_STEP": str(amplify_step),
        "SETUP_POOL_ID": setup_pool, "SETUP_CLIENT_ID": setup_client, "SETUP_USER": setup_user,
        "SMS_POOL_ID": sms_pool, "SMS_CLIENT_ID": sms_client, "SMS_USER": sms_user,
        "SMS_PHONE": SMS_PHONE,
        "OTP_POOL_ID": otp_pool, "OTP_CLIENT_ID": otp_client, "OTP_USER": otp_user,
    }  # fmt: skip


def scenario(server: Server) -> dict[str, str]:
    """Two pools like TravelGuide's and the users the JavaScript tests sign in."""
    cognito = cognito_client(server.url)
    pool_id, client_id = _app(cognito)
    other_pool_id, other_client_id = _app(cognito)

    confirmed = email()
    _confirmed_user(cognito, pool_id, confirmed, STRONG)
    admin_created = email()
    _admin_created_user(cognito, pool_id, admin_created, TEMP_PASSWORD)
    other_user = email()
    _confirmed_user(cognito, other_pool_id, other_user, STRONG)

    return {
        "POOLGATE_URL": server.url,
        "MAILBOX_URL": server.url,
        "POOL_ID": pool_id,
        "CLIENT_ID": client_id,
        "OTHER_POOL_ID": other_pool_id,
        "OTHER_CLIENT_ID": other_client_id,
        "OTHER_USER": other_user,
        "OTHER_PASSWORD": STRONG,
        "CONFIRMED_USER": confirmed,
        "CONFIRMED_PASSWORD": STRONG,
        "ADMIN_CREATED_USER": admin_created,
        "TEMP_PASSWORD": TEMP_PASSWORD,
        "NEW_PASSWORD": NEW_PASSWORD,
        "SIGNUP_EMAIL": email(),
        "SIGNUP_PASSWORD": STRONG,
        **mfa_scenario(cognito),
    }


def test_javascript_clients(server: Server) -> None:
    node = _tool("node")
    ensure_node_modules()
    setup = scenario(server)
    env = {**os.environ, **setup, "NO_COLOR": "1"}
    env.pop("NODE_OPTIONS", None)
    # The test files by name: `node --test DIR` searches a directory on Node 20 but
    # reads its arguments as globs from Node 21 on.
    files = [str(path) for path in sorted(NODE_DIR.glob("*.test.mjs"))]
    assert files, f"no *.test.mjs in {NODE_DIR}"
    try:
        result = subprocess.run(
            [node, "--test", "--test-reporter=spec", *files],
            cwd=NODE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"node --test timed out after 300 s:\n{exc.stdout}\n{exc.stderr}")
    assert result.returncode == 0, (
        f"node --test failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        f"\n--- server log (tail) ---\n{server.log()[-5000:]}"
    )
    # Every file ran (a file that failed to load would not list its tests).
    for name in ("identity-js: mfaSetup", "Amplify v6: USER_AUTH with an email code"):
        assert name in result.stdout, result.stdout
