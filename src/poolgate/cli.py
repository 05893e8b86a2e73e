"""The ``poolgate`` command."""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import os
import shlex
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from poolgate.cli_options import ConfigOption, DataDirOption
from poolgate.config import ConfigError, Settings, load_settings
from poolgate.serve_arguments import fast_serve_arguments

if TYPE_CHECKING:
    from poolgate.apply import ApplyReport, Result
    from poolgate.gateway.config import GatewayConfig

# Plain help, as click prints it: Rich markup would take "[[apis]]" in a docstring for
# a style tag and print "[]", and would keep the docstrings' line breaks.
app = typer.Typer(
    help="Poolgate: a self-hosted identity platform that speaks Amazon Cognito.",
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database schema commands.")
app.add_typer(db_app, name="db")


def _print_version(value: bool) -> None:
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("poolgate")
    except PackageNotFoundError:  # run from a source tree that was never installed
        found = "0+unknown"
    typer.echo(f"poolgate {found}")
    raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the installed version and exit.",
        ),
    ] = False,
) -> None:
    pass


def _register_mailbox() -> None:
    from poolgate.mailbox.cli import mailbox_app

    app.add_typer(mailbox_app, name="mailbox")


_register_mailbox()


def _register_master_key() -> None:
    from poolgate.master_key_cli import master_key_app

    app.add_typer(master_key_app, name="master-key")


_register_master_key()


def _register_admin() -> None:
    from poolgate.admin_cli import admin_app

    app.add_typer(admin_app, name="admin")


_register_admin()


def _settings(config: Path | None, **overrides: object) -> Settings:
    try:
        return load_settings(config, None, **overrides)
    except ConfigError as exc:
        typer.echo(f"poolgate: {exc}", err=True)
        raise typer.Exit(2) from None


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@app.command(
    short_help="Run the identity provider, and the API gateway for the --config file's [[apis]]."
)
def serve(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port of the identity provider.")] = None,
    data_dir: DataDirOption = None,
    public_url: Annotated[
        str | None, typer.Option(help="Public base URL (issuer prefix); default http://host:port.")
    ] = None,
    gateway_port: Annotated[
        int | None,
        typer.Option(
            help="Port of the API gateway serving the config file's [[apis]]; 0: no gateway."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes sharing the ports (each runs both listeners); "
            "default: one per CPU core.",
        ),
    ] = None,
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format",
            help="text, or json: one JSON object per line, audit events' fields apart.",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Print the traceback of a failed start.")
    ] = False,
) -> None:
    """Run the identity provider (AWS JSON API, OAuth, hosted UI, JWKS), and the API
    gateway when --gateway-port is given and the --config file declares [[apis]].

    A start that cannot go on (database, data directory, port, master key) prints one
    line naming the problem and the setting to change, and exits non-zero."""
    from poolgate.server import run

    settings = _settings(
        config,
        host=host,
        port=port,
        data_dir=data_dir,
        public_url=public_url,
        gateway_port=gateway_port,
        log_format=log_format,
    )
    from poolgate import logs

    logs.configure(settings.log_level, settings.log_format)
    gateway_config = _gateway_config(settings, config)
    _check_declarations(settings, config)
    if not run(
        settings, gateway_config, workers or _cores(), debug=debug, announce=typer.echo,
        config_dir=config.resolve().parent if config is not None else None,
    ):  # fmt: skip
        raise typer.Exit(3)


