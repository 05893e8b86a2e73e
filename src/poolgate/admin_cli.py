"""``poolgate admin``: the console's administrators from the command line, for the
first administrator of a deployment that was not started with
POOLGATE_BOOTSTRAP_ADMIN_USERNAME, or to get back in when every administrator is
locked out.

``create`` makes a user of the administrators' pool (and the pool, the first time)
with a temporary password, so the first sign-in at ``/admin/`` asks for a new one.
The password is typed at a prompt (twice, not echoed) or read from standard input
with ``--password-stdin``: never an argument, which ``ps`` and shell histories show.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from poolgate.cli_options import ConfigOption, DataDirOption
from poolgate.config import ConfigError, load_settings

admin_app = typer.Typer(
    help="Administrators of the admin console (/admin/).",
    add_completion=False,
    rich_markup_mode=None,
)


@admin_app.command("create")
def create_command(
    username: Annotated[str, typer.Argument(help="The administrator's user name.")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    email: Annotated[
        str | None, typer.Option(help="The administrator's email address (optional).")
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the temporary password from standard input."),
    ] = False,
) -> None:
    """Create a console administrator with a temporary password: the first sign-in at
    /admin/ asks for a new one. Works with the server running or stopped."""
    from poolgate.bootstrap import console_setup, open_context
    from poolgate.core.admins import accounts
    from poolgate.core.errors import CognitoError

    try:
        settings = load_settings(config, None, data_dir=data_dir)
    except ConfigError as exc:
        typer.echo(f"poolgate admin create: {exc}", err=True)
        raise typer.Exit(2) from None
    if not settings.console:
        typer.echo("poolgate admin create: the console is off (console = false)", err=True)
        raise typer.Exit(2)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Temporary password", hide_input=True, confirmation_prompt=True)
    setup = console_setup(settings)

    async def run() -> str:
        ctx = await open_context(settings)
        try:
            found, _user = await accounts.create_administrator(
                ctx, setup, username.strip(), password, email
            )
            return found.pool.id
        finally:
            await ctx.close()

    try:
        pool_id = asyncio.run(run())
    except CognitoError as exc:
        typer.echo(f"poolgate admin create: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Created administrator {username.strip()} in the administrators' pool {pool_id}. "
        f"Sign in at {setup.public_url}/admin/ with the temporary password; the first "
        "sign-in asks for a new one."
    )
