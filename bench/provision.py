"""Setup through the AWS API (boto3, signed admin calls): a pool, a client, users.

Then, for the scenarios that need them, tokens obtained beforehand over raw HTTP.
"""

from __future__ import annotations

import json
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pyotp
from botocore import UNSIGNED
from botocore.config import Config

PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}
AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
PASSWORD = "Bench!Pass123"


@dataclass
class Provisioned:
    run_id: str
    pool_id: str
    client_id: str
    users: list[tuple[str, str]]
    setup_seconds: float
    refresh_tokens: list[str] = field(default_factory=list)
    access_tokens: list[str] = field(default_factory=list)
    token_seconds: float = 0.0
    # (username, password, TOTP secret) of the users the totp scenario signs in, each
    # used once (a TOTP code is single use: ``provision_totp``).
    totp_users: list[tuple[str, str, str]] = field(default_factory=list)
    totp_seconds: float = 0.0
    # The triggers scenario's own pool (PreAuthentication and PreTokenGeneration).
    triggers: Provisioned | None = None
    # The email_otp scenario's own pool; its ``users`` are (username, email address).
    email_otp: Provisioned | None = None
    # The passkey scenario's own pool, and each user's passkey (``provision_passkey``).
    passkey: Provisioned | None = None
    passkeys: list[tuple[str, bytes, bytes, bytes]] = field(default_factory=list)
    # The federated scenario's downstream pool (``provision_federated``).
    federated: Provisioned | None = None
    # Other pools this setup made, deleted with it (the federated upstream).
    extra_pool_ids: list[str] = field(default_factory=list)

    @property
    def users_per_second(self) -> float:
        return len(self.users) / self.setup_seconds if self.setup_seconds else 0.0


def admin_client(url: str, key_id: str | None, secret: str | None, region: str) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(
            retries={"max_attempts": 3, "mode": "standard"},
            max_pool_connections=32,
        ),
    )


def provision(
    admin: Any, users: int, threads: int = 16, lambda_config: dict[str, str] | None = None
) -> Provisioned:
    """A fresh pool, its client and ``users`` confirmed users, created concurrently.
    ``lambda_config``: the pool's triggers (LambdaConfig)."""
    run_id = secrets.token_hex(4)
    started = time.perf_counter()
    pool = admin.create_user_pool(
        PoolName=f"poolgate-bench-{run_id}",
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        **({"LambdaConfig": lambda_config} if lambda_config else {}),
    )["UserPool"]
    client = admin.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="bench",
        ExplicitAuthFlows=AUTH_FLOWS,
    )["UserPoolClient"]
    names = [(f"bench-{run_id}-{i:05d}", PASSWORD) for i in range(users)]

    def create(user: tuple[str, str]) -> None:
        admin.admin_create_user(
            UserPoolId=pool["Id"],
            Username=user[0],
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{user[0]}@example.com"}],
        )
        admin.admin_set_user_password(
            UserPoolId=pool["Id"], Username=user[0], Password=user[1], Permanent=True
        )

    with ThreadPoolExecutor(max_workers=threads) as executor:
        list(executor.map(create, names))
    return Provisioned(
        run_id=run_id,
        pool_id=pool["Id"],
        client_id=client["ClientId"],
        users=names,
        setup_seconds=time.perf_counter() - started,
    )


def fetch_tokens(url: str, setup: Provisioned, threads: int = 8) -> None:
    """Sign every user in once (USER_PASSWORD_AUTH) for refresh and access tokens."""
    started = time.perf_counter()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    }
    with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=threads)) as http:

        def sign_in(user: tuple[str, str]) -> dict[str, Any]:
            response = http.post(
                url,
                headers=headers,
                json={
                    "ClientId": setup.client_id,
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": user[0], "PASSWORD": user[1]},
                },
            )
            if response.status_code != 200:
                raise RuntimeError(f"sign-in of {user[0]} failed: {response.text}")
            result: dict[str, Any] = response.json()["AuthenticationResult"]
            return result

        with ThreadPoolExecutor(max_workers=threads) as executor:
            results = list(executor.map(sign_in, setup.users))
    setup.refresh_tokens = [r["RefreshToken"] for r in results]
    setup.access_tokens = [r["AccessToken"] for r in results]
    setup.token_seconds = time.perf_counter() - started


def delete_pool(admin: Any, pool_id: str) -> None:
    admin.delete_user_pool(UserPoolId=pool_id)


