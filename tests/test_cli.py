"""The ``poolgate`` command's own surface: help texts, the version, and the fast path that
starts ``serve`` without typer's parsing."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from poolgate.cli import app
from poolgate.serve_arguments import fast_serve_arguments

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


@pytest.mark.parametrize(
    "argv",
    [
        ["serve"],
        ["serve", "--port", "9300", "--host", "0.0.0.0", "--workers", "2"],
        ["serve", "-c", "poolgate.toml", "--data-dir", "data", "--public-url", "https://x.example"],
        ["serve", "--config=p.toml", "--gateway-port=9400", "--log-format", "json", "--debug"],
    ],
)
def test_fast_serve_arguments_are_typers(argv: list[str]) -> None:
    # What the console script hands serve() itself must be what typer would have.
    command = typer.main.get_command(app)
    group = command.make_context("poolgate", list(argv))
    serve = command.get_command(group, "serve")  # type: ignore[attr-defined]
    context = serve.make_context("serve", list(argv[1:]), parent=group)
    given = {k: v for k, v in context.params.items() if v not in (None, False)}
    assert fast_serve_arguments(argv) == given


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--version"],
        ["apply", "x.toml"],
        ["serve", "--help"],
        ["serve", "--port", "x"],
        ["serve", "--port", "-1"],
        ["serve", "--port"],
        ["serve", "--workers", "0"],
        ["serve", "--port", "1", "--port", "2"],
        ["serve", "--debug", "--debug"],
        ["serve", "-c=x.toml"],
        ["serve", "--prot", "9"],
        ["serve", "extra"],
    ],
)
def test_anything_unusual_is_left_to_typer(argv: list[str]) -> None:
    assert fast_serve_arguments(argv) is None
