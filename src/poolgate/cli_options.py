"""The command line's shared options, for ``cli`` and its sub-commands' modules (which
``cli`` imports, so they cannot import it)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="TOML configuration file.")
]
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Directory for the SQLite database and keys.")
]
