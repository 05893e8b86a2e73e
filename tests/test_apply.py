"""``poolgate apply``: in process on SQLite and PostgreSQL, and once through the CLI."""

from __future__ import annotations

import copy
import json
import os
import secrets
import subprocess
import sys
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from poolgate.apply import ApplyError, ApplyReport, Result, apply
from poolgate.bootstrap import open_context
from poolgate.config import Settings
from poolgate.core.auth import flows, passwords
from poolgate.core.context import Context
from poolgate.core.groups import groups
from poolgate.core.pools import clients, pools
from poolgate.core.records import User
from poolgate.core.users import lookup
from tests.conftest import BACKENDS, MASTER_KEY

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "travelguide" / "poolgate.toml"
DEMO = "demo@travelguide.example"
DEMO_PASSWORD = "TravelGuide-2026!"
# What applying the example does, in the order it reports it.
KINDS = ["pool", "client", "domain", "group", "group", "user"]


@pytest.fixture(params=BACKENDS)
async def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Context]:
    database_url = "" if request.param == "sqlite" else request.getfixturevalue("pg_database")
    opened = await open_context(
        Settings(data_dir=tmp_path, database_url=database_url, master_key=MASTER_KEY)
    )
    yield opened
    await opened.store.close()


def travelguide() -> dict[str, Any]:
    """The example file with a pool name and domain of its own: the PostgreSQL
    database is shared by the whole session."""
    document = tomllib.loads(EXAMPLE.read_text())
    suffix = secrets.token_hex(4)
    document["pools"][0]["PoolName"] += f"-{suffix}"
    document["pools"][0]["domain"]["Domain"] += f"-{suffix}"
    # The gateway's sections are configuration, not stored state: tests/gateway and
    # tests/test_travelguide.py cover them.
    del document["functions"], document["apis"]
    # And so the pool's triggers, which name those functions: tests/triggers and
    # tests/test_travelguide.py apply and run them.
    del document["pools"][0]["LambdaConfig"]
    # So is federation's part (the staff pool behind the identity provider):
    # tests/federation/test_example.py applies the whole file.
    del document["pools"][1:]
    del document["pools"][0]["identity_providers"]
    document["pools"][0]["clients"][0]["SupportedIdentityProviders"] = ["COGNITO"]
    return document