def _gateway_config(settings: Settings, config: Path | None) -> GatewayConfig | None:
    """The gateway's configuration, when a port is set and the config file declares APIs.

    Routes are configuration, not stored state: they are read from the --config file
    here, at start, with relative code_dir paths resolved against its directory.
    """
    if not settings.gateway_port:
        return None
    if config is None or not settings.extra.get("apis"):
        logging.getLogger("poolgate").warning(
            "--gateway-port %d: the config file declares no [[apis]]; no gateway started",
            settings.gateway_port,
        )
        return None
    from poolgate.gateway.config import GatewayConfigError, parse

    try:
        return parse(settings.extra, config.resolve().parent)
    except GatewayConfigError as exc:
        typer.echo(f"poolgate: {config}: the gateway configuration has problems:", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(2) from None


def _check_declarations(settings: Settings, config: Path | None) -> None:
    """Refuse a --config file whose [[pools]] ``poolgate apply`` would refuse, and
    whose [[functions]] and [[apis]] are wrong when no gateway serves them (when one
    does, ``_gateway_config`` has checked them). The server does not read these sections,
    but a typo anywhere in its file is an error, not a silently ignored key."""
    if config is None:
        return
    problems: list[str] = []
    if "pools" in settings.extra:
        from poolgate.apply import check

        problems += check(settings.extra)
    if not settings.gateway_port and ("functions" in settings.extra or "apis" in settings.extra):
        from poolgate.gateway.config import check as check_gateway

        problems += check_gateway(settings.extra, config.resolve().parent)
    if len(problems) == 1:
        typer.echo(f"poolgate: {config}: {problems[0]}", err=True)
    elif problems:
        typer.echo(f"poolgate: {config} has {len(problems)} problems:", err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
    if problems:
        raise typer.Exit(2)


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"


@app.command(
    "apply",
    short_help="Create or update the pools, clients and users FILE declares; check its "
    "[[functions]] and [[apis]].",
)
def apply_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="TOML file declaring user pools with their app clients, domains, groups "
            "and users, and the gateway's functions and APIs."
        ),
    ],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    output: Annotated[
        OutputFormat, typer.Option("--output", "-o", help="Summary format.")
    ] = OutputFormat.text,
) -> None:
    """Create or update the user pools, app clients, domains, groups and users FILE
    declares, and check its [[functions]] and [[apis]].

    Idempotent: resources are matched by name and only what differs is written. Users
    are created once (no invitation is sent) and left as they are afterwards, so a
    password a user changed is never reset. A file with any mistake changes nothing
    (exit status 2).
    """
    from poolgate.apply import ApplyError, apply
    from poolgate.bootstrap import declared_functions, open_context
    from poolgate.core.errors import CognitoError

    # FILE may carry the server's settings too; an explicit --config wins for those.
    declared = _settings(file)
    settings = _settings(config if config is not None else file, data_dir=data_dir)

    async def run() -> ApplyReport:
        # The [[functions]] the pools' LambdaConfig names, and which run the triggers the
        # operations apply makes (AdminCreateUser's pre sign-up...): FILE's, or else the
        # --config file's, where `poolgate serve` reads them.
        source, where = (declared, file)
        if not declared.extra.get("functions") and config is not None:
            source, where = (settings, config)
        try:
            functions = declared_functions(
                replace(settings, extra=source.extra), where.resolve().parent
            )
        except ConfigError:
            # A broken [[functions]] section is one of the problems apply reports below
            # (and changes nothing for); the triggers naming it are refused with it.
            functions = []
        ctx = await open_context(settings, functions=functions)
        try:
            return await apply(ctx, declared.extra, base_dir=file.resolve().parent)
        finally:
            await ctx.close()

    from poolgate.startup import one_line_errors

    async def run_reporting() -> ApplyReport | int:
        try:
            return await run()
        except ApplyError as exc:
            typer.echo(f"poolgate apply: {file}: nothing was changed:", err=True)
            for problem in exc.problems:
                typer.echo(f"  {problem}", err=True)
            return 2
        except CognitoError as exc:
            # Only a concurrent change slips past the plan; what ran before it stays.
            typer.echo(f"poolgate apply: {file}: stopped part-way: {exc.message}", err=True)
            return 1

    # A database, master key or data directory problem: one line, as serve says it.
    with one_line_errors(prefix="poolgate apply", database_url=settings.database_url):
        report = asyncio.run(run_reporting())
    if isinstance(report, int):
        raise typer.Exit(report)
    if output is OutputFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(_apply_summary(report))


def _apply_summary(report: ApplyReport) -> str:
    lines: list[str] = []
    for pool in report.results:
        lines.extend(_summary_lines(pool, 0))
    counts = report.counts()
    summary = (
        f"{counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged"
    )
    if counts.get("configured"):
        summary += f", {counts['configured']} configured"
    lines.append(summary)
    return "\n".join(lines)


def _summary_lines(result: Result, depth: int) -> list[str]:
    ident = "" if result.id == result.name else f" {result.id}"
    line = f"{'  ' * depth}{result.kind} {result.name}{ident}: {result.action}"
    if result.changed:
        line += f" ({', '.join(result.changed)})"
    lines = [line]
    if result.secret is not None:
        lines.append(f"{'  ' * (depth + 1)}client secret: {result.secret}")
    lines.extend(f"{'  ' * (depth + 1)}note: {note}" for note in result.notes)
    for child in result.children:
        lines.extend(_summary_lines(child, depth + 1))
    return lines


