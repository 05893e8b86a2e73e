"""The ``poolgate`` command."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer

from poolgate.config import ConfigError, Settings, load_settings

app = typer.Typer(help="Poolgate: a self-hosted identity platform that speaks Amazon Cognito.")
db_app = typer.Typer(help="Database schema commands.")
app.add_typer(db_app, name="db")

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="TOML configuration file.")
]
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Directory for the SQLite database and keys.")
]


def _settings(config: Path | None, **overrides: object) -> Settings:
    try:
        return load_settings(config, None, **overrides)
    except ConfigError as exc:
        typer.echo(f"poolgate: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port of the identity provider.")] = None,
    data_dir: DataDirOption = None,
    public_url: Annotated[
        str | None, typer.Option(help="Public base URL (issuer prefix); default http://host:port.")
    ] = None,
) -> None:
    """Run the identity provider (AWS JSON API, OAuth, hosted UI, JWKS)."""
    import uvicorn

    from poolgate.admin_keys import load_admin_key
    from poolgate.app import create_app

    settings = _settings(config, host=host, port=port, data_dir=data_dir, public_url=public_url)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        key, created = load_admin_key(settings)
    except ConfigError as exc:
        typer.echo(f"poolgate: {exc}", err=True)
        raise typer.Exit(2) from None
    if created:
        typer.echo(
            "Generated the admin access key (stored in "
            f"{settings.data_dir / 'admin-key.json'}, shown only this once):\n"
            f"  AWS_ACCESS_KEY_ID={key.access_key_id}\n"
            f"  AWS_SECRET_ACCESS_KEY={key.secret_access_key}"
        )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
    )


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None, data_dir: DataDirOption = None) -> None:
    """Apply the schema migrations to the configured database."""
    from poolgate.store import migrate
    from poolgate.store.sql import make_engine

    settings = _settings(config, data_dir=data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def run() -> str | None:
        engine = make_engine(settings.effective_database_url)
        try:
            await migrate.upgrade(engine)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    typer.echo(f"database at revision {asyncio.run(run())}")


if __name__ == "__main__":
    app()