def provision_totp(url: str, admin: Any, setup: Provisioned, users: int, threads: int = 16) -> None:
    """``users`` more users with an authenticator app (TOTP) as their preferred second
    factor, and the pool's MFA made OPTIONAL with software tokens (users without a
    factor still sign in with a password alone).

    Each signs in once, associates a secret and verifies a code, which spends that
    30-second step: a code is accepted once, for a later step than the last one used,
    within one step of the server's clock. So the totp scenario signs each user in once
    with the code of the next step (``load``), and needs as many users as sign-ins.
    """
    started = time.perf_counter()
    admin.set_user_pool_mfa_config(
        UserPoolId=setup.pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )
    user_client = boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name=admin.meta.region_name,
        config=Config(signature_version=UNSIGNED, max_pool_connections=32),
    )

    def create(i: int) -> tuple[str, str, str]:
        username = f"totp-{setup.run_id}-{i:05d}"
        admin.admin_create_user(
            UserPoolId=setup.pool_id, Username=username, MessageAction="SUPPRESS"
        )
        admin.admin_set_user_password(
            UserPoolId=setup.pool_id, Username=username, Password=PASSWORD, Permanent=True
        )
        access = user_client.initiate_auth(
            ClientId=setup.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]["AccessToken"]
        secret = user_client.associate_software_token(AccessToken=access)["SecretCode"]
        user_client.verify_software_token(
            AccessToken=access, UserCode=pyotp.TOTP(secret).now(), FriendlyDeviceName="bench"
        )
        admin.admin_set_user_mfa_preference(
            UserPoolId=setup.pool_id,
            Username=username,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
        return username, PASSWORD, secret

    with ThreadPoolExecutor(max_workers=threads) as executor:
        setup.totp_users = list(executor.map(create, range(users)))
    setup.totp_seconds = time.perf_counter() - started


# The triggers scenario's two functions: Python handlers as a Lambda would run them,
# doing nothing but what the trigger asks (so the measure is the invocation's cost).
TRIGGER_HANDLERS = """def pre_authentication(event, context):
    return event


def pre_token_generation(event, context):
    event["response"]["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": {"bench": "triggered"}
    }
    return event
"""
TRIGGER_FUNCTIONS = {
    "PreAuthentication": ("bench-pre-authentication", "triggers.pre_authentication"),
    "PreTokenGeneration": ("bench-pre-token-generation", "triggers.pre_token_generation"),
}


def trigger_config(directory: Path) -> Path:
    """The ``--config`` file that declares the triggers scenario's functions (the code
    goes in ``directory`` too)."""
    code = directory / "bench-triggers"
    code.mkdir(exist_ok=True)
    (code / "triggers.py").write_text(TRIGGER_HANDLERS)
    lines = []
    for name, handler in TRIGGER_FUNCTIONS.values():
        lines += ["[[functions]]", f'name = "{name}"', f"code_dir = {json.dumps(str(code))}"]
        lines += [f'handler = "{handler}"', ""]
    config = directory / "bench-triggers.toml"
    config.write_text("\n".join(lines))
    return config


def trigger_lambda_config(region: str, account_id: str = "123456789012") -> dict[str, str]:
    return {
        trigger: f"arn:aws:lambda:{region}:{account_id}:function:{name}"
        for trigger, (name, _) in TRIGGER_FUNCTIONS.items()
    }


def provision_email_otp(admin: Any, users: int, threads: int = 16) -> Provisioned:
    """A pool whose users may sign in with a code sent by email (USER_AUTH with
    EMAIL_OTP as a first factor), a client allowed USER_AUTH, and ``users`` users with
    a verified address. A user is sent at most 5 codes an hour, so the email_otp
    scenario signs each in once per level, like totp."""
    run_id = secrets.token_hex(4)
    started = time.perf_counter()
    pool = admin.create_user_pool(
        PoolName=f"poolgate-bench-email-{run_id}",
        Policies={
            "PasswordPolicy": PASSWORD_POLICY,
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]},
        },
    )["UserPool"]
    client = admin.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="bench-email",
        ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]

    def create(i: int) -> tuple[str, str]:
        username = f"mail-{run_id}-{i:05d}"
        address = f"{username}@example.com"
        admin.admin_create_user(
            UserPoolId=pool["Id"],
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": address},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        # Confirmed (an administrator-created user must otherwise change its password).
        admin.admin_set_user_password(
            UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True
        )
        return username, address

    with ThreadPoolExecutor(max_workers=threads) as executor:
        names = list(executor.map(create, range(users)))
    return Provisioned(
        run_id=run_id,
        pool_id=pool["Id"],
        client_id=client["ClientId"],
        users=names,
        setup_seconds=time.perf_counter() - started,
    )


def _user_client(url: str, region: str) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name=region,
        config=Config(signature_version=UNSIGNED, max_pool_connections=32),
    )


def _confirmed_user(admin: Any, pool_id: str, username: str, email: str) -> None:
    admin.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    admin.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )


