"""``[[apis]]``: each API's type, id, stage, stage variables and CORS settings, with
its authorizers (``config_authorizers``) and routes (``config_routes``)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from poolgate.gateway.config_authorizers import parse_authorizers
from poolgate.gateway.config_routes import parse_routes
from poolgate.gateway.config_types import METHODS, ApiConfig, ApiType, CorsConfig
from poolgate.gateway.config_values import (
    boolean,
    choice,
    integer,
    is_tables,
    label_of,
    optional_str,
    required_str,
    string_list,
    string_table,
    unknown_keys,
)

_STAGE = re.compile(r"^([A-Za-z0-9_-]{1,128}|\$default)$")
_API_ID = re.compile(r"^[a-z0-9]{10}$")

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
    "check_revocation",
)
_CORS_KEYS = (
    "allow_origins",
    "allow_headers",
    "allow_methods",
    "expose_headers",
    "max_age",
    "allow_credentials",
)


def parse_apis(sections: Any, functions: set[str], problems: list[str]) -> list[ApiConfig]:
    apis: list[ApiConfig] = []
    if not is_tables(sections):
        problems.append("'apis' must be an array of tables: write [[apis]]")
        return apis
    seen: set[str] = set()
    for index, section in enumerate(sections):
        label = label_of("api", section.get("name"), index)
        before = len(problems)
        unknown_keys(section, _API_KEYS, label, problems)
        name = required_str(section, "name", label, problems)
        if name is not None:
            if name in seen:
                problems.append(f"{label}: the file declares this api twice")
            seen.add(name)
        api_type = choice(section, "type", ("REST", "HTTP"), "REST", label, problems)
        api_id = optional_str(section, "id", label, problems)
        if api_id is not None and not _API_ID.match(api_id):
            problems.append(f"{label}: id must be 10 lowercase letters or digits")
        stage = optional_str(section, "stage", label, problems) or "$default"
        if not _STAGE.match(stage):
            problems.append(
                f"{label}: stage must be '$default' or 1 to 128 letters, digits, '-' or '_'"
            )
        stage_prefix = boolean(section, "stage_prefix", stage != "$default", label, problems)
        stage_variables = string_table(section, "stage_variables", label, problems)
        cors = _parse_cors(section.get("cors"), label, problems)
        kind: ApiType = "HTTP" if api_type == "HTTP" else "REST"
        # Beyond API Gateway: refuse tokens revoked since they were issued (see
        # gateway/authorizer.py); an authorizer may say otherwise for itself.
        revocation = boolean(section, "check_revocation", True, label, problems)
        authorizers = parse_authorizers(
            section.get("authorizers", []),
            label,
            problems,
            check_revocation=revocation is not False,
        )
        routes = parse_routes(
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
    unknown_keys(section, _CORS_KEYS, label, problems)
    origins = string_list(section, "allow_origins", label, problems) or ()
    headers = string_list(section, "allow_headers", label, problems) or ()
    methods = string_list(section, "allow_methods", label, problems) or ()
    for method in methods:
        if method.upper() not in (*METHODS, "*"):
            problems.append(f"{label}: {method!r} is not an HTTP method")
    expose = string_list(section, "expose_headers", label, problems) or ()
    max_age = integer(section, "max_age", None, label, problems)
    if max_age is not None and not -1 <= max_age <= 86400:
        problems.append(f"{label}: max_age must be between -1 and 86400 seconds")
    credentials = boolean(section, "allow_credentials", False, label, problems)
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
