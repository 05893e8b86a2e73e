"""Which API and route a request is for.

A REST API serves its stage under ``/{stage}/...``; an API whose stage is
``$default`` (or with ``stage_prefix = false``) is served without the prefix. Route
paths are templates of literal segments, ``{param}`` segments (one segment) and a
final greedy ``{proxy+}`` (one or more segments), with ``ANY`` for any method.

When several routes match, the most specific wins, as API Gateway documents for HTTP
APIs ("Routing API requests",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html):
a literal segment beats a parameter, a parameter beats a greedy variable (compared
from the left), and a route for the request's method beats ``ANY``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import unquote

from poolgate.gateway.config import ApiConfig, RouteConfig

__all__ = ["Match", "Resolution", "Router"]

_LITERAL, _PARAM, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class _Segment:
    kind: int
    text: str  # the literal, or the parameter's name


@dataclass(frozen=True)
class _Route:
    config: RouteConfig
    segments: tuple[_Segment, ...]
    resource_id: str

    def rank(self) -> tuple[tuple[int, ...], int]:
        return tuple(s.kind for s in self.segments), int(self.config.method == "ANY")

    def match(self, parts: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for position, segment in enumerate(self.segments):
            if segment.kind == _GREEDY:
                rest = parts[position:]
                if not rest:
                    return None
                params[segment.text] = unquote("/".join(rest))
                return params
            if position >= len(parts):
                return None
            part = parts[position]
            if segment.kind == _LITERAL:
                if unquote(part) != segment.text:
                    return None
            else:
                if not part:
                    return None
                params[segment.text] = unquote(part)
        return params if len(parts) == len(self.segments) else None


@dataclass(frozen=True)
class Match:
    route: RouteConfig
    # The request's path without the stage (what a REST event calls ``path``).
    path: str
    path_parameters: dict[str, str]
    resource_id: str


@dataclass(frozen=True)
class Resolution:
    """The API a request is addressed to (None when no API serves the path) and the
    matching route (None when no route matches)."""

    api: ApiConfig | None
    match: Match | None
    # The path without the stage, when an API's stage accepted it.
    path: str | None = None


class Router:
    def __init__(self, apis: tuple[ApiConfig, ...]) -> None:
        self.apis = apis
        self._routes: dict[str, list[_Route]] = {
            api.id: [_compile(api, route) for route in api.routes] for api in apis
        }

    def resolve(self, method: str, raw_path: str) -> Resolution:
        """The API and route for ``method`` on ``raw_path`` (percent-encoded, as sent)."""
        first: Resolution | None = None
        for api in self.apis:
            for path in _stage_paths(api, raw_path):
                match = self._match(api, method, path)
                if match is not None:
                    return Resolution(api, match, unquote(path))
                if first is None:
                    first = Resolution(api, None, unquote(path))
        if first is not None:
            return first
        return Resolution(self.apis[0] if self.apis else None, None, None)

    def api_for_path(self, raw_path: str) -> tuple[ApiConfig, str] | None:
        """The first API whose stage serves ``raw_path``, with the path inside it."""
        for api in self.apis:
            for path in _stage_paths(api, raw_path):
                return api, unquote(path)
        return None

    def _match(self, api: ApiConfig, method: str, path: str) -> Match | None:
        parts = _split(path)
        best: tuple[_Route, dict[str, str]] | None = None
        for route in self._routes[api.id]:
            if route.config.method not in (method, "ANY"):
                continue
            params = route.match(parts)
            if params is None:
                continue
            if best is None or route.rank() < best[0].rank():
                best = (route, params)
        if best is None:
            return None
        route, params = best
        return Match(route.config, unquote(path), params, route.resource_id)


def _stage_paths(api: ApiConfig, raw_path: str) -> list[str]:
    """The paths inside ``api`` that ``raw_path`` may address, most specific first."""
    if api.stage == "$default":
        return [raw_path]
    prefix = f"/{api.stage}"
    inside: list[str] = []
    if raw_path == prefix or raw_path.startswith(prefix + "/"):
        inside.append(raw_path[len(prefix) :] or "/")
    if not api.stage_prefix:
        inside.append(raw_path)
    return inside


def _split(path: str) -> list[str]:
    if path in ("", "/"):
        return []
    # A trailing slash addresses the same resource.
    return path.strip("/").split("/") if path.endswith("/") else path[1:].split("/")


def _compile(api: ApiConfig, route: RouteConfig) -> _Route:
    segments: list[_Segment] = []
    for part in _split(route.path):
        if part.startswith("{") and part.endswith("+}"):
            segments.append(_Segment(_GREEDY, part[1:-2]))
        elif part.startswith("{") and part.endswith("}"):
            segments.append(_Segment(_PARAM, part[1:-1]))
        else:
            segments.append(_Segment(_LITERAL, unquote(part)))
    digest = hashlib.sha256(f"{api.id} {route.path}".encode()).hexdigest()
    return _Route(route, tuple(segments), resource_id=digest[:6])
