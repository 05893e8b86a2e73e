"""What a function is: a handler string, a code directory and its settings.

The fields are those of a Lambda function's configuration (``Handler``, ``Timeout``,
``MemorySize``, ``Environment``, ``Runtime``):
https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Lambda's function names: letters, digits, hyphens and underscores, at most 64. They
# also name the log file (``{log_dir}/{name}.log``), so nothing else may pass.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def valid_function_name(name: str) -> bool:
    return NAME_PATTERN.fullmatch(name) is not None


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    code_dir: Path
    handler: str  # "module.function", AWS's convention (module may be dotted: "pkg.mod.func")
    timeout: float = 3.0  # seconds, Lambda's default
    memory_mb: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)
    runtime: str = "python3.11"

    def validate(self) -> None:
        """Refuse what cannot run at all; a bad handler string is reported by the
        invocation instead (``Runtime.MalformedHandlerName``), as Lambda does."""
        if not valid_function_name(self.name):
            raise ValueError(
                f"invalid function name {self.name!r}: 1 to 64 letters, digits, '-' or '_'"
            )
        if not self.timeout > 0:
            raise ValueError(f"function {self.name}: timeout must be positive")
        if self.memory_mb < 1:
            raise ValueError(f"function {self.name}: memory_mb must be positive")
        if not self.runtime.startswith("python"):
            raise ValueError(
                f"function {self.name}: runtime {self.runtime!r} is not supported "
                "(Python handlers only)"
            )
        for key, value in self.environment.items():
            if not isinstance(key, str) or not isinstance(value, str) or not key or "=" in key:
                raise ValueError(f"function {self.name}: invalid environment entry {key!r}")