def provision_passkey(
    url: str, admin: Any, users: int, origin: str, threads: int = 16
) -> tuple[Provisioned, list[tuple[str, bytes, bytes, bytes]]]:
    """A pool with passkeys allowed as a first factor (relying party ``localhost``), a
    client allowed USER_AUTH whose callback is at ``origin`` (where the ceremonies run),
    and ``users`` users, each registering one passkey of a software authenticator
    (StartWebAuthnRegistration, CompleteWebAuthnRegistration with a password sign-in's
    access token). Returns the setup and each user's (username, key DER, credential id,
    user handle) for the passkey scenario."""
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    from bench.soft_authenticator import SoftAuthenticator

    run_id = secrets.token_hex(4)
    started = time.perf_counter()
    pool = admin.create_user_pool(
        PoolName=f"poolgate-bench-passkey-{run_id}",
        Policies={
            "PasswordPolicy": PASSWORD_POLICY,
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]},
        },
    )["UserPool"]
    admin.set_user_pool_mfa_config(
        UserPoolId=pool["Id"],
        WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "preferred"},
    )
    client = admin.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="bench-passkey",
        ExplicitAuthFlows=[
            "ALLOW_USER_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
        CallbackURLs=[f"{origin}/callback"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    user_client = _user_client(url, admin.meta.region_name)

    def create(i: int) -> tuple[str, bytes, bytes, bytes]:
        username = f"passkey-{run_id}-{i:05d}"
        _confirmed_user(admin, pool["Id"], username, f"{username}@example.com")
        access = user_client.initiate_auth(
            ClientId=client["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]["AccessToken"]
        options = user_client.start_web_authn_registration(AccessToken=access)[
            "CredentialCreationOptions"
        ]
        # No signature counter: the scenario's processes sign with one credential at once.
        authenticator = SoftAuthenticator(origin=origin, counter=False)
        user_client.complete_web_authn_registration(
            AccessToken=access, Credential=authenticator.create(options)
        )
        key = authenticator.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        return username, key, authenticator.credential_id, authenticator.user_handle

    with ThreadPoolExecutor(max_workers=threads) as executor:
        passkeys = list(executor.map(create, range(users)))
    setup = Provisioned(
        run_id=run_id,
        pool_id=pool["Id"],
        client_id=client["ClientId"],
        users=[(username, PASSWORD) for username, *_ in passkeys],
        setup_seconds=time.perf_counter() - started,
    )
    return setup, passkeys


FEDERATED_PROVIDER = "BenchUpstream"
FEDERATED_CALLBACK = "http://localhost:5173/callback"


def provision_federated(url: str, admin: Any, users: int, threads: int = 16) -> Provisioned:
    """Two pools on the same server: an upstream one acting as the OpenID provider (a
    confidential app client with the code flow whose callback is the downstream's
    /oauth2/idpresponse, and ``users`` users with passwords), and a downstream one with
    an OIDC identity provider whose issuer is the upstream pool's, and a public app
    client allowing that provider. Returns the downstream's setup; its ``users`` are the
    upstream's (username, password) and ``extra_pool_ids`` names the upstream pool."""
    run_id = secrets.token_hex(4)
    started = time.perf_counter()
    base = url.rstrip("/")
    upstream = admin.create_user_pool(
        PoolName=f"poolgate-bench-upstream-{run_id}",
        Policies={"PasswordPolicy": PASSWORD_POLICY},
    )["UserPool"]["Id"]
    upstream_client = admin.create_user_pool_client(
        UserPoolId=upstream,
        ClientName="bench-downstream",
        GenerateSecret=True,
        CallbackURLs=[f"{base}/oauth2/idpresponse"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    downstream = admin.create_user_pool(
        PoolName=f"poolgate-bench-downstream-{run_id}",
        Policies={"PasswordPolicy": PASSWORD_POLICY},
    )["UserPool"]["Id"]
    admin.create_identity_provider(
        UserPoolId=downstream,
        ProviderName=FEDERATED_PROVIDER,
        ProviderType="OIDC",
        ProviderDetails={
            "client_id": upstream_client["ClientId"],
            "client_secret": upstream_client["ClientSecret"],
            "authorize_scopes": "openid email profile",
            "attributes_request_method": "GET",
            "oidc_issuer": f"{base}/{upstream}",
        },
        AttributeMapping={"email": "email", "email_verified": "email_verified"},
    )
    client = admin.create_user_pool_client(
        UserPoolId=downstream,
        ClientName="bench-federated",
        CallbackURLs=[FEDERATED_CALLBACK],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=[FEDERATED_PROVIDER],
    )["UserPoolClient"]
    names = [(f"upstream-{run_id}-{i:05d}", PASSWORD) for i in range(users)]

    def create(user: tuple[str, str]) -> None:
        _confirmed_user(admin, upstream, user[0], f"{user[0]}@example.com")

    with ThreadPoolExecutor(max_workers=threads) as executor:
        list(executor.map(create, names))
    return Provisioned(
        run_id=run_id,
        pool_id=downstream,
        client_id=client["ClientId"],
        users=names,
        setup_seconds=time.perf_counter() - started,
        extra_pool_ids=[upstream],
    )
