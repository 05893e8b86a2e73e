"""The gateway's configuration: ``[[functions]]`` and ``[[apis]]`` in the TOML file.

Routes are configuration, not stored state. ``poolgate serve --config FILE
--gateway-port PORT`` reads them from FILE when it starts; ``poolgate apply FILE``
validates them and reports them as ``configured`` without storing anything::

    [[functions]]
    name = "hello"
    code_dir = "functions/hello"          # relative to the config file's directory
    handler = "app.lambda_handler"
    timeout = 3                           # seconds (Lambda's default)
    memory_mb = 128
    environment = { TABLE = "x" }

    [[apis]]
    name = "travelguide"
    type = "REST"                         # or "HTTP": decides the gateway's own answers
    stage = "staging"                     # served at /staging/...
    stage_prefix = true                   # false: served without /staging too
    cors = { allow_origins = ["http://localhost:5173"], allow_headers = ["authorization"] }

    [[apis.authorizers]]
    name = "cognito"
    type = "COGNITO_USER_POOLS"           # REST API semantics
    user_pool = "TravelGuideUserPool-staging"   # name (the oldest if shared) or id, or a list
    # type = "JWT": issuer = "...", audience = ["client id"]   (HTTP API semantics)

    [[apis.routes]]
    method = "GET"                        # or ANY
    path = "/hello/{name}"                # {param} and a final {proxy+}
    function = "hello"                    # or upstream = "http://127.0.0.1:9000/base"
    authorizer = "cognito"
    scopes = ["aws.cognito.signin.user.admin"]
    payload_version = "1.0"               # default: 1.0 for REST, 2.0 for HTTP APIs
    timeout_ms = 29000                    # the integration timeout

Every problem is reported with the function, API, authorizer or route it belongs to,
so a file with several mistakes is fixed in one pass.

This module parses the whole; each section has its own module: ``config_functions``,
``config_apis`` (with ``config_authorizers`` and ``config_routes``), the parsed form is
in ``config_types`` and the readers of single values in ``config_values``. The parsed
types are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from poolgate.gateway.config_apis import parse_apis
from poolgate.gateway.config_functions import parse_functions
from poolgate.gateway.config_types import (
    MAX_FUNCTION_TIMEOUT,
    MAX_INTEGRATION_TIMEOUT_MS,
    MAX_MEMORY_MB,
    METHODS,
    MIN_INTEGRATION_TIMEOUT_MS,
    MIN_MEMORY_MB,
    ApiConfig,
    ApiType,
    AuthorizerConfig,
    AuthorizerType,
    CorsConfig,
    FunctionConfig,
    GatewayConfig,
    PayloadVersion,
    RouteConfig,
)
from poolgate.gateway.config_values import is_tables

__all__ = [
    "MAX_FUNCTION_TIMEOUT",
    "MAX_INTEGRATION_TIMEOUT_MS",
    "MAX_MEMORY_MB",
    "METHODS",
    "MIN_INTEGRATION_TIMEOUT_MS",
    "MIN_MEMORY_MB",
    "ApiConfig",
    "ApiType",
    "AuthorizerConfig",
    "AuthorizerType",
    "CorsConfig",
    "FunctionConfig",
    "GatewayConfig",
    "GatewayConfigError",
    "PayloadVersion",
    "RouteConfig",
    "check",
    "parse",
]


class GatewayConfigError(Exception):
    """The gateway configuration cannot be used; each problem names what it concerns."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def check(document: Mapping[str, Any], base_dir: Path) -> list[str]:
    """The problems of the document's ``[[functions]]`` and ``[[apis]]`` sections."""
    try:
        parse(document, base_dir)
    except GatewayConfigError as exc:
        return exc.problems
    return []


def parse(document: Mapping[str, Any], base_dir: Path) -> GatewayConfig:
    """The gateway configuration of a parsed TOML document; relative ``code_dir``
    paths are resolved against ``base_dir`` (the config file's directory)."""
    problems: list[str] = []
    sections = document.get("functions", [])
    functions = parse_functions(sections, base_dir, problems)
    # Routes may name a function whose own section has problems (already reported).
    declared = {
        section["name"]
        for section in (sections if is_tables(sections) else [])
        if isinstance(section.get("name"), str)
    }
    apis = parse_apis(document.get("apis", []), declared, problems)
    if problems:
        raise GatewayConfigError(problems)
    return GatewayConfig(functions=functions, apis=tuple(apis))
