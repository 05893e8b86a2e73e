"""``poolgate mailbox``: the latest messages in the outbox, from the command line."""

from __future__ import annotations

import asyncio
import json
import textwrap
import time
from pathlib import Path
from typing import Annotated

import typer

from poolgate.config import ConfigError, Settings, load_settings
from poolgate.core.records import Message
from poolgate.mailbox.routes import MAX_LIMIT, format_age, message_json

mailbox_app = typer.Typer(
    help="Read the outbox: codes and invitations Poolgate kept.",
    # A listing, not a group of commands: no "COMMAND [ARGS]" in its usage line.
    subcommand_metavar="",
    add_completion=False,
)


def _settings(config: Path | None, data_dir: Path | None) -> Settings:
    try:
        return load_settings(config, None, data_dir=data_dir)
    except ConfigError as exc:
        typer.echo(f"poolgate: {exc}", err=True)
        raise typer.Exit(2) from None


async def _read(settings: Settings, recipient: str | None, limit: int) -> list[Message]:
    from poolgate.bootstrap import open_context
    from poolgate.core.messages import outbox

    ctx = await open_context(settings)
    try:
        return await outbox.list_messages(ctx, recipient=recipient, limit=limit)
    finally:
        await ctx.close()


def _print(messages: list[Message], now: float) -> None:
    for i, m in enumerate(messages):
        if i:
            typer.echo("")
        channel = f"{m.channel} {m.purpose}".strip()
        typer.echo(
            typer.style(m.recipient, bold=True)
            + typer.style(f"  {channel}  #{m.id}  {format_age(now - m.created)}", dim=True)
        )
        if m.subject:
            typer.echo(f"  Subject: {m.subject}")
        if m.pool_id or m.username:
            typer.echo(typer.style(f"  {m.pool_id or '-'} / {m.username or '-'}", dim=True))
        typer.echo(textwrap.indent(m.body.rstrip() or "(empty)", "    ", lambda _: True))


@mailbox_app.callback(invoke_without_command=True)
def mailbox(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="TOML configuration file.")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory for the SQLite database and keys.")
    ] = None,
    recipient: Annotated[
        str | None, typer.Option("--recipient", "-r", help="Only messages to this address.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=MAX_LIMIT, help="How many messages.")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """List the latest messages (newest first) from the configured database."""
    settings = _settings(config, data_dir)
    if not settings.database_url:
        db = settings.data_dir / "poolgate.db"
        if not db.exists():
            # Opening would create an empty database; a wrong directory deserves a word.
            typer.echo(f"poolgate: no database at {db} (start the server first?)", err=True)
            raise typer.Exit(1)
    try:
        found = asyncio.run(_read(settings, recipient or None, limit))
    except Exception as exc:
        typer.echo(f"poolgate: cannot read the outbox: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps({"messages": [message_json(m) for m in found]}, indent=2))
    elif not found:
        typer.echo(f"No messages{f' to {recipient}' if recipient else ''}.")
    else:
        _print(found, time.time())
