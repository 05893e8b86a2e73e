"""``poolgate master-key``: rotate the master key that seals the stored secrets.

``rotate`` opens every sealed secret with the current key and seals it with a new one
in one transaction (``core.keys.master_key.reseal_all``), then hands the new key over:

- a key kept in the data directory (``master.key``, generated on first start) is
  replaced there: the new key is written to ``master.key.new`` (0600) before the
  transaction commits, and renamed over ``master.key`` after it did;
- a configured key (``POOLGATE_MASTER_KEY`` or ``master_key``) cannot be rewritten
  from here: the new key is printed once, to be set on every node.

Every node must be stopped first: a node still running with the old key could not
open what the rotation resealed. On PostgreSQL the command refuses while other
Poolgate sessions are connected.
"""

from __future__ import annotations

import asyncio
import os
import shlex
from pathlib import Path
from typing import Annotated

import typer

from poolgate.cli_options import ConfigOption, DataDirOption
from poolgate.config import Settings, load_settings
from poolgate.startup import StartupError, one_line_errors

master_key_app = typer.Typer(
    help="The master key that seals stored secrets (verifiers, client secrets, signing keys).",
    add_completion=False,
    rich_markup_mode=None,
)

# The rotation's own sessions are named apart, so they are not taken for a server's.
ADMIN_APPLICATION_NAME = "poolgate-admin"


@master_key_app.command("rotate")
def rotate_command(
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    new_key_file: Annotated[
        Path | None,
        typer.Option(
            "--new-key-file",
            help="Read the new key (32 bytes, base64) from this file instead of generating one.",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Print the traceback of a failure.")] = (
        False
    ),
) -> None:
    """Seal every stored secret with a new master key, in one transaction.

    Stop every node first. With the key in DATA_DIR/master.key the file is replaced;
    with POOLGATE_MASTER_KEY (or master_key) set, the new key is printed once: set it
    on every node before starting them again. One-time codes, sign-in sessions and
    hosted-page sessions in flight become invalid.
    """
    with one_line_errors(debug, prefix="poolgate master-key rotate"):
        settings = load_settings(config, None, data_dir=data_dir)
        counts, new_text, path = asyncio.run(_rotate(settings, new_key_file))
    typer.echo(f"resealed {counts} with the new master key")
    if path is not None:
        typer.echo(f"the new key is in {path} (mode 0600); the old one is gone")
    else:
        typer.echo(
            "the master key comes from the configuration: set the new one on every node "
            "before starting them again (shown only this once):\n"
            f"  POOLGATE_MASTER_KEY={shlex.quote(new_text)}"
        )


async def _rotate(settings: Settings, new_key_file: Path | None) -> tuple[object, str, Path | None]:
    from poolgate.bootstrap import open_context
    from poolgate.core.keys.master_key import encode_master_key, reseal_all
    from poolgate.crypto.sealing import Sealer, decode_master_key, write_private_file

    key_path = settings.data_dir / "master.key"
    if not settings.master_key and not key_path.exists():
        raise StartupError(
            f"there is no master key yet: neither POOLGATE_MASTER_KEY nor {key_path}; "
            "`poolgate serve` creates one on its first start",
            2,
        )
    if new_key_file is not None:
        new_key = decode_master_key(new_key_file.read_text())
    else:
        new_key = os.urandom(32)
    new_text = encode_master_key(new_key)
    ctx = await open_context(settings, application_name=ADMIN_APPLICATION_NAME)
    try:
        await _refuse_running_servers(ctx)
        pending = None
        if not settings.master_key:
            pending = key_path.with_name("master.key.new")
            pending.unlink(missing_ok=True)
            # Written before the commit: whatever happens next, the key that sealed
            # the database is on disk.
            write_private_file(pending, new_text + "\n")
        counts = await reseal_all(ctx.store, ctx.sealer, Sealer(new_key), ctx.clock())
    finally:
        await ctx.close()
    if pending is not None:
        os.replace(pending, key_path)
        return counts, new_text, key_path
    return counts, new_text, None


async def _refuse_running_servers(ctx: object) -> None:
    from poolgate.store.postgres import APPLICATION_NAME, active_sessions

    engine = getattr(getattr(ctx, "store", None), "engine", None)
    if engine is None or engine.dialect.name != "postgresql":
        return
    running = await active_sessions(engine, APPLICATION_NAME)
    if running:
        raise StartupError(
            f"{running} Poolgate server connection{'s are' if running > 1 else ' is'} open on "
            "this database: stop every node before rotating the master key"
        )
