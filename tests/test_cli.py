"""The ``poolgate`` command's own surface: help texts and the version."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from poolgate.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("args", "literals"),
    [
        (["--help"], ["[[functions]]", "[[apis]]"]),
        (["serve", "--help"], ["[[apis]]"]),
        (["apply", "--help"], ["[[functions]]", "[[apis]]"]),
    ],
)
def test_help_prints_toml_table_names_literally(args: list[str], literals: list[str]) -> None:
    """Rich markup would read ``[[apis]]`` as a style tag and print ``[]``."""
    result = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    for literal in literals:
        assert literal in result.output
    assert "[]" not in result.output


def test_version_is_the_installed_distributions() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"poolgate {version('poolgate')}\n"
    # The installed metadata is the project's (scripts/setup.sh reinstalls on a change).
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert result.output == f"poolgate {declared}\n"
