"""Shared helpers for the Lambda runtime tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poolgate.functions import FunctionSpec


def spec(
    code_dir: Path, handler: str = "app.lambda_handler", *, name: str = "fn", **settings: Any
) -> FunctionSpec:
    return FunctionSpec(name=name, code_dir=code_dir, handler=handler, **settings)
