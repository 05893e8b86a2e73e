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
    user_pool = "TravelGuideUserPool-staging"   # pool name or id (or a list of them)
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
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

__all__ = [
    "ApiConfig",
    "AuthorizerConfig",
    "CorsConfig",
    "FunctionConfig",
    "GatewayConfig",
    "GatewayConfigError",
    "RouteConfig",
    "check",
    "parse",
]

ApiType = Literal["REST", "HTTP"]
AuthorizerType = Literal["COGNITO_USER_POOLS", "JWT"]
PayloadVersion = Literal["1.0", "2.0"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
# Lambda's limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_FUNCTION_TIMEOUT = 900
MIN_MEMORY_MB, MAX_MEMORY_MB = 128, 10240
# Integration timeouts: 50 ms to 29 s for REST APIs, to 30 s for HTTP APIs
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
MAX_INTEGRATION_TIMEOUT_MS: dict[ApiType, int] = {"REST": 29_000, "HTTP": 30_000}
MIN_INTEGRATION_TIMEOUT_MS = 50

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HANDLER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_STAGE = re.compile(r"^([A-Za-z0-9_-]{1,128}|\$default)$")
_API_ID = re.compile(r"^[a-z0-9]{10}$")
_PARAM = re.compile(r"^\{([A-Za-z0-9_.-]+)(\+?)\}$")
_LITERAL = re.compile(r"^[A-Za-z0-9._~!$&'()*,;=:@%-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class GatewayConfigError(Exception):
    """The gateway configuration cannot be used; each problem names what it concerns."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FunctionConfig:
    name: str
    code_dir: Path
    handler: str
    timeout: float = 3.0
    memory_mb: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CorsConfig:
    """An HTTP API's ``CorsConfiguration``, applied to REST APIs alike."""

    allow_origins: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class AuthorizerConfig:
    name: str
    type: AuthorizerType
    # The request header carrying the token.
    header: str = "Authorization"
    # COGNITO_USER_POOLS: pool names or ids, resolved through the store.
    user_pools: tuple[str, ...] = ()
    # COGNITO_USER_POOLS: a regular expression an id token's ``aud`` must match.
    identity_validation_expression: str | None = None
    # JWT
    issuer: str = ""
    audience: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouteConfig:
    method: str
    path: str
    function: str | None = None
    upstream: str | None = None
    authorizer: str | None = None
    scopes: tuple[str, ...] = ()
    payload_version: PayloadVersion = "1.0"
    timeout_ms: int = 29_000

    @property
    def route_key(self) -> str:
        """``GET /hello/{name}``, as HTTP APIs name routes."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class ApiConfig:
    name: str
    type: ApiType
    id: str
    stage: str
    stage_prefix: bool
    routes: tuple[RouteConfig, ...]
    authorizers: Mapping[str, AuthorizerConfig] = field(default_factory=dict)
    cors: CorsConfig | None = None
    stage_variables: Mapping[str, str] | None = None


@dataclass(frozen=True)
class GatewayConfig:
    functions: Mapping[str, FunctionConfig]
    apis: tuple[ApiConfig, ...]


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
    functions = _parse_functions(sections, base_dir, problems)
    # Routes may name a function whose own section has problems (already reported).
    declared = {
        section["name"]
        for section in (sections if _is_tables(sections) else [])
        if isinstance(section.get("name"), str)
    }
    apis = _parse_apis(document.get("apis", []), declared, problems)
    if problems:
        raise GatewayConfigError(problems)
    return GatewayConfig(functions=functions, apis=tuple(apis))


# --------------------------------------------------------------------------- functions

_FUNCTION_KEYS = ("name", "code_dir", "handler", "timeout", "memory_mb", "environment")


def _parse_functions(
    sections: Any, base_dir: Path, problems: list[str]
) -> dict[str, FunctionConfig]:
    found: dict[str, FunctionConfig] = {}
    if not _is_tables(sections):
        problems.append("'functions' must be an array of tables: write [[functions]]")
        return found
    for index, section in enumerate(sections):
        label = _label("function", section.get("name"), index)
        before = len(problems)
        _unknown_keys(section, _FUNCTION_KEYS, label, problems)
        name = _required_str(section, "name", label, problems)
        if name is not None and not _NAME.match(name):
            problems.append(f"{label}: name must be 1 to 64 letters, digits, '-' or '_'")
        if name is not None and name in found:
            problems.append(f"{label}: the file declares this function twice")
        code_dir = _required_str(section, "code_dir", label, problems)
        directory = None
        if code_dir is not None:
            directory = (base_dir / code_dir).resolve()
            if not directory.is_dir():
                problems.append(f"{label}: code_dir {str(directory)!r} is not a directory")
        handler = _required_str(section, "handler", label, problems)
        if handler is not None and not _HANDLER.match(handler):
            problems.append(
                f"{label}: handler must be 'module.function' (like 'app.lambda_handler'), "
                f"got {handler!r}"
            )
        timeout = _number(section, "timeout", 3.0, label, problems)
        if timeout is not None and not 0 < timeout <= MAX_FUNCTION_TIMEOUT:
            problems.append(
                f"{label}: timeout must be more than 0 and at most {MAX_FUNCTION_TIMEOUT} seconds"
            )
        memory = _integer(section, "memory_mb", 128, label, problems)
        if memory is not None and not MIN_MEMORY_MB <= memory <= MAX_MEMORY_MB:
            problems.append(
                f"{label}: memory_mb must be between {MIN_MEMORY_MB} and {MAX_MEMORY_MB}"
            )
        environment = _string_table(section, "environment", label, problems) or {}
        for key in environment:
            if not _ENV_NAME.match(key):
                problems.append(f"{label}: environment variable name {key!r} is not valid")
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
            )
    return found


# --------------------------------------------------------------------------- apis

_API_KEYS = (
    "name",
    "type",
    "id",
    "stage",
    "stage_prefix",
    "stage_variables",
    "cors",
    "authorizers",
    "routes",
)
_CORS_KEYS = (
    "allow_origins",
    "allow_headers",
    "allow_methods",
    "expose_headers",
    "max_age",
    "allow_credentials",
)
_AUTHORIZER_KEYS = (
    "name",
    "type",
    "identity_source",
    "user_pool",
    "identity_validation_expression",
    "issuer",
    "audience",
)
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


def _parse_apis(sections: Any, functions: set[str], problems: list[str]) -> list[ApiConfig]:
    apis: list[ApiConfig] = []
    if not _is_tables(sections):
        problems.append("'apis' must be an array of tables: write [[apis]]")
        return apis
    seen: set[str] = set()
    for index, section in enumerate(sections):
        label = _label("api", section.get("name"), index)
        before = len(problems)
        _unknown_keys(section, _API_KEYS, label, problems)
        name = _required_str(section, "name", label, problems)
        if name is not None:
            if name in seen:
                problems.append(f"{label}: the file declares this api twice")
            seen.add(name)
        api_type = _choice(section, "type", ("REST", "HTTP"), "REST", label, problems)
        api_id = _optional_str(section, "id", label, problems)
        if api_id is not None and not _API_ID.match(api_id):
            problems.append(f"{label}: id must be 10 lowercase letters or digits")
        stage = _optional_str(section, "stage", label, problems) or "$default"
        if not _STAGE.match(stage):
            problems.append(
                f"{label}: stage must be '$default' or 1 to 128 letters, digits, '-' or '_'"
            )
        stage_prefix = _boolean(section, "stage_prefix", stage != "$default", label, problems)
        stage_variables = _string_table(section, "stage_variables", label, problems)
        cors = _parse_cors(section.get("cors"), label, problems)
        kind: ApiType = "HTTP" if api_type == "HTTP" else "REST"
        authorizers = _parse_authorizers(section.get("authorizers", []), label, problems)
        routes = _parse_routes(
            section.get("routes", []), kind, authorizers, functions, label, problems
        )
        if len(problems) == before:
            assert name is not None
            apis.append(
                ApiConfig(
                    name=name,
                    type=kind,
                    id=api_id or _api_id(name),
                    stage=stage,
                    stage_prefix=bool(stage_prefix) and stage != "$default",
                    routes=tuple(routes),
                    authorizers=authorizers,
                    cors=cors,
                    stage_variables=stage_variables,
                )
            )
    return apis


def _api_id(name: str) -> str:
    """A stable API id in API Gateway's form (10 lowercase alphanumerics)."""
    digest = hashlib.sha256(name.encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:10])


def _parse_cors(section: Any, api_label: str, problems: list[str]) -> CorsConfig | None:
    if section is None:
        return None
    label = f"cors of {api_label}"
    if not isinstance(section, dict):
        problems.append(f"{api_label}: 'cors' must be a table")
        return None
    _unknown_keys(section, _CORS_KEYS, label, problems)
    origins = _string_list(section, "allow_origins", label, problems) or ()
    headers = _string_list(section, "allow_headers", label, problems) or ()
    methods = _string_list(section, "allow_methods", label, problems) or ()
    for method in methods:
        if method.upper() not in (*METHODS, "*"):
            problems.append(f"{label}: {method!r} is not an HTTP method")
    expose = _string_list(section, "expose_headers", label, problems) or ()
    max_age = _integer(section, "max_age", None, label, problems)
    if max_age is not None and not -1 <= max_age <= 86400:
        problems.append(f"{label}: max_age must be between -1 and 86400 seconds")
    credentials = _boolean(section, "allow_credentials", False, label, problems)
    if credentials and "*" in origins:
        # The CORS protocol forbids a wildcard origin with credentials, and HTTP APIs
        # refuse the configuration.
        problems.append(f"{label}: allow_credentials cannot be used with allow_origins '*'")
    return CorsConfig(
        allow_origins=tuple(origins),
        allow_headers=tuple(h.lower() for h in headers),
        allow_methods=tuple(m.upper() for m in methods),
        expose_headers=tuple(expose),
        max_age=max_age,
        allow_credentials=bool(credentials),
    )


def _parse_authorizers(
    sections: Any, api_label: str, problems: list[str]
) -> dict[str, AuthorizerConfig]:
    found: dict[str, AuthorizerConfig] = {}
    if not _is_tables(sections):
        problems.append(
            f"{api_label}: 'authorizers' must be an array of tables: write [[apis.authorizers]]"
        )
        return found
    for index, section in enumerate(sections):
        label = f"{_label('authorizer', section.get('name'), index)} of {api_label}"
        before = len(problems)
        _unknown_keys(section, _AUTHORIZER_KEYS, label, problems)
        name = _required_str(section, "name", label, problems)
        if name is not None and name in found:
            problems.append(f"{label}: the api declares this authorizer twice")
        kind = _choice(section, "type", ("COGNITO_USER_POOLS", "JWT"), None, label, problems)
        header = _identity_header(section, label, problems)
        pools: tuple[str, ...] = ()
        expression = None
        issuer = ""
        audience: tuple[str, ...] = ()
        if kind == "COGNITO_USER_POOLS":
            for key in ("issuer", "audience"):
                if key in section:
                    problems.append(f"{label}: {key} is for JWT authorizers")
            pools = _pools(section, label, problems)
            expression = _optional_str(section, "identity_validation_expression", label, problems)
            if expression is not None:
                try:
                    re.compile(expression)
                except re.error as exc:
                    problems.append(f"{label}: identity_validation_expression: {exc}")
        elif kind == "JWT":
            for key in ("user_pool", "identity_validation_expression"):
                if key in section:
                    problems.append(f"{label}: {key} is for COGNITO_USER_POOLS authorizers")
            issuer = _required_str(section, "issuer", label, problems) or ""
            if issuer and not _is_http_url(issuer):
                problems.append(f"{label}: issuer must be an http(s) URL, got {issuer!r}")
            audience = tuple(_string_list(section, "audience", label, problems) or ())
            if not audience and "audience" not in section:
                problems.append(f"{label}: audience is required (the app client ids)")
            elif not audience:
                problems.append(f"{label}: audience must name at least one client id")
        if len(problems) == before:
            assert name is not None and kind is not None
            found[name] = AuthorizerConfig(
                name=name,
                type="JWT" if kind == "JWT" else "COGNITO_USER_POOLS",
                header=header,
                user_pools=pools,
                identity_validation_expression=expression,
                issuer=issuer.rstrip("/"),
                audience=audience,
            )
        elif name is not None:
            # Routes naming it should not report a second, misleading problem.
            found.setdefault(name, AuthorizerConfig(name=name, type="JWT"))
    return found


def _identity_header(section: dict[str, Any], label: str, problems: list[str]) -> str:
    source = _optional_str(section, "identity_source", label, problems)
    if source is None:
        return "Authorization"
    # REST APIs write method.request.header.X, HTTP APIs $request.header.X.
    for prefix in ("method.request.header.", "$request.header."):
        if source.startswith(prefix):
            source = source[len(prefix) :]
    if not re.match(r"^[A-Za-z0-9-]+$", source):
        problems.append(
            f"{label}: identity_source must be a header ('Authorization' or "
            f"'$request.header.Authorization'), got {source!r}"
        )
    return source


def _pools(section: dict[str, Any], label: str, problems: list[str]) -> tuple[str, ...]:
    value = section.get("user_pool")
    if value is None:
        problems.append(f"{label}: user_pool is required (a user pool name or id)")
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        problems.append(f"{label}: user_pool must be a pool name or id, or a list of them")
        return ()
    if len(value) > 1000:
        problems.append(f"{label}: an authorizer uses at most 1,000 user pools")
    return tuple(value)


def _parse_routes(
    sections: Any,
    api_type: ApiType,
    authorizers: Mapping[str, AuthorizerConfig],
    functions: set[str],
    api_label: str,
    problems: list[str],
) -> list[RouteConfig]:
    routes: list[RouteConfig] = []
    if not _is_tables(sections):
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
        _unknown_keys(section, _ROUTE_KEYS, label, problems)
        method = _required_str(section, "method", label, problems)
        if method is not None:
            method = method.upper()
            if method not in METHODS:
                problems.append(f"{label}: method must be one of {', '.join(METHODS)}")
        path = _required_str(section, "path", label, problems)
        if path is not None:
            _check_path(path, label, problems)
        if method is not None and path is not None:
            if (method, path) in seen:
                problems.append(f"{label}: the api declares this route twice")
            seen.add((method, path))
        function = _optional_str(section, "function", label, problems)
        upstream = _optional_str(section, "upstream", label, problems)
        if (function is None) == (upstream is None):
            problems.append(f"{label}: give either function or upstream (exactly one)")
        if function is not None and function not in functions:
            close = difflib.get_close_matches(function, sorted(functions), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{label}: no [[functions]] entry is named {function!r}{hint}")
        if upstream is not None and not _is_http_url(upstream):
            problems.append(f"{label}: upstream must be an http(s) URL, got {upstream!r}")
        authorizer = _optional_str(section, "authorizer", label, problems)
        if authorizer is not None and authorizer not in authorizers:
            problems.append(f"{label}: the api has no authorizer named {authorizer!r}")
        scopes = _string_list(section, "scopes", label, problems) or ()
        if scopes and authorizer is None:
            problems.append(f"{label}: scopes need an authorizer")
        if isinstance(section.get("payload_version"), float):
            # ``payload_version = 1.0`` without quotes reads as a number.
            section = {**section, "payload_version": f"{section['payload_version']:.1f}"}
        default_version = "2.0" if api_type == "HTTP" else "1.0"
        version = _choice(
            section, "payload_version", ("1.0", "2.0"), default_version, label, problems
        )
        ceiling = MAX_INTEGRATION_TIMEOUT_MS[api_type]
        timeout_ms = _integer(section, "timeout_ms", ceiling, label, problems)
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


# --------------------------------------------------------------------------- values


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _label(kind: str, name: Any, index: int) -> str:
    if isinstance(name, str) and name:
        return f"{kind} {name!r}"
    return f"{kind} #{index + 1}"


def _unknown_keys(
    section: dict[str, Any], known: tuple[str, ...], label: str, problems: list[str]
) -> None:
    for key in section:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{label}: unknown setting {key!r}{hint}")


def _required_str(section: dict[str, Any], key: str, label: str, problems: list[str]) -> str | None:
    if key not in section:
        problems.append(f"{label}: {key} is required")
        return None
    return _optional_str(section, key, label, problems)


def _optional_str(section: dict[str, Any], key: str, label: str, problems: list[str]) -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        problems.append(f"{label}: {key} must be a non-empty string, got {value!r}")
        return None
    return value


def _choice(
    section: dict[str, Any],
    key: str,
    allowed: tuple[str, ...],
    default: str | None,
    label: str,
    problems: list[str],
) -> str | None:
    value = section.get(key, default)
    if value is None:
        problems.append(f"{label}: {key} is required ({' or '.join(allowed)})")
        return None
    if value not in allowed:
        problems.append(f"{label}: {key} must be {' or '.join(allowed)}, got {value!r}")
        return None
    return str(value)


def _number(
    section: dict[str, Any], key: str, default: float, label: str, problems: list[str]
) -> float | None:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{label}: {key} must be a number, got {value!r}")
        return None
    return float(value)


def _integer(
    section: dict[str, Any], key: str, default: int | None, label: str, problems: list[str]
) -> int | None:
    value = section.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{label}: {key} must be an integer, got {value!r}")
        return None
    return value


def _boolean(
    section: dict[str, Any], key: str, default: bool, label: str, problems: list[str]
) -> bool | None:
    value = section.get(key, default)
    if not isinstance(value, bool):
        problems.append(f"{label}: {key} must be true or false, got {value!r}")
        return None
    return value


def _string_list(
    section: dict[str, Any], key: str, label: str, problems: list[str]
) -> list[str] | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(f"{label}: {key} must be an array of strings, got {value!r}")
        return None
    return list(value)


def _string_table(
    section: dict[str, Any], key: str, label: str, problems: list[str]
) -> dict[str, str] | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.append(f"{label}: {key} must be a table of strings, got {value!r}")
        return None
    return dict(value)
