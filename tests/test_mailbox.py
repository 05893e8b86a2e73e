"""The developer mailbox: ``/_mailbox`` (JSON and HTML) and ``poolgate mailbox``."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from typer.testing import CliRunner

from poolgate.config import ConfigError, load_settings
from poolgate.core.context import Context
from poolgate.core.records import Message
from poolgate.crypto.sealing import Sealer
from poolgate.mailbox import mailbox_routes
from poolgate.mailbox.cli import mailbox_app
from poolgate.store.sql import SqlStore


def message(recipient: str, body: str, created: float = 1_800_000_000.0) -> Message:
    return Message(
        channel="EMAIL",
        recipient=recipient,
        subject="Your verification code",
        body=body,
        created=created,
        pool_id="us-east-1_AbCdEf123",
        username=recipient.partition("@")[0],
        purpose="SignUp",
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    opened = await SqlStore.open(f"sqlite:///{tmp_path / 'poolgate.db'}")
    yield opened
    await opened.close()


@pytest.fixture
async def client(store: SqlStore) -> AsyncIterator[httpx.AsyncClient]:
    ctx = Context(store=store, sealer=Sealer(os.urandom(32)))
    app = Starlette(routes=mailbox_routes(lambda: ctx))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://poolgate") as http:
        yield http


async def test_messages_newest_first(store: SqlStore, client: httpx.AsyncClient) -> None:
    first = await store.add_message(message("jane@example.com", "Code 111111"))
    second = await store.add_message(message("joe@example.com", "Code 222222", 1_800_000_060.0))
    response = await client.get("/_mailbox/messages")
    assert response.status_code == 200
    listed = response.json()["messages"]
    assert [m["id"] for m in listed] == [second, first]
    assert listed[1] == {
        "id": first,
        "channel": "EMAIL",
        "recipient": "jane@example.com",
        "subject": "Your verification code",
        "body": "Code 111111",
        "created": 1_800_000_000.0,
        "expires": None,
        "pool_id": "us-east-1_AbCdEf123",
        "username": "jane",
        "purpose": "SignUp",
    }
    assert response.headers["cache-control"] == "no-store"


async def test_messages_filters(store: SqlStore, client: httpx.AsyncClient) -> None:
    ids = [await store.add_message(message("jane@example.com", f"Code {i}")) for i in range(3)]
    await store.add_message(message("joe@example.com", "Code joe"))
    by_recipient = await client.get("/_mailbox/messages", params={"recipient": "jane@example.com"})
    assert [m["body"] for m in by_recipient.json()["messages"]] == ["Code 2", "Code 1", "Code 0"]
    limited = (await client.get("/_mailbox/messages", params={"limit": "1"})).json()["messages"]
    assert [m["body"] for m in limited] == ["Code joe"]
    after = await client.get(
        "/_mailbox/messages", params={"recipient": "jane@example.com", "after": str(ids[0])}
    )
    assert [m["id"] for m in after.json()["messages"]] == [ids[2], ids[1]]


@pytest.mark.parametrize(
    "query", [{"limit": "0"}, {"limit": "501"}, {"limit": "ten"}, {"after": "-1"}, {"after": "x"}]
)
async def test_messages_bad_query_is_400(client: httpx.AsyncClient, query: dict[str, str]) -> None:
    response = await client.get("/_mailbox/messages", params=query)
    assert response.status_code == 400
    assert response.json()["error"]


async def test_page_escapes_and_has_a_labelled_filter(
    store: SqlStore, client: httpx.AsyncClient
) -> None:
    await store.add_message(message("jane@example.com", "<script>alert('x')</script> 123456"))
    response = await client.get("/_mailbox")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<label for="recipient">' in html
    assert 'id="recipient" name="recipient"' in html
    assert '<form method="get"' in html
    assert '<th scope="col">Recipient</th>' in html
    assert "jane@example.com" in html and "<pre>" in html
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_page_filters_by_recipient(store: SqlStore, client: httpx.AsyncClient) -> None:
    await store.add_message(message("jane@example.com", "Code for jane"))
    await store.add_message(message("joe@example.com", "Code for joe"))
    html = (await client.get("/_mailbox", params={"recipient": "joe@example.com"})).text
    assert "Code for joe" in html
    assert "Code for jane" not in html
    assert 'value="joe@example.com"' in html
    assert (await client.get("/_mailbox", params={"limit": "0"})).status_code == 400


async def test_page_escapes_the_recipient_filter(client: httpx.AsyncClient) -> None:
    html = (await client.get("/_mailbox", params={"recipient": '"><script>x</script>'})).text
    assert "<script>" not in html
    assert "No messages" in html


# The CLI


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own POOLGATE_* settings must not point the command elsewhere.
    for name in list(os.environ):
        if name.startswith("POOLGATE_"):
            monkeypatch.delenv(name)


def test_cli_lists_stored_messages(tmp_path: Path, cli_env: None) -> None:
    async def fill() -> None:
        store = await SqlStore.open(f"sqlite:///{tmp_path / 'poolgate.db'}")
        try:
            await store.add_message(message("jane@example.com", "Your code is 314159. "))
            await store.add_message(message("joe@example.com", "Your code is 271828. "))
        finally:
            await store.close()

    asyncio.run(fill())
    runner = CliRunner()
    result = runner.invoke(mailbox_app, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "jane@example.com" in result.output
    assert "Subject: Your verification code" in result.output
    assert result.output.index("271828") < result.output.index("314159")

    filtered = runner.invoke(
        mailbox_app, ["--data-dir", str(tmp_path), "--recipient", "jane@example.com", "--json"]
    )
    assert filtered.exit_code == 0, filtered.output
    listed = json.loads(filtered.output)["messages"]
    assert [m["body"] for m in listed] == ["Your code is 314159. "]

    none = runner.invoke(mailbox_app, ["--data-dir", str(tmp_path), "-r", "nobody@example.com"])
    assert none.exit_code == 0
    assert "No messages to nobody@example.com." in none.output


def test_cli_without_a_database(tmp_path: Path, cli_env: None) -> None:
    result = CliRunner().invoke(mailbox_app, ["--data-dir", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "no database at" in result.output
    assert not (tmp_path / "missing").exists()


# The setting that turns the mailbox off


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("false", "false"),
        ("0", "false"),
        ("No", "false"),
        ("true", "true"),
        ("1", "true"),
        ("yes", "true"),
        ("Auto", "auto"),
    ],
)
def test_mailbox_setting_from_the_environment(raw: str, expected: str) -> None:
    assert load_settings(None, {"POOLGATE_MAILBOX": raw}).mailbox == expected


def test_mailbox_setting_from_toml_and_errors(tmp_path: Path) -> None:
    config = tmp_path / "poolgate.toml"
    config.write_text("[server]\nmailbox = false\nsmtp_starttls = true\n")
    settings = load_settings(config, {})
    assert (settings.mailbox, settings.smtp_starttls) == ("false", True)
    assert load_settings(None, {}).mailbox == "auto"
    with pytest.raises(ConfigError, match="mailbox"):
        load_settings(None, {"POOLGATE_MAILBOX": "maybe"})
    config.write_text('mailbox = "sometimes"\n')
    with pytest.raises(ConfigError, match="auto, true or false"):
        load_settings(config, {})
