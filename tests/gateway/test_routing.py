"""Route matching: stages, parameters, greedy paths and precedence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poolgate.gateway.config import ApiConfig, parse
from poolgate.gateway.routing import Router


def api(tmp_path: Path, routes: list[tuple[str, str]], **settings: Any) -> ApiConfig:
    document = {
        "apis": [
            {
                "name": "a",
                **settings,
                "routes": [
                    {"method": method, "path": path, "upstream": f"http://u{index}"}
                    for index, (method, path) in enumerate(routes)
                ],
            }
        ]
    }
    return parse(document, tmp_path).apis[0]


def resolve(router: Router, method: str, path: str) -> tuple[str | None, dict[str, str]]:
    match = router.resolve(method, path).match
    return (match.route.route_key, match.path_parameters) if match else (None, {})


def test_precedence(tmp_path: Path) -> None:
    router = Router(
        (
            api(
                tmp_path,
                [
                    ("ANY", "/{proxy+}"),
                    ("GET", "/pets/{id}"),
                    ("ANY", "/pets/{id}"),
                    ("GET", "/pets/dog"),
                    ("GET", "/{kind}/cat"),
                    ("GET", "/"),
                ],
            ),
        )
    )
    assert resolve(router, "GET", "/pets/dog") == ("GET /pets/dog", {})
    assert resolve(router, "GET", "/pets/7") == ("GET /pets/{id}", {"id": "7"})
    assert resolve(router, "POST", "/pets/7") == ("ANY /pets/{id}", {"id": "7"})
    assert resolve(router, "GET", "/pets/cat") == ("GET /pets/{id}", {"id": "cat"})
    assert resolve(router, "GET", "/toys/cat") == ("GET /{kind}/cat", {"kind": "toys"})
    assert resolve(router, "GET", "/a/b%2Fc/d") == ("ANY /{proxy+}", {"proxy": "a/b/c/d"})
    assert resolve(router, "GET", "/pets/7/") == ("GET /pets/{id}", {"id": "7"})
    assert resolve(router, "GET", "/") == ("GET /", {})
    assert resolve(router, "POST", "/") == (None, {})


def test_stages(tmp_path: Path) -> None:
    prefixed = Router((api(tmp_path, [("GET", "/x")], stage="prod"),))
    assert resolve(prefixed, "GET", "/prod/x") == ("GET /x", {})
    assert resolve(prefixed, "GET", "/x") == (None, {})
    assert prefixed.resolve("GET", "/x").path is None  # not the API's at all
    assert prefixed.resolve("GET", "/prod/y").path == "/y"
    both = Router((api(tmp_path, [("GET", "/x")], stage="prod", stage_prefix=False),))
    assert resolve(both, "GET", "/prod/x") == ("GET /x", {})
    assert resolve(both, "GET", "/x") == ("GET /x", {})
    match = both.resolve("GET", "/prod/x").match
    assert match is not None and match.path == "/x"
