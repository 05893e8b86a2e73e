"""User pools and app clients through the console's forms, checked with the API (a
signed DescribeUserPool is what boto3 sees), and refused with the API's own messages."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.console.conftest import Site
from tests.console.helpers import console_post, shown

WORKSHOP_POOL = {
    "name": "TravelGuideUserPool-staging",
    "sign_in": "email",
    "min_length": "8",
    "require": ["number", "symbol", "upper", "lower"],
    "temporary_days": "7",
    "mfa": "OFF",
    "mfa_factor": ["SOFTWARE_TOKEN_MFA"],
    "self_sign_up": "on",
    "auto_verify": ["email"],
    "required": ["email"],
}


async def create_pool(http: Any, **changes: Any) -> Any:
    return await console_post(
        http, "/admin/pools/new", "/admin/pools/new", {**WORKSHOP_POOL, **changes}
    )


def pool_id_of(response: Any) -> str:
    assert response.status_code == 303, response.text[:3000]
    location = str(response.headers["location"])
    assert location.startswith("/admin/pools/us-east-1_"), location
    return location.removeprefix("/admin/pools/")


async def test_the_workshops_pool_as_boto3_sees_it(site: Site, admin: Any, caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="poolgate.audit"):
        pool_id = pool_id_of(await create_pool(admin))
    described = (await site.api("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    assert described["Name"] == "TravelGuideUserPool-staging"
    assert described["UsernameAttributes"] == ["email"]
    assert described["AutoVerifiedAttributes"] == ["email"]
    assert described["UsernameConfiguration"] == {"CaseSensitive": False}
    assert described["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 7,
    }
    assert described["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert described["DeletionProtection"] == "INACTIVE"
    email = next(a for a in described["SchemaAttributes"] if a["Name"] == "email")
    assert email["Required"] is True
    mfa = await site.api("GetUserPoolMfaConfig", {"UserPoolId": pool_id})
    assert mfa["MfaConfiguration"] == "OFF"
    # The overview shows it, and the audit trail names the administrator.
    page = await admin.get(f"/admin/pools/{pool_id}")
    assert "Created user pool TravelGuideUserPool-staging" in shown(page)
    assert "Contains at least 8 characters" in shown(page)
    actors = [
        r.audit for r in caplog.records if getattr(r, "audit", {}).get("event") == "CreateUserPool"
    ]
    assert actors and actors[-1]["actor"] == "console:root-admin"
    assert actors[-1]["outcome"] == "Pass" and actors[-1]["pool_id"] == pool_id


async def test_a_refused_form_shows_the_apis_own_message(site: Site, admin: Any) -> None:
    before = await site.api("ListUserPools", {"MaxResults": 60})
    response = await create_pool(admin, name="Travel/Guide")
    assert response.status_code == 400
    # The same request through the API, for its message.
    async with site.client() as http:
        import orjson
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET
        from tests.security.inprocess import signed  # noqa: F401 - the oracle's signer

        raw = orjson.dumps({"PoolName": "Travel/Guide"})
        request = AWSRequest(
            method="POST",
            url=str(http.base_url),
            data=raw,
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService.CreateUserPool",
            },
        )
        SigV4Auth(Credentials(ADMIN_KEY_ID, ADMIN_SECRET), "cognito-idp", "us-east-1").add_auth(
            request
        )
        api = await http.post("/", content=raw, headers=dict(request.headers.items()))
    assert api.status_code == 400 and api.json()["__type"] == "InvalidParameterException"
    message = api.json()["message"]
    assert "poolName" in message
    import html

    assert html.escape(message, quote=True) in response.text or message in html.unescape(
        response.text
    )
    assert "(InvalidParameterException)" in shown(response)
    # The form keeps what was typed.
    assert 'value="Travel/Guide"' in response.text
    after = await site.api("ListUserPools", {"MaxResults": 60})
    assert after["UserPools"] == before["UserPools"]


async def test_mfa_is_checked_before_the_pool_exists(site: Site, admin: Any) -> None:
    before = await site.api("ListUserPools", {"MaxResults": 60})
    refused = await create_pool(admin, name="NoFactorPool", mfa="ON", mfa_factor=[])
    assert refused.status_code == 400
    assert "can't turn on MFA without an MFA type" in shown(refused)
    assert (await site.api("ListUserPools", {"MaxResults": 60}))["UserPools"] == before["UserPools"]
    pool_id = pool_id_of(await create_pool(admin, name="TotpPool", mfa="ON"))
    mfa = await site.api("GetUserPoolMfaConfig", {"UserPoolId": pool_id})
    assert mfa["MfaConfiguration"] == "ON"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


async def test_settings_change_what_the_form_shows_and_keep_the_rest(
    site: Site, admin: Any
) -> None:
    pool_id = pool_id_of(await create_pool(admin, name="EditedPool"))
    # Set with the API, not shown by the form: must survive the console's update.
    await site.api(
        "TagResource",
        {
            "ResourceArn": f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}",
            "Tags": {"team": "travel"},
        },
    )
    await site.api(
        "UpdateUserPool",
        {
            "UserPoolId": pool_id,
            "AutoVerifiedAttributes": ["email"],
            "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
            "Policies": {"PasswordPolicy": {"MinimumLength": 8}},
        },
    )
    page = f"/admin/pools/{pool_id}/settings"
    response = await console_post(
        admin,
        page,
        page,
        {
            "name": "EditedPool",
            "min_length": "12",
            "require": ["number"],
            "temporary_days": "3",
            "mfa": "OPTIONAL",
            "mfa_factor": ["SOFTWARE_TOKEN_MFA"],
            "auto_verify": ["email"],
            "deletion_protection": "on",
            "verify_subject": "Your TravelGuide code",
            "verify_email": "Your code is {####}.",
        },
    )
    assert response.status_code == 303, response.text[:2000]
    described = (await site.api("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    policy = described["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 12 and policy["RequireNumbers"] is True
    assert policy["RequireSymbols"] is False and policy["TemporaryPasswordValidityDays"] == 3
    assert described["DeletionProtection"] == "ACTIVE"
    assert described["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True  # unticked
    assert described["VerificationMessageTemplate"]["EmailSubject"] == "Your TravelGuide code"
    assert described["UserPoolTags"] == {"team": "travel"}
    assert described["UserAttributeUpdateSettings"] == {
        "AttributesRequireVerificationBeforeUpdate": ["email"]
    }
    mfa = await site.api("GetUserPoolMfaConfig", {"UserPoolId": pool_id})
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    # A refused change (ON without a factor) leaves the pool as it was: one write.
    refused = await console_post(
        admin,
        page,
        page,
        {"name": "EditedPool", "min_length": "20", "mfa": "ON", "temporary_days": "3"},
    )
    assert refused.status_code == 400
    again = (await site.api("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    assert again["Policies"]["PasswordPolicy"]["MinimumLength"] == 12


async def test_deleting_a_pool_needs_its_name_and_honours_protection(
    site: Site, admin: Any
) -> None:
    pool_id = pool_id_of(await create_pool(admin, name="DoomedPool", deletion_protection="on"))
    page = f"/admin/pools/{pool_id}/delete"
    wrong = await console_post(admin, page, page, {"confirm": "Doomed"})
    assert wrong.status_code == 400 and "to confirm" in shown(wrong)
    protected = await console_post(admin, page, page, {"confirm": "DoomedPool"})
    assert protected.status_code == 400
    assert "deletion protection is activated" in shown(protected)
    await site.api("UpdateUserPool", {"UserPoolId": pool_id, "DeletionProtection": "INACTIVE"})
    gone = await console_post(admin, page, page, {"confirm": "DoomedPool"})
    assert gone.status_code == 303 and gone.headers["location"] == "/admin/"
    listed = await site.api("ListUserPools", {"MaxResults": 60})
    assert pool_id not in {p["Id"] for p in listed["UserPools"]}


async def test_the_administrators_pool_is_marked_and_protected(site: Site, admin: Any) -> None:
    listed = await site.api("ListUserPools", {"MaxResults": 60})
    [pool] = [p for p in listed["UserPools"] if p["Name"] == "poolgate-administrators"]
    described = (await site.api("DescribeUserPool", {"UserPoolId": pool["Id"]}))["UserPool"]
    assert described["UserPoolTags"] == {"poolgate:console": "administrators"}
    assert described["DeletionProtection"] == "ACTIVE"
    home = await admin.get("/admin/")
    assert "Console administrators" in home.text
    page = f"/admin/pools/{pool['Id']}/delete"
    refused = await console_post(admin, page, page, {"confirm": "poolgate-administrators"})
    assert refused.status_code == 400 and "cannot be deleted from the console" in shown(refused)
    settings = f"/admin/pools/{pool['Id']}/settings"
    opened = await console_post(
        admin,
        settings,
        settings,
        {
            "name": "poolgate-administrators",
            "min_length": "8",
            "mfa": "OPTIONAL",
            "mfa_factor": ["SOFTWARE_TOKEN_MFA"],
            "self_sign_up": "on",
            "deletion_protection": "on",
            "temporary_days": "7",
        },
    )
    assert opened.status_code == 400 and "keeps self-service sign-up off" in shown(opened)
    clients = await site.api("ListUserPoolClients", {"UserPoolId": pool["Id"], "MaxResults": 60})
    console_client = clients["UserPoolClients"][0]["ClientId"]
    base = f"/admin/pools/{pool['Id']}/clients/{console_client}"
    for path in (f"{base}/delete", f"{base}/edit"):
        response = await console_post(admin, f"{base}/delete", path, {"name": "x"})
        assert response.status_code == 400 and "kept by Poolgate" in shown(response)
    # Opened with the admin key, the console locks until it is closed again.
    await site.api(
        "UpdateUserPool",
        {
            "UserPoolId": pool["Id"],
            "DeletionProtection": "ACTIVE",
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
            "MfaConfiguration": "OFF",
        },
    )
    locked = await admin.get("/admin/")
    assert locked.status_code == 403 and "The console is locked" in locked.text
    await site.api(
        "UpdateUserPool",
        {
            "UserPoolId": pool["Id"],
            "DeletionProtection": "ACTIVE",
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
            "MfaConfiguration": "OFF",
        },
    )
    assert (await admin.get("/admin/")).status_code == 200


async def create_client(http: Any, pool_id: str, **changes: Any) -> Any:
    page = f"/admin/pools/{pool_id}/clients/new"
    data = {
        "name": "travelguide-web",
        "secret": "public",
        "flow": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        "access": "60",
        "access_unit": "minutes",
        "id": "60",
        "id_unit": "minutes",
        "refresh": "30",
        "refresh_unit": "days",
        "session": "3",
        "prevent_existence_errors": "on",
        "revocation": "on",
        **changes,
    }
    return await console_post(http, page, page, data)


async def test_the_workshops_app_client_and_its_secret(site: Site, admin: Any) -> None:
    pool_id = pool_id_of(await create_pool(admin, name="ClientsPool"))
    created = await create_client(admin, pool_id)
    assert created.status_code == 303, created.text[:2000]
    client_id = created.headers["location"].rsplit("/", 1)[1]
    client = (
        await site.api("DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id})
    )["UserPoolClient"]
    assert client["ClientName"] == "travelguide-web" and "ClientSecret" not in client
    assert sorted(client["ExplicitAuthFlows"]) == sorted(
        ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    )
    assert client["AccessTokenValidity"] == 60
    assert client["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    # With a secret, OAuth and a callback; the secret is shown only on request.
    secret = await create_client(
        admin,
        pool_id,
        name="server",
        secret="secret",
        oauth="on",
        oauth_flow=["code"],
        scope=["openid", "email"],
        callbacks="http://localhost:5173/callback\n",
        provider=["COGNITO"],
    )
    server_id = secret.headers["location"].rsplit("/", 1)[1]
    described = (
        await site.api("DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": server_id})
    )["UserPoolClient"]
    assert described["CallbackURLs"] == ["http://localhost:5173/callback"]
    assert described["AllowedOAuthFlows"] == ["code"]
    page = await admin.get(f"/admin/pools/{pool_id}/clients/{server_id}")
    assert described["ClientSecret"] not in page.text and "Show client secret" in shown(page)
    assert "Open the hosted sign-in page" in shown(page)
    revealed = await console_post(
        admin,
        f"/admin/pools/{pool_id}/clients/{server_id}",
        f"/admin/pools/{pool_id}/clients/{server_id}/secret",
        {},
    )
    assert described["ClientSecret"] in revealed.text
    assert revealed.headers["cache-control"] == "no-store"
    # Edit keeps the secret and what the form does not show; delete removes it.
    await site.api(
        "UpdateUserPoolClient",
        {
            **{
                k: v
                for k, v in described.items()
                if k
                in (
                    "UserPoolId",
                    "ClientId",
                    "ClientName",
                    "ExplicitAuthFlows",
                    "AllowedOAuthFlows",
                    "AllowedOAuthScopes",
                    "AllowedOAuthFlowsUserPoolClient",
                    "CallbackURLs",
                    "SupportedIdentityProviders",
                )
            },
            "ReadAttributes": ["email", "name"],
        },
    )
    edit = f"/admin/pools/{pool_id}/clients/{server_id}/edit"
    edited = await console_post(
        admin,
        edit,
        edit,
        {
            "name": "server-renamed",
            "flow": ["ALLOW_REFRESH_TOKEN_AUTH"],
            "access": "2",
            "access_unit": "hours",
            "id": "1",
            "id_unit": "hours",
            "refresh": "1",
            "refresh_unit": "days",
            "oauth": "on",
            "oauth_flow": ["code"],
            "scope": ["openid"],
            "callbacks": "http://localhost:5173/callback",
            "provider": ["COGNITO"],
        },
    )
    assert edited.status_code == 303, edited.text[:2000]
    after = (
        await site.api("DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": server_id})
    )["UserPoolClient"]
    assert after["ClientName"] == "server-renamed" and after["AccessTokenValidity"] == 2
    assert after["ClientSecret"] == described["ClientSecret"]
    assert after["ReadAttributes"] == ["email", "name"]
    delete = f"/admin/pools/{pool_id}/clients/{server_id}/delete"
    assert (await console_post(admin, delete, delete, {})).status_code == 303
    listed = await site.api("ListUserPoolClients", {"UserPoolId": pool_id, "MaxResults": 60})
    assert [c["ClientId"] for c in listed["UserPoolClients"]] == [client_id]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"oauth": "on", "oauth_flow": ["code"], "scope": ["openid"]},
            "CallbackURLs are required when the code or implicit flow is allowed.",
        ),
        (
            {"flow": ["ALLOW_USER_SRP_AUTH", "USER_PASSWORD_AUTH"]},
            "ExplicitAuthFlows cannot mix legacy values",
        ),
        (
            {
                "oauth": "on",
                "oauth_flow": ["client_credentials"],
                "scope": ["openid"],
                "callbacks": "https://x.example/cb",
            },
            "client_credentials flow can not be selected if client does not have a client secret",
        ),
    ],
)
async def test_client_form_refusals_are_the_apis(
    site: Site, admin: Any, changes: dict[str, Any], message: str
) -> None:
    listed = await site.api("ListUserPools", {"MaxResults": 60})
    pool_id = next(p["Id"] for p in listed["UserPools"] if p["Name"] == "ClientsPool")
    refused = await create_client(admin, pool_id, name="refused", **changes)
    assert refused.status_code == 400
    assert message in shown(refused)
