"""Fixtures for the Lambda runtime: handler directories written into tmp_path and a
runtime that is closed after each test."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from poolgate.functions import FunctionRuntime

WriteCode = Callable[..., Path]


@pytest.fixture
def write_code(tmp_path: Path) -> WriteCode:
    """``write_code(app="...source...", **more_modules)`` -> the code directory."""
    code_dir = tmp_path / "code"

    def write(**modules: str) -> Path:
        for name, source in modules.items():
            path = code_dir / f"{name.replace('.', '/')}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        return code_dir

    return write


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[FunctionRuntime]:
    functions = FunctionRuntime(log_dir=tmp_path / "logs", code_scan_interval=0.0)
    yield functions
    await functions.close()