@app.command(
    "admin-key", short_help="Show the admin access key, or print it as shell exports (--export)."
)
def admin_key_command(
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    export: Annotated[
        bool,
        typer.Option(
            "--export",
            help="Print export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... "
            "AWS_DEFAULT_REGION=... for the shell to eval.",
        ),
    ] = False,
) -> None:
    """Show the admin access key that signs administrative calls: its id and the file
    that keeps its secret (the secret itself is not printed). With --export, print the
    shell line that hands the key to the AWS CLI and SDKs:

    \b
        eval "$(poolgate admin-key --export)"

    The key is the configuration's (POOLGATE_ADMIN_ACCESS_KEY_ID and
    POOLGATE_ADMIN_SECRET_ACCESS_KEY) or the one `poolgate serve` generated into the
    data directory on its first start; this command never creates one.
    """

    from poolgate.admin_keys import configured_admin_key, find_admin_key, key_file

    settings = _settings(config, data_dir=data_dir)
    try:
        key = find_admin_key(settings)
        configured = configured_admin_key(settings) is not None
    except ConfigError as exc:
        typer.echo(f"poolgate admin-key: {exc}", err=True)
        raise typer.Exit(2) from None
    if key is None:
        typer.echo(
            f"poolgate admin-key: there is no admin key yet: {key_file(settings)} does not "
            f"exist. `poolgate serve --data-dir {shlex.quote(str(settings.data_dir))}` "
            "generates it on its first start (or set POOLGATE_ADMIN_ACCESS_KEY_ID and "
            "POOLGATE_ADMIN_SECRET_ACCESS_KEY).",
            err=True,
        )
        raise typer.Exit(1)
    if export:
        values = {
            "AWS_ACCESS_KEY_ID": key.access_key_id,
            "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
            "AWS_DEFAULT_REGION": settings.region,
        }
        typer.echo("export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in values.items()))
        return
    typer.echo(f"access key id:  {key.access_key_id}")
    if configured:
        typer.echo(
            "secret:         set by the configuration (admin_secret_access_key or "
            "POOLGATE_ADMIN_SECRET_ACCESS_KEY)"
        )
    else:
        typer.echo(f"secret:         in {key_file(settings).resolve()} (mode 0600)")
    typer.echo('for the AWS CLI and SDKs: eval "$(poolgate admin-key --export)"')


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None, data_dir: DataDirOption = None) -> None:
    """Apply the schema migrations to the configured database."""
    from poolgate.bootstrap import engine_options
    from poolgate.startup import check_data_dir, one_line_errors
    from poolgate.store import migrate
    from poolgate.store.sql import make_engine

    settings = _settings(config, data_dir=data_dir)

    async def run() -> str | None:
        engine = make_engine(url, engine_options(settings))
        try:
            await migrate.upgrade(engine)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    url = settings.effective_database_url
    with one_line_errors(prefix="poolgate db upgrade", database_url=url):
        check_data_dir(settings.data_dir)
        revision = asyncio.run(run())
    typer.echo(f"database at revision {revision}")


@app.command("logs", short_help="Print a function's log, with Lambda's START, END and REPORT.")
def logs_command(
    function: Annotated[str, typer.Argument(help="Function name.")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines (Ctrl-C stops).")
    ] = False,
    lines: Annotated[
        int, typer.Option("--lines", "-n", min=0, help="How many of the last lines to print.")
    ] = 50,
) -> None:
    """Print a function's log, DATA_DIR/logs/FUNCTION.log: what its handler printed
    and logged, with Lambda's START, END and REPORT lines."""
    import contextlib

    from poolgate.functions.logfile import follow as follow_file
    from poolgate.functions.logfile import tail
    from poolgate.functions.spec import valid_function_name

    if not valid_function_name(function):
        typer.echo(f"poolgate logs: invalid function name {function!r}", err=True)
        raise typer.Exit(2)
    settings = _settings(config, data_dir=data_dir)
    path = settings.data_dir / "logs" / f"{function}.log"
    offset = 0
    if path.exists():
        last, offset = tail(path, lines)
        for line in last:
            typer.echo(line)
    elif not follow:
        typer.echo(f"poolgate logs: no log for function {function} ({path})", err=True)
        raise typer.Exit(1)
    else:
        typer.echo(f"poolgate logs: waiting for {path}", err=True)
    if follow:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends it, as it ends tail -f
            follow_file(path, offset, typer.echo)


def command() -> None:
    """The ``poolgate`` command (the console script): ``serve`` with plain options
    skips typer's parsing (``fast_serve_arguments``); everything else goes through
    typer."""
    import sys

    arguments = fast_serve_arguments(sys.argv[1:])
    if arguments is None:
        app()
        return
    try:
        serve(**arguments)  # type: ignore[arg-type]
    except typer.Exit as exit_:
        raise SystemExit(exit_.exit_code) from None


if __name__ == "__main__":
    command()
