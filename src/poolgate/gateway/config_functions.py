"""``[[functions]]``: each Lambda function's code directory, handler, timeout, memory
and environment, checked against Lambda's limits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from poolgate.functions.spec import FunctionSpec
from poolgate.gateway.config_types import (
    MAX_FUNCTION_TIMEOUT,
    MAX_MEMORY_MB,
    MIN_MEMORY_MB,
    FunctionConfig,
)
from poolgate.gateway.config_values import (
    boolean,
    integer,
    is_tables,
    label_of,
    number,
    required_str,
    string_table,
    unknown_keys,
)

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HANDLER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

_FUNCTION_KEYS = (
    "name",
    "code_dir",
    "handler",
    "timeout",
    "memory_mb",
    "environment",
    "admin_credentials",
)


def parse_functions(
    sections: Any, base_dir: Path, problems: list[str]
) -> dict[str, FunctionConfig]:
    found: dict[str, FunctionConfig] = {}
    if not is_tables(sections):
        problems.append("'functions' must be an array of tables: write [[functions]]")
        return found
    for index, section in enumerate(sections):
        label = label_of("function", section.get("name"), index)
        before = len(problems)
        unknown_keys(section, _FUNCTION_KEYS, label, problems)
        name = required_str(section, "name", label, problems)
        if name is not None and not _NAME.match(name):
            problems.append(f"{label}: name must be 1 to 64 letters, digits, '-' or '_'")
        if name is not None and name in found:
            problems.append(f"{label}: the file declares this function twice")
        code_dir = required_str(section, "code_dir", label, problems)
        directory = None
        if code_dir is not None:
            directory = (base_dir / code_dir).resolve()
            if not directory.is_dir():
                problems.append(f"{label}: code_dir {str(directory)!r} is not a directory")
        handler = required_str(section, "handler", label, problems)
        if handler is not None and not _HANDLER.match(handler):
            problems.append(
                f"{label}: handler must be 'module.function' (like 'app.lambda_handler'), "
                f"got {handler!r}"
            )
        timeout = number(section, "timeout", 3.0, label, problems)
        if timeout is not None and not 0 < timeout <= MAX_FUNCTION_TIMEOUT:
            problems.append(
                f"{label}: timeout must be more than 0 and at most {MAX_FUNCTION_TIMEOUT} seconds"
            )
        memory = integer(section, "memory_mb", 128, label, problems)
        if memory is not None and not MIN_MEMORY_MB <= memory <= MAX_MEMORY_MB:
            problems.append(
                f"{label}: memory_mb must be between {MIN_MEMORY_MB} and {MAX_MEMORY_MB}"
            )
        environment = string_table(section, "environment", label, problems) or {}
        for key in environment:
            if not _ENV_NAME.match(key):
                problems.append(f"{label}: environment variable name {key!r} is not valid")
        admin_credentials = boolean(section, "admin_credentials", False, label, problems)
        if len(problems) == before:
            assert name is not None and directory is not None and handler is not None
            assert timeout is not None and memory is not None
            found[name] = FunctionConfig(
                name=name,
                code_dir=directory,
                handler=handler,
                timeout=float(timeout),
                memory_mb=memory,
                environment=environment,
                admin_credentials=bool(admin_credentials),
            )
    return found


def function_spec(
    function: FunctionConfig, credentials: Mapping[str, str] | None = None
) -> FunctionSpec:
    """The runtime's spec of a declared function; ``credentials``: the environment that
    carries the admin key, given to a function that asks for it (admin_credentials)."""
    environment = dict(function.environment)
    if function.admin_credentials and credentials:
        environment.update(credentials)
    return FunctionSpec(
        name=function.name,
        code_dir=function.code_dir,
        handler=function.handler,
        timeout=function.timeout,
        memory_mb=function.memory_mb,
        environment=environment,
    )
