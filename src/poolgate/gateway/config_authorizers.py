"""``[[apis.authorizers]]``: an API's COGNITO_USER_POOLS (REST) and JWT (HTTP)
authorizers, and the request header each reads its token from."""

from __future__ import annotations

import re
from typing import Any

from poolgate.gateway.config_types import AuthorizerConfig
from poolgate.gateway.config_values import (
    boolean,
    choice,
    is_http_url,
    is_tables,
    label_of,
    optional_str,
    required_str,
    string_list,
    unknown_keys,
)

_AUTHORIZER_KEYS = (
    "name",
    "type",
    "identity_source",
    "user_pool",
    "identity_validation_expression",
    "issuer",
    "audience",
    "check_revocation",
)


def parse_authorizers(
    sections: Any, api_label: str, problems: list[str], *, check_revocation: bool = True
) -> dict[str, AuthorizerConfig]:
    found: dict[str, AuthorizerConfig] = {}
    if not is_tables(sections):
        problems.append(
            f"{api_label}: 'authorizers' must be an array of tables: write [[apis.authorizers]]"
        )
        return found
    for index, section in enumerate(sections):
        label = f"{label_of('authorizer', section.get('name'), index)} of {api_label}"
        before = len(problems)
        unknown_keys(section, _AUTHORIZER_KEYS, label, problems)
        name = required_str(section, "name", label, problems)
        if name is not None and name in found:
            problems.append(f"{label}: the api declares this authorizer twice")
        kind = choice(section, "type", ("COGNITO_USER_POOLS", "JWT"), None, label, problems)
        header = _identity_header(section, label, problems)
        revocation = boolean(section, "check_revocation", check_revocation, label, problems)
        pools: tuple[str, ...] = ()
        expression = None
        issuer = ""
        audience: tuple[str, ...] = ()
        if kind == "COGNITO_USER_POOLS":
            for key in ("issuer", "audience"):
                if key in section:
                    problems.append(f"{label}: {key} is for JWT authorizers")
            pools = _pools(section, label, problems)
            expression = optional_str(section, "identity_validation_expression", label, problems)
            if expression is not None:
                try:
                    re.compile(expression)
                except re.error as exc:
                    problems.append(f"{label}: identity_validation_expression: {exc}")
        elif kind == "JWT":
            for key in ("user_pool", "identity_validation_expression"):
                if key in section:
                    problems.append(f"{label}: {key} is for COGNITO_USER_POOLS authorizers")
            issuer = required_str(section, "issuer", label, problems) or ""
            if issuer and not is_http_url(issuer):
                problems.append(f"{label}: issuer must be an http(s) URL, got {issuer!r}")
            audience = tuple(string_list(section, "audience", label, problems) or ())
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
                check_revocation=revocation is not False,
            )
        elif name is not None:
            # Routes naming it should not report a second, misleading problem.
            found.setdefault(name, AuthorizerConfig(name=name, type="JWT"))
    return found


def _identity_header(section: dict[str, Any], label: str, problems: list[str]) -> str:
    source = optional_str(section, "identity_source", label, problems)
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
