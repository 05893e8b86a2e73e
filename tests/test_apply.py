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
from poolgate.core import clients, pools
from poolgate.core.context import Context
from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "travelguide" / "poolgate.toml"


@pytest.fixture(params=BACKENDS)
async def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Context]:
    database_url = "" if request.param == "sqlite" else request.getfixturevalue("pg_database")
    opened = await open_context(Settings(data_dir=tmp_path, database_url=database_url))
    yield opened
    await opened.store.close()


def travelguide() -> dict[str, Any]:
    """The example file with a pool name and domain of its own: the PostgreSQL
    database is shared by the whole session."""
    document = tomllib.loads(EXAMPLE.read_text())
    suffix = secrets.token_hex(4)
    document["pools"][0]["PoolName"] += f"-{suffix}"
    document["pools"][0]["domain"]["Domain"] += f"-{suffix}"
    return document


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
    ids: list[str] = []
    token: str | None = None
    while True:
        page, token = await pools.list_user_pools(ctx, 60, token)
        ids += [pool.id for pool in page if pool.name == name]
        if token is None:
            return ids


async def test_apply_creates_the_travelguide_setup(ctx: Context) -> None:
    document = travelguide()
    report = await apply(ctx, document)
    assert actions(report) == [("pool", "created"), ("client", "created"), ("domain", "created")]

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
    ]
    assert client.settings["AllowedOAuthFlows"] == ["code"]
    assert client.settings["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert client.settings["AllowedOAuthFlowsUserPoolClient"] is True
    assert client.settings["CallbackURLs"] == ["http://localhost:5173/callback"]
    assert client.settings["LogoutURLs"] == ["http://localhost:5173/"]
    assert client.settings["SupportedIdentityProviders"] == ["COGNITO"]

    domain = await ctx.store.get_domain(only(report, "domain").name)
    assert domain is not None and domain.pool_id == pool.id


async def test_second_apply_reports_unchanged_and_writes_nothing(ctx: Context) -> None:
    document = travelguide()
    first = await apply(ctx, document)
    pool_before = await ctx.store.get_pool(only(first, "pool").id)
    client_before = await ctx.store.get_client(only(first, "client").id)

    second = await apply(ctx, document)
    assert actions(second) == [
        ("pool", "unchanged"),
        ("client", "unchanged"),
        ("domain", "unchanged"),
    ]
    assert [r.id for r in second.walk()] == [r.id for r in first.walk()]
    assert second.counts() == {"created": 0, "updated": 0, "unchanged": 3}
    # Not even rewritten: LastModifiedDate stays.
    assert await ctx.store.get_pool(only(first, "pool").id) == pool_before
    assert await ctx.store.get_client(only(first, "client").id) == client_before
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
    assert actions(second) == [
        ("pool", "updated"),
        ("client", "unchanged"),
        ("domain", "unchanged"),
    ]
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


async def test_pools_sharing_the_name_are_refused(ctx: Context) -> None:
    document = travelguide()
    name = pool_section(document)["PoolName"]
    first = await pools.create_user_pool(ctx, name, {})
    second = await pools.create_user_pool(ctx, name, {})
    with pytest.raises(ApplyError) as exc:
        await apply(ctx, document)
    [problem] = exc.value.problems
    assert problem.startswith(f"pool '{name}': 2 user pools have this name")
    assert first.id in problem and second.id in problem
    assert sorted(await pools_named(ctx, name)) == sorted([first.id, second.id])


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
    assert lines[1].startswith("  client travelguide-web ") and lines[1].endswith(": created")
    assert lines[2] == "  domain travelguide: created"
    assert lines[-1] == "3 created, 0 updated, 0 unchanged"

    second = run("examples/travelguide/poolgate.toml", "--output", "json")
    assert second.returncode == 0, second.stderr
    [pool] = json.loads(second.stdout)["pools"]
    assert pool["name"] == "TravelGuideUserPool-staging" and pool["action"] == "unchanged"
    assert pool["id"] in lines[0]
    assert pool["clients"][0]["action"] == "unchanged"
    assert pool["clients"][0]["id"] in lines[1]
    assert pool["domain"] == {"name": "travelguide", "id": "travelguide", "action": "unchanged"}

    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace('"ALLOW_USER_SRP_AUTH"', '"ALLOW_MAGIC_AUTH"'))
    refused = run(str(bad))
    assert refused.returncode == 2
    assert "nothing was changed" in refused.stderr
    assert "client 'travelguide-web' of pool 'TravelGuideUserPool-staging'" in refused.stderr
