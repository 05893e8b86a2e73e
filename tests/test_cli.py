"""The ``poolgate`` command's own surface: help texts and the version."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from poolgate.cli import app


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
