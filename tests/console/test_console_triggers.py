"""The triggers page: a pool's LambdaConfig chosen from the deployment's functions,
the rest of the pool kept, and the chosen function then run by a sign-in."""

from __future__ import annotations

from typing import Any

import jwt

from tests.console.conftest import Site
from tests.console.helpers import console_post, csrf_of, shown
from tests.console.test_console_pools import create_client, create_pool, pool_id_of

PASSWORD = "Trigger-Pass-2026!"


async def test_a_trigger_chosen_in_the_console_runs_at_sign_in(site: Site, admin: Any) -> None:
    pool_id = pool_id_of(await create_pool(admin, name="TriggersPool"))
    page = f"/admin/pools/{pool_id}/triggers"
    before = (await site.api("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    listed = await admin.get(page)
    assert listed.status_code == 200
    assert '<option value="stamp">stamp</option>' in listed.text

    saved = await console_post(
        admin, page, page, {"PreTokenGeneration": "stamp", "token_generation_version": "V2_0"}
    )
    assert saved.status_code == 303, shown(saved)[:2000]
    described = (await site.api("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    arn = "arn:aws:lambda:us-east-1:123456789012:function:stamp"
    assert described["LambdaConfig"] == {
        "PreTokenGeneration": arn,
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": arn},
    }
    # Nothing else of the pool changed.
    for member in ("Policies", "UsernameAttributes", "AutoVerifiedAttributes", "MfaConfiguration"):
        assert described.get(member) == before.get(member), member
    again = await admin.get(page)
    assert '<option value="stamp" selected>stamp</option>' in again.text
    assert '<option value="V2_0" selected>' in again.text

    # A sign-in runs it: the claim it adds is in the id token.
    client = await create_client(admin, pool_id, flow=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])
    client_id = client.headers["location"].rsplit("/", 1)[1]
    email = "traveller@example.com"
    await site.api(
        "AdminCreateUser",
        {"UserPoolId": pool_id, "Username": email, "MessageAction": "SUPPRESS"},
    )
    await site.api(
        "AdminSetUserPassword",
        {"UserPoolId": pool_id, "Username": email, "Password": PASSWORD, "Permanent": True},
    )
    signed_in = await site.api(
        "AdminInitiateAuth",
        {
            "UserPoolId": pool_id,
            "ClientId": client_id,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD},
        },
    )
    claims = jwt.decode(
        signed_in["AuthenticationResult"]["IdToken"], options={"verify_signature": False}
    )
    assert claims["stamped_by"] == "console-trigger"

    # Choosing none removes the trigger.
    cleared = await console_post(admin, page, page, {"PreTokenGeneration": ""})
    assert cleared.status_code == 303
    described = (await site.api("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    assert not described.get("LambdaConfig")


async def test_a_function_the_deployment_does_not_declare_is_refused(
    site: Site, admin: Any
) -> None:
    pool_id = pool_id_of(await create_pool(admin, name="TriggersRefusedPool"))
    page = f"/admin/pools/{pool_id}/triggers"
    form = await admin.get(page)
    refused = await admin.post(
        page, data={"_csrf": csrf_of(form.text), "PostConfirmation": "not-declared"}
    )
    assert refused.status_code == 400
    assert "the function not-declared is not declared" in shown(refused)
    assert "(InvalidParameterException)" in shown(refused)
    described = (await site.api("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    assert not described.get("LambdaConfig")
    # Without the form token nothing is changed.
    forged = await admin.post(page, data={"PostConfirmation": "stamp"})
    assert forged.status_code == 403


async def test_the_administrators_pool_takes_no_trigger_from_the_console(
    site: Site, admin: Any
) -> None:
    listed = await site.api("ListUserPools", {"MaxResults": 60})
    [pool] = [p for p in listed["UserPools"] if p["Name"] == "poolgate-administrators"]
    page = f"/admin/pools/{pool['Id']}/triggers"
    shown_page = await admin.get(page)
    assert shown_page.status_code == 200
    assert "could lock every administrator out" in shown_page.text
    assert "Save triggers" not in shown_page.text
    # A post made by hand (with a valid form token) is refused all the same.
    token = csrf_of((await admin.get("/admin/")).text)
    refused = await admin.post(page, data={"_csrf": token, "PreAuthentication": "stamp"})
    assert refused.status_code == 400
    described = (await site.api("DescribeUserPool", {"UserPoolId": pool["Id"]}))["UserPool"]
    assert not described.get("LambdaConfig")
