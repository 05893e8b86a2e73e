"""``[[apis.routes]]``: an API's routes (method, path template, the function or
upstream behind them, authorizer and scopes, payload version, integration timeout)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from poolgate.gateway.config_types import (
    MAX_INTEGRATION_TIMEOUT_MS,
    METHODS,
    MIN_INTEGRATION_TIMEOUT_MS,
    ApiType,
    AuthorizerConfig,
    RouteConfig,
)
from poolgate.gateway.config_values import (
    choice,
    integer,
    is_http_url,
    is_tables,
    optional_str,
    required_str,
    string_list,
    unknown_keys,
)
from poolgate.suggest import did_you_mean

_PARAM = re.compile(r"^\{([A-Za-z0-9_.-]+)(\+?)\}$")
_LITERAL = re.compile(r"^[A-Za-z0-9._~!$&'()*,;=:@%-]+$")

_ROUTE_KEYS = (
    "method",
    "path",
    "function",
    "upstream",
    "authorizer",
    "scopes",
    "payload_version",
    "timeout_ms",
)


def parse_routes(
    sections: Any,
    api_type: ApiType,
    authorizers: Mapping[str, AuthorizerConfig],
    functions: set[str],
    api_label: str,
    problems: list[str],
) -> list[RouteConfig]:
    routes: list[RouteConfig] = []
    if not is_tables(sections):
        problems.append(f"{api_label}: 'routes' must be an array of tables: write [[apis.routes]]")
        return routes
    seen: set[tuple[str, str]] = set()
    for index, section in enumerate(sections):
        method_value = section.get("method")
        path_value = section.get("path")
        if isinstance(method_value, str) and isinstance(path_value, str):
            label = f"route {method_value.upper()} {path_value} of {api_label}"
        else:
            label = f"route #{index + 1} of {api_label}"
        before = len(problems)
        unknown_keys(section, _ROUTE_KEYS, label, problems)
        method = required_str(section, "method", label, problems)
        if method is not None:
            method = method.upper()
            if method not in METHODS:
                problems.append(f"{label}: method must be one of {', '.join(METHODS)}")
        path = required_str(section, "path", label, problems)
        if path is not None:
            _check_path(path, label, problems)
        if method is not None and path is not None:
            if (method, path) in seen:
                problems.append(f"{label}: the api declares this route twice")
            seen.add((method, path))
        function = optional_str(section, "function", label, problems)
        upstream = optional_str(section, "upstream", label, problems)
        if (function is None) == (upstream is None):
            problems.append(f"{label}: give either function or upstream (exactly one)")
        if function is not None and function not in functions:
            hint = did_you_mean(function, functions)
            problems.append(f"{label}: no [[functions]] entry is named {function!r}{hint}")
        if upstream is not None and not is_http_url(upstream):
            problems.append(f"{label}: upstream must be an http(s) URL, got {upstream!r}")
        authorizer = optional_str(section, "authorizer", label, problems)
        if authorizer is not None and authorizer not in authorizers:
            problems.append(f"{label}: the api has no authorizer named {authorizer!r}")
        scopes = string_list(section, "scopes", label, problems) or ()
        if scopes and authorizer is None:
            problems.append(f"{label}: scopes need an authorizer")
        if isinstance(section.get("payload_version"), float):
            # ``payload_version = 1.0`` without quotes reads as a number.
            section = {**section, "payload_version": f"{section['payload_version']:.1f}"}
        default_version = "2.0" if api_type == "HTTP" else "1.0"
        version = choice(
            section, "payload_version", ("1.0", "2.0"), default_version, label, problems
        )
        ceiling = MAX_INTEGRATION_TIMEOUT_MS[api_type]
        timeout_ms = integer(section, "timeout_ms", ceiling, label, problems)
        if timeout_ms is not None and not MIN_INTEGRATION_TIMEOUT_MS <= timeout_ms <= ceiling:
            problems.append(
                f"{label}: timeout_ms must be between {MIN_INTEGRATION_TIMEOUT_MS} and {ceiling}"
            )
        if len(problems) == before:
            assert method is not None and path is not None and timeout_ms is not None
            routes.append(
                RouteConfig(
                    method=method,
                    path=path,
                    function=function,
                    upstream=upstream,
                    authorizer=authorizer,
                    scopes=tuple(scopes),
                    payload_version="2.0" if version == "2.0" else "1.0",
                    timeout_ms=timeout_ms,
                )
            )
    return routes


def _check_path(path: str, label: str, problems: list[str]) -> None:
    if not path.startswith("/"):
        problems.append(f"{label}: path must start with '/'")
        return
    if path == "/":
        return
    segments = path[1:].split("/")
    names: set[str] = set()
    for position, segment in enumerate(segments):
        param = _PARAM.match(segment)
        if param is not None:
            name, greedy = param.groups()
            if name in names:
                problems.append(f"{label}: path parameter {{{name}}} appears twice")
            names.add(name)
            if greedy and position != len(segments) - 1:
                problems.append(f"{label}: a greedy {{{name}+}} must be the last segment")
        elif not segment:
            problems.append(f"{label}: path has an empty segment")
        elif not _LITERAL.match(segment):
            problems.append(f"{label}: path segment {segment!r} is not valid")