def with_actions(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    """The example's results with every action "unchanged" but the ones given."""
    changed = dict(pairs)
    return [(kind, changed.get(kind, "unchanged")) for kind in KINDS]


def pool_section(document: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = document["pools"][0]
    return section


def client_section(document: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = document["pools"][0]["clients"][0]
    return section


def actions(report: ApplyReport) -> list[tuple[str, str]]:
    return [(result.kind, result.action) for result in report.walk()]


def only(report: ApplyReport, kind: str) -> Result:
    [found] = [result for result in report.walk() if result.kind == kind]
    return found


async def pools_named(ctx: Context, name: str) -> list[str]:
    return [pool.id for pool in await pools.pools_named(ctx, name)]


async def demo_user(ctx: Context, pool_id: str) -> User:
    pool = await pools.require_pool(ctx, pool_id)
    return await lookup.require_user(ctx, pool, DEMO)


async def group_names(ctx: Context, pool_id: str, user: User) -> list[str]:
    found, _ = await groups.admin_list_groups_for_user(ctx, pool_id, user.username, None, None)
    return [group.name for group in found]


async def test_apply_creates_the_travelguide_setup(ctx: Context) -> None:
    document = travelguide()
    report = await apply(ctx, document)
    assert actions(report) == [(kind, "created") for kind in KINDS]

    pool = await ctx.store.get_pool(only(report, "pool").id)
    assert pool is not None
    assert pool.name == pool_section(document)["PoolName"]
    assert pool.settings["UsernameAttributes"] == ["email"]
    assert pool.settings["AutoVerifiedAttributes"] == ["email"]
    assert pool.settings["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool.settings["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 7,
    }
    [email] = [a for a in pool.settings["SchemaAttributes"] if a["Name"] == "email"]
    assert email["Required"] is True
    # [pools.mfa]: SetUserPoolMfaConfig's members, applied after the pool is created.
    assert pool.settings["MfaConfiguration"] == "OPTIONAL"
    assert pool.settings["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert pool.settings["WebAuthnConfiguration"] == {
        "RelyingPartyId": "localhost",
        "UserVerification": "preferred",
    }
    assert pool.settings["Policies"]["SignInPolicy"] == {
        "AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]
    }

    client = await ctx.store.get_client(only(report, "client").id)
    assert client is not None
    assert client.pool_id == pool.id
    assert client.name == "travelguide-web"
    assert client.secret_sealed is None
    assert only(report, "client").secret is None
    assert client.settings["ExplicitAuthFlows"] == [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_AUTH",
    ]
    assert client.settings["AllowedOAuthFlows"] == ["code"]
    assert client.settings["AllowedOAuthScopes"] == [
        "openid",
        "email",
        "profile",
        "aws.cognito.signin.user.admin",
    ]
    assert client.settings["AllowedOAuthFlowsUserPoolClient"] is True
    assert client.settings["CallbackURLs"] == ["http://localhost:5173/callback"]
    assert client.settings["LogoutURLs"] == ["http://localhost:5173/"]
    assert client.settings["SupportedIdentityProviders"] == ["COGNITO"]

    domain = await ctx.store.get_domain(only(report, "domain").name)
    assert domain is not None and domain.pool_id == pool.id

    admins = await ctx.store.get_group(pool.id, "admins")
    travellers = await ctx.store.get_group(pool.id, "travellers")
    assert admins is not None and travellers is not None
    assert (admins.precedence, travellers.precedence) == (0, 10)
    assert travellers.description == "Everyone who plans trips with TravelGuide"

    # The demo user: admin-created, must choose a password at the first sign-in.
    user = await demo_user(ctx, pool.id)
    assert only(report, "user").name == DEMO
    assert only(report, "user").id == user.username  # cognito:username, a UUID here
    assert user.status == lookup.FORCE_CHANGE_PASSWORD
    assert user.attributes["email"] == DEMO
    assert user.attributes["email_verified"] == "true"
    assert user.attributes["name"] == "Dana Demo"
    assert await passwords.password_matches(ctx.sealer, user, DEMO_PASSWORD)
    assert await group_names(ctx, pool.id, user) == ["travellers"]
    # MessageAction SUPPRESS: no invitation.
    assert await ctx.store.list_messages(recipient=DEMO) == []


async def test_second_apply_reports_unchanged_and_writes_nothing(ctx: Context) -> None:
    document = travelguide()
    first = await apply(ctx, document)
    pool_before = await ctx.store.get_pool(only(first, "pool").id)
    client_before = await ctx.store.get_client(only(first, "client").id)

    user_before = await demo_user(ctx, only(first, "pool").id)
    group_before = await ctx.store.get_group(only(first, "pool").id, "admins")

    second = await apply(ctx, document)
    assert actions(second) == with_actions()
    assert [r.id for r in second.walk()] == [r.id for r in first.walk()]
    assert second.counts() == {"created": 0, "updated": 0, "unchanged": 6}
    # Not even rewritten: LastModifiedDate stays.
    assert await ctx.store.get_pool(only(first, "pool").id) == pool_before
    assert await ctx.store.get_client(only(first, "client").id) == client_before
    assert await demo_user(ctx, only(first, "pool").id) == user_before
    assert await ctx.store.get_group(only(first, "pool").id, "admins") == group_before
    assert await pools_named(ctx, pool_section(document)["PoolName"]) == [only(first, "pool").id]


async def test_edited_password_policy_updates_the_pool(ctx: Context) -> None:
    document = travelguide()
    first = await apply(ctx, document)
    pool_id = only(first, "pool").id
    before = await ctx.store.get_pool(pool_id)
    assert before is not None

    pool_section(document)["Policies"]["PasswordPolicy"]["MinimumLength"] = 12
    pool_section(document)["Policies"]["PasswordPolicy"]["RequireSymbols"] = False
    second = await apply(ctx, document)
    assert actions(second) == with_actions(("pool", "updated"))
    assert only(second, "pool").id == pool_id
    assert only(second, "pool").changed == ["Policies"]
    after = await ctx.store.get_pool(pool_id)
    assert after is not None
    policy = after.settings["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 12 and policy["RequireSymbols"] is False
    # Create-only settings carry over through the update.
    assert after.settings["UsernameAttributes"] == ["email"]
    assert after.settings["SchemaAttributes"] == before.settings["SchemaAttributes"]
    assert after.modified >= before.modified

    assert actions(await apply(ctx, document))[0] == ("pool", "unchanged")


async def test_edited_client_is_updated_in_place(ctx: Context) -> None:
    document = travelguide()
    client_id = only(await apply(ctx, document), "client").id
    client_section(document)["CallbackURLs"].append("https://travelguide.example/callback")
    report = await apply(ctx, document)
    assert only(report, "client").action == "updated"
    assert only(report, "client").id == client_id
    assert only(report, "client").changed == ["CallbackURLs"]
    client = await ctx.store.get_client(client_id)
    assert client is not None
    assert client.settings["CallbackURLs"][-1] == "https://travelguide.example/callback"


async def test_invalid_client_changes_nothing_and_names_the_client(ctx: Context) -> None:
    document = travelguide()
    name = pool_section(document)["PoolName"]
    client_section(document)["ExplicitAuthFlows"].append("ALLOW_MAGIC_AUTH")
    with pytest.raises(ApplyError) as exc:
        await apply(ctx, document)
    [problem] = exc.value.problems
    assert problem.startswith(f"client 'travelguide-web' of pool '{name}'")
    assert "explicitAuthFlows" in problem and "ALLOW_MAGIC_AUTH" in problem
    assert await pools_named(ctx, name) == []

    # Over an existing setup, a valid edit in the same file is not applied either.
    client_section(document)["ExplicitAuthFlows"].remove("ALLOW_MAGIC_AUTH")
    pool_id = only(await apply(ctx, document), "pool").id
    before = await ctx.store.get_pool(pool_id)
    pool_section(document)["Policies"]["PasswordPolicy"]["MinimumLength"] = 12
    client_section(document)["ExplicitAuthFlows"].append("ALLOW_MAGIC_AUTH")
    with pytest.raises(ApplyError):
        await apply(ctx, document)
    assert await ctx.store.get_pool(pool_id) == before


async def test_semantic_errors_are_found_before_anything_is_written(ctx: Context) -> None:
    document = travelguide()
    # Well-formed for the model, refused by Cognito's rules (HTTP off localhost).
    client_section(document)["CallbackURLs"] = ["http://travelguide.example/callback"]
    with pytest.raises(ApplyError) as exc:
        await apply(ctx, document)
    assert "client 'travelguide-web'" in exc.value.problems[0]
    assert "HTTPS" in exc.value.problems[0]
    assert await pools_named(ctx, pool_section(document)["PoolName"]) == []


async def test_unknown_keys_and_wrong_types_are_named(ctx: Context) -> None:
    document = travelguide()
    client_section(document)["ExplictAuthFlows"] = ["ALLOW_USER_SRP_AUTH"]
    pool_section(document)["Policies"]["PasswordPolicy"]["MinimumLength"] = "8"
    with pytest.raises(ApplyError) as exc:
        await apply(ctx, document)
    text = str(exc.value)
    assert "Policies.PasswordPolicy.MinimumLength must be an integer" in text
    assert "unknown setting 'ExplictAuthFlows' (did you mean 'ExplicitAuthFlows'?)" in text
    assert await pools_named(ctx, pool_section(document)["PoolName"]) == []


async def test_create_only_setting_cannot_change(ctx: Context) -> None:
    document = travelguide()
    pool_id = only(await apply(ctx, document), "pool").id
    before = await ctx.store.get_pool(pool_id)
    pool_section(document)["UsernameAttributes"] = ["phone_number"]
    pool_section(document)["Policies"]["PasswordPolicy"]["MinimumLength"] = 12
    with pytest.raises(ApplyError) as exc:
        await apply(ctx, document)
    [problem] = exc.value.problems
    assert "UsernameAttributes cannot change once the pool exists" in problem
    assert '["email"]' in problem and '["phone_number"]' in problem
    assert await ctx.store.get_pool(pool_id) == before


async def test_a_newer_pool_of_the_same_name_does_not_take_over(ctx: Context) -> None:
    document = travelguide()
    name = pool_section(document)["PoolName"]
    managed = only(await apply(ctx, document), "pool")
    # The README's old example did this to the demo: a second pool by the same name.
    newer = await pools.create_user_pool(ctx, name, {})
    pool_section(document)["Policies"]["PasswordPolicy"]["MinimumLength"] = 12
    report = await apply(ctx, document)
    result = only(report, "pool")
    assert (result.id, result.action) == (managed.id, "updated")
    [note] = result.notes
    assert note.startswith(f"2 user pools have this name; apply manages the oldest, {managed.id}")
    assert f"(newer: {newer.id})" in note
    assert report.to_dict()["pools"][0]["notes"] == [note]
    assert actions(report) == with_actions(("pool", "updated"))
    untouched = await ctx.store.get_pool(newer.id)
    assert untouched == newer
    updated = await ctx.store.get_pool(managed.id)
    assert updated is not None
    assert updated.settings["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert await pools_named(ctx, name) == [managed.id, newer.id]


async def test_pools_sharing_the_name_before_the_first_apply(ctx: Context) -> None:
    document = travelguide()
    name = pool_section(document)["PoolName"]
    # Made by hand as the file describes them (create-only settings must match).
    members = {
        key: value
        for key, value in pool_section(document).items()
        if key[0].isupper() and key != "PoolName"
    }
    first = await pools.create_user_pool(ctx, name, members)
    second = await pools.create_user_pool(ctx, name, members)
    report = await apply(ctx, document)
    # The oldest is adopted; the other is left as it was.
    assert only(report, "pool").id == first.id
    assert "apply manages the oldest" in only(report, "pool").notes[0]
    assert await ctx.store.get_pool(second.id) == second
    assert only(report, "client").action == "created"


async def test_generated_secret_is_shown_once_and_kept(ctx: Context) -> None:
    document = travelguide()
    client_section(document)["GenerateSecret"] = True
    first = only(await apply(ctx, document), "client")
    assert first.secret

    again = only(await apply(ctx, document), "client")
    assert (again.action, again.secret) == ("unchanged", None)
    client_section(document)["LogoutURLs"] = ["http://localhost:5173/bye"]
    updated = only(await apply(ctx, document), "client")
    assert (updated.action, updated.secret) == ("updated", None)
    client = await ctx.store.get_client(first.id)
    assert client is not None
    assert clients.client_secret(ctx, client) == first.secret

    # A secret cannot be added to or taken from an existing client.
    client_section(document)["GenerateSecret"] = False
    with pytest.raises(ApplyError, match="GenerateSecret cannot change"):
        await apply(ctx, document)


async def test_one_domain_for_two_pools_is_refused(ctx: Context) -> None:
    document = travelguide()
    other = copy.deepcopy(pool_section(document))
    other["PoolName"] += "-other"
    document["pools"].append(other)
    with pytest.raises(ApplyError, match="the file gives this domain to pool"):
        await apply(ctx, document)
    assert await pools_named(ctx, pool_section(document)["PoolName"]) == []


def test_cli_applies_the_example(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "poolgate.cli", "apply", *args, "--data-dir", str(tmp_path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = run("examples/travelguide/poolgate.toml")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("pool TravelGuideUserPool-staging us-east-1_")
    assert lines[0].endswith(": created")
    # The staff pool behind the identity provider is applied first, reported second.
    assert lines[1] == "  identity_provider TravelGuide-Staff-SSO: created"
    assert lines[2].startswith("  client travelguide-web ") and lines[2].endswith(": created")
    assert lines[3] == "  domain travelguide: created"
    assert lines[4:6] == ["  group admins: created", "  group travellers: created"]
    assert lines[6].startswith(f"  user {DEMO} ") and lines[6].endswith(": created")
    assert lines[7].startswith("pool TravelGuideStaff us-east-1_")
    assert lines[8].startswith("  client travelguide-sso ") and lines[8].endswith(": created")
    assert lines[9].startswith("    client secret: ")
    assert lines[10].startswith("  user staff@travelguide.example ")
    assert lines[11:17] == [
        "function hello: configured",
        "function destinations: configured",
        "function favourites: configured",
        "function travellers-group: configured",
        "function home-airport: configured",
        lines[16],
    ]
    assert lines[16].startswith("api travelguide ") and lines[16].endswith(": configured")
    assert lines[-1] == "10 created, 0 updated, 0 unchanged, 6 configured"
    # No password is ever printed.
    assert DEMO_PASSWORD not in first.stdout + first.stderr
    assert "TravelGuide-Staff-2026!" not in first.stdout + first.stderr

    second = run("examples/travelguide/poolgate.toml", "--output", "json")
    assert second.returncode == 0, second.stderr
    pool, staff = json.loads(second.stdout)["pools"]
    assert staff["name"] == "TravelGuideStaff" and staff["action"] == "unchanged"
    assert pool["name"] == "TravelGuideUserPool-staging" and pool["action"] == "unchanged"
    assert pool["id"] in lines[0]
    assert pool["identity_providers"][0]["action"] == "unchanged"
    assert pool["clients"][0]["action"] == "unchanged"
    assert pool["clients"][0]["id"] in lines[2]
    assert pool["domain"] == {"name": "travelguide", "id": "travelguide", "action": "unchanged"}
    assert [(g["name"], g["action"]) for g in pool["groups"]] == [
        ("admins", "unchanged"),
        ("travellers", "unchanged"),
    ]
    [user] = pool["users"]
    assert (user["name"], user["action"]) == (DEMO, "unchanged")
    assert user["id"] in lines[6]
    assert DEMO_PASSWORD not in second.stdout

    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace('"ALLOW_USER_SRP_AUTH"', '"ALLOW_MAGIC_AUTH"'))
    refused = run(str(bad))
    assert refused.returncode == 2
    assert "nothing was changed" in refused.stderr
    assert "client 'travelguide-web' of pool 'TravelGuideUserPool-staging'" in refused.stderr


# --------------------------------------------------------------------------- users, groups


async def sign_in_and_choose(ctx: Context, client_id: str, password: str, new: str) -> None:
    """The demo user's first sign-in: NEW_PASSWORD_REQUIRED answered with ``new``."""
    outcome = await flows.initiate_auth(
        ctx, client_id, "USER_PASSWORD_AUTH", {"USERNAME": DEMO, "PASSWORD": password}
    )
    assert outcome.challenge_name == "NEW_PASSWORD_REQUIRED"
    assert outcome.challenge_parameters is not None
    done = await flows.respond_to_auth_challenge(
        ctx,
        client_id,
        "NEW_PASSWORD_REQUIRED",
        {"USERNAME": outcome.challenge_parameters["USER_ID_FOR_SRP"], "NEW_PASSWORD": new},
        outcome.session,
    )
    assert done.tokens is not None


async def test_a_user_who_changed_their_password_keeps_it(ctx: Context) -> None:
    document = travelguide()
    first = await apply(ctx, document)
    pool_id, client_id = only(first, "pool").id, only(first, "client").id
    await sign_in_and_choose(ctx, client_id, DEMO_PASSWORD, "My-Own-Choice-42")
    changed = await demo_user(ctx, pool_id)
    assert changed.status == lookup.CONFIRMED

    # The file still carries the temporary password: applying it again resets nothing.
    again = await apply(ctx, document)
    assert only(again, "user").action == "unchanged"
    user = await demo_user(ctx, pool_id)
    assert user == changed
    assert await passwords.password_matches(ctx.sealer, user, "My-Own-Choice-42")
    assert not await passwords.password_matches(ctx.sealer, user, DEMO_PASSWORD)
    outcome = await flows.initiate_auth(
        ctx, client_id, "USER_PASSWORD_AUTH", {"USERNAME": DEMO, "PASSWORD": "My-Own-Choice-42"}
    )
    assert outcome.tokens is not None


async def test_existing_users_are_left_alone_but_join_missing_groups(ctx: Context) -> None:
    document = travelguide()
    first = await apply(ctx, document)
    pool_id = only(first, "pool").id
    user = await demo_user(ctx, pool_id)
    await groups.admin_remove_user_from_group(ctx, pool_id, user.username, "travellers")

    # Attribute edits in the file do not reach an existing user either.
    [section] = pool_section(document)["users"]
    section["Groups"] = ["travellers", "admins"]
    section["UserAttributes"] = [{"Name": "name", "Value": "Someone Else"}]
    section["TemporaryPassword"] = "Another-Temp-123"
    report = await apply(ctx, document)
    assert only(report, "user").action == "updated"
    assert only(report, "user").changed == ["Groups"]
    after = await demo_user(ctx, pool_id)
    assert await group_names(ctx, pool_id, after) == ["admins", "travellers"]
    assert after.attributes == user.attributes
    assert after.credential_sealed == user.credential_sealed
    assert only(await apply(ctx, document), "user").action == "unchanged"


async def test_groups_are_created_and_updated(ctx: Context) -> None:
    document = travelguide()
    role = "arn:aws:iam::123456789012:role/TravelGuideAdmins"
    pool_section(document)["groups"][0]["RoleArn"] = role
    pool_section(document)["groups"].append({"GroupName": "guides", "Description": "Local guides"})
    first = await apply(ctx, document)
    pool_id = only(first, "pool").id
    assert [(r.name, r.action) for r in first.walk() if r.kind == "group"] == [
        ("admins", "created"),
        ("travellers", "created"),
        ("guides", "created"),
    ]
    guides = await ctx.store.get_group(pool_id, "guides")
    assert guides is not None
    assert (guides.description, guides.precedence, guides.role_arn) == ("Local guides", None, None)
    admins = await ctx.store.get_group(pool_id, "admins")
    assert admins is not None and admins.role_arn == role

    pool_section(document)["groups"][1]["Precedence"] = 5
    pool_section(document)["groups"][1]["Description"] = "Travellers"
    # UpdateGroup semantics: a member the file leaves out keeps its value.
    del pool_section(document)["groups"][0]["RoleArn"]
    report = await apply(ctx, document)
    assert [(r.name, r.action, r.changed) for r in report.walk() if r.kind == "group"] == [
        ("admins", "unchanged", []),
        ("travellers", "updated", ["Description", "Precedence"]),
        ("guides", "unchanged", []),
    ]
    travellers = await ctx.store.get_group(pool_id, "travellers")
    assert travellers is not None
    assert (travellers.precedence, travellers.description) == (5, "Travellers")
    admins = await ctx.store.get_group(pool_id, "admins")
    assert admins is not None and admins.role_arn == role


async def test_a_permanent_password_makes_a_confirmed_user(ctx: Context) -> None:
    document = travelguide()
    pool_section(document)["users"].append(
        {
            "Username": "ops@travelguide.example",
            "UserAttributes": [{"Name": "email_verified", "Value": "true"}],
            "Password": "Ops-Password-2026!",
            "Permanent": True,
            "Groups": ["admins"],
        }
    )
    report = await apply(ctx, document)
    pool_id = only(report, "pool").id
    assert [(r.name, r.action) for r in report.walk() if r.kind == "user"] == [
        (DEMO, "created"),
        ("ops@travelguide.example", "created"),
    ]
    pool = await pools.require_pool(ctx, pool_id)
    user = await lookup.require_user(ctx, pool, "ops@travelguide.example")
    assert user.status == lookup.CONFIRMED
    assert await passwords.password_matches(ctx.sealer, user, "Ops-Password-2026!")
    assert await group_names(ctx, pool_id, user) == ["admins"]
    outcome = await flows.initiate_auth(
        ctx,
        only(report, "client").id,
        "USER_PASSWORD_AUTH",
        {"USERNAME": "ops@travelguide.example", "PASSWORD": "Ops-Password-2026!"},
    )
    assert outcome.tokens is not None


async def test_invalid_users_and_groups_change_nothing(ctx: Context) -> None:
    document = travelguide()
    name = pool_section(document)["PoolName"]
    sections = pool_section(document)
    sections["groups"][0]["Precedence"] = -1
    sections["groups"][1]["Precedance"] = 3
    sections["users"][0]["MessageAction"] = "RESEND"
    sections["users"][0]["Groups"] = ["travellers", "pilots"]
    sections["users"].append({"Username": "weak@travelguide.example", "TemporaryPassword": "weak"})
    sections["users"].append({"Username": "nobody", "TemporaryPassword": DEMO_PASSWORD})
    sections["users"].append({"Username": "silent@travelguide.example"})
    sections["users"].append(
        {"Username": "half@travelguide.example", "Password": "Half-Password-1!"}
    )
    sections["users"].append(
        {
            "Username": "typo@travelguide.example",
            "TemporaryPasword": DEMO_PASSWORD,
            "UserAttributes": [{"Name": "shoe_size", "Value": "42"}],
        }
    )
    with pytest.raises(ApplyError) as exc:
        await apply(ctx, document)
    text = str(exc.value)
    pool_label = f"of pool '{name}'"
    assert f"group 'admins' {pool_label}: " in text and "greater than or equal to 0" in text
    assert f"group 'travellers' {pool_label}: unknown setting 'Precedance'" in text
    assert "(did you mean 'Precedence'?)" in text
    assert f"user '{DEMO}' {pool_label}: MessageAction cannot be set" in text
    assert (
        f"user 'typo@travelguide.example' {pool_label}: unknown setting 'TemporaryPasword' "
        "(did you mean 'TemporaryPassword'?)"
    ) in text
    assert DEMO_PASSWORD not in text
    assert f"user 'silent@travelguide.example' {pool_label}: give TemporaryPassword" in text
    assert f"user 'half@travelguide.example' {pool_label}: Password sets a permanent" in text
    assert await pools_named(ctx, name) == []

    # Past the document's own checks, the pool's rules are applied before writing.
    document = travelguide()
    name = pool_section(document)["PoolName"]
    pool_label = f"of pool '{name}'"
    sections = pool_section(document)
    sections["users"][0]["Groups"] = ["travellers", "pilots"]
    sections["users"].append(
        {"Username": "weak@travelguide.example", "TemporaryPassword": "weakling"}
    )
    sections["users"].append({"Username": "nobody", "TemporaryPassword": DEMO_PASSWORD})
    sections["users"].append(
        {
            "Username": "shoes@travelguide.example",
            "TemporaryPassword": DEMO_PASSWORD,
            "UserAttributes": [{"Name": "shoe_size", "Value": "42"}],
        }
    )
    with pytest.raises(ApplyError) as exc:
        await apply(ctx, document)
    problems = exc.value.problems
    assert problems == [
        f"user '{DEMO}' {pool_label}: Groups names 'pilots', which is neither a "
        "[[pools.groups]] entry of the file nor a group of the pool",
        f"user 'weak@travelguide.example' {pool_label}: Password did not conform with "
        f"policy: {problems[1].split('policy: ', 1)[-1]}",
        f"user 'nobody' {pool_label}: Username should be an email.",
        f"user 'shoes@travelguide.example' {pool_label}: Attributes did not conform to the "
        "schema: Type for attribute {shoe_size} could not be determined",
    ]
    assert not any("weakling" in problem for problem in problems)
    assert await pools_named(ctx, name) == []


async def test_mfa_section_changes_the_pools_mfa(ctx: Context) -> None:
    document = travelguide()
    pool_id = only(await apply(ctx, document), "pool").id
    pool_section(document)["mfa"]["MfaConfiguration"] = "ON"
    # Required MFA rules out passwordless first factors: refused before any write.
    with pytest.raises(ApplyError, match="cannot be used while MfaConfiguration is ON"):
        await apply(ctx, document)
    policies = pool_section(document)["Policies"]
    policies["SignInPolicy"]["AllowedFirstAuthFactors"] = ["PASSWORD"]
    report = await apply(ctx, document)
    assert only(report, "pool").action == "updated"
    assert only(report, "pool").changed == ["MfaConfiguration", "Policies"]
    pool = await pools.require_pool(ctx, pool_id)
    assert pool.settings["MfaConfiguration"] == "ON"
    assert pool.settings["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert actions(await apply(ctx, document))[0] == ("pool", "unchanged")


async def test_mfa_mode_belongs_in_the_mfa_section(ctx: Context) -> None:
    document = travelguide()
    pool_section(document)["MfaConfiguration"] = "OPTIONAL"
    with pytest.raises(ApplyError) as exc:
        await apply(ctx, document)
    assert any("set MfaConfiguration in [pools.mfa]" in p for p in exc.value.problems)
    pool_section(document).pop("MfaConfiguration")
    pool_section(document)["mfa"]["SoftwareTokenMfaConfiguration"] = {"Enabled": False}
    with pytest.raises(ApplyError, match="without an MFA type"):
        await apply(ctx, document)
