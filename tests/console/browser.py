"""What the console's browser tests and its screenshot script share: a Poolgate server
with a bootstrap administrator, the sign-in in Chromium, a pool with something on
every page, and the list of the console's main screens."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.async_api import Page

from tests.conftest import Server, _pg
from tests.console.helpers import BOOTSTRAP_PASSWORD, BOOTSTRAP_USERNAME

BOOTSTRAP_ENV = {
    "POOLGATE_BOOTSTRAP_ADMIN_USERNAME": BOOTSTRAP_USERNAME,
    "POOLGATE_BOOTSTRAP_ADMIN_PASSWORD": BOOTSTRAP_PASSWORD,
}


def console_server(data_dir: Path, database_url: str = "") -> Server:
    """A server of its own (its administrators' pool is a fact of its database)."""
    server = Server(data_dir=data_dir, database_url=database_url, extra_env=dict(BOOTSTRAP_ENV))
    server.start()
    return server


def fresh_pg_database(base_dsn: str) -> Iterator[str]:
    name = f"poolgate_console_{secrets.token_hex(4)}"
    _pg(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base_dsn.rsplit('/', 1)[0]}/{name}"
    finally:
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def sign_in(
    page: Page, base_url: str, username: str, password: str, new_password: str | None = None
) -> None:
    """From /admin/ through the hosted sign-in page (and the forced password change)."""
    await page.goto(f"{base_url}/admin/")
    await page.wait_for_url("**/login?**")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    if new_password is not None:
        await page.wait_for_url("**/newPassword?**")
        await page.get_by_label("New password", exact=True).fill(new_password)
        await page.get_by_label("Confirm new password").fill(new_password)
        await page.get_by_role("button", name="Change password").click()
    await page.wait_for_url(f"{base_url}/admin/**")


@dataclass
class Seeded:
    """A pool with a client, a user, a group, a resource server and a provider."""

    pool_id: str
    client_id: str
    username: str
    group: str = "travellers"
    server: str = "https://api.travelguide.example"
    provider: str = "Google"


def seed(cognito: Any, name: str = "TravelGuideUserPool-demo") -> Seeded:
    pool = cognito.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
            }
        },
    )["UserPool"]
    pool_id = pool["Id"]
    cognito.create_resource_server(
        UserPoolId=pool_id,
        Identifier="https://api.travelguide.example",
        Name="TravelGuide API",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read the destinations"}],
    )
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={
            "client_id": "123-abc.apps.googleusercontent.com",
            "client_secret": "GOCSPX-demo",
            "authorize_scopes": "openid email",
        },
        AttributeMapping={"email": "email"},
    )
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="travelguide-web",
        ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_SRP_AUTH",
        ],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=["http://localhost:5173/callback"],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=f"demo-{secrets.token_hex(3)}")
    cognito.create_group(
        UserPoolId=pool_id,
        GroupName="travellers",
        Precedence=10,
        Description="Everyone who plans trips",
    )
    username = ""
    for i, given in enumerate(["Ana", "Bruno", "Chloé", "Dmitri", "Esra"]):
        address = f"{given.lower()}@travelguide.example".replace("é", "e")
        created = cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=address,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": address},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": f"{given} Traveller"},
            ],
        )["User"]
        if i == 0:
            username = created["Username"]
            cognito.admin_add_user_to_group(
                UserPoolId=pool_id, Username=username, GroupName="travellers"
            )
    return Seeded(pool_id, client["ClientId"], username)


def screens(seeded: Seeded) -> dict[str, str]:
    """The console's main screens: name -> path."""
    pool = f"/admin/pools/{seeded.pool_id}"
    server = quote(seeded.server, safe="")
    return {
        "pools": "/admin/",
        "pool-new": "/admin/pools/new",
        "pool": pool,
        "pool-settings": f"{pool}/settings",
        "pool-delete": f"{pool}/delete",
        "users": f"{pool}/users",
        "user-new": f"{pool}/users/new",
        "user": f"{pool}/users/view?username={quote(seeded.username)}",
        "groups": f"{pool}/groups",
        "group": f"{pool}/groups/view?name={quote(seeded.group)}",
        "clients": f"{pool}/clients",
        "client-new": f"{pool}/clients/new",
        "client": f"{pool}/clients/{seeded.client_id}",
        "client-edit": f"{pool}/clients/{seeded.client_id}/edit",
        "branding": f"{pool}/branding",
        "resource-servers": f"{pool}/resource-servers",
        "resource-server": f"{pool}/resource-servers/view?identifier={server}",
        "identity-providers": f"{pool}/identity-providers",
        "identity-provider": f"{pool}/identity-providers/view?name={seeded.provider}",
        "triggers": f"{pool}/triggers",
        "keys": f"{pool}/keys",
        "account": "/admin/account",
        "signed-out": "/admin/signed-out",
    }
