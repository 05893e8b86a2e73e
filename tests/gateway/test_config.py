"""The ``[[functions]]`` / ``[[apis]]`` tables: what is accepted, and problems named
after the function, api, authorizer or route they concern."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from poolgate.gateway.config import GatewayConfigError, check, parse

VALID = """
[[functions]]
name = "hello"
code_dir = "functions/hello"
handler = "app.lambda_handler"
timeout = 3
memory_mb = 256
environment = { TABLE = "trips" }

[[apis]]
name = "travelguide"
stage = "staging"

[apis.cors]
allow_origins = ["http://localhost:5173"]
allow_headers = ["Authorization"]
allow_methods = ["get", "POST"]
max_age = 600

[[apis.authorizers]]
name = "cognito"
type = "COGNITO_USER_POOLS"
user_pool = "TravelGuideUserPool-staging"

[[apis.authorizers]]
name = "jwt"
type = "JWT"
identity_source = "$request.header.Authorization"
issuer = "http://127.0.0.1:9229/us-east-1_abc/"
audience = ["client"]

[[apis.routes]]
method = "get"
path = "/hello/{name}"
function = "hello"
authorizer = "cognito"
scopes = ["aws.cognito.signin.user.admin"]

[[apis.routes]]
method = "ANY"
path = "/files/{proxy+}"
upstream = "http://127.0.0.1:9000/base"
payload_version = 2.0
"""


@pytest.fixture
def base(tmp_path: Path) -> Path:
    (tmp_path / "functions" / "hello").mkdir(parents=True)
    return tmp_path


def problems(text: str, base: Path) -> list[str]:
    return check(tomllib.loads(text), base)


def test_a_valid_configuration(base: Path) -> None:
    config = parse(tomllib.loads(VALID), base)
    function = config.functions["hello"]
    assert function.code_dir == (base / "functions" / "hello").resolve()
    assert function.timeout == 3.0 and function.memory_mb == 256
    assert dict(function.environment) == {"TABLE": "trips"}
    (api,) = config.apis
    assert (api.name, api.type, api.stage, api.stage_prefix) == (
        "travelguide",
        "REST",
        "staging",
        True,
    )
    assert len(api.id) == 10 and api.id == parse(tomllib.loads(VALID), base).apis[0].id
    assert api.cors is not None and api.cors.allow_methods == ("GET", "POST")
    assert api.cors.allow_headers == ("authorization",)
    assert api.authorizers["cognito"].user_pools == ("TravelGuideUserPool-staging",)
    assert api.authorizers["jwt"].issuer == "http://127.0.0.1:9229/us-east-1_abc"
    first, second = api.routes
    assert first.route_key == "GET /hello/{name}" and first.payload_version == "1.0"
    assert first.timeout_ms == 29_000
    assert second.upstream and second.payload_version == "2.0"


def test_http_apis_default_to_payload_2_and_no_stage_prefix(base: Path) -> None:
    config = parse(
        tomllib.loads(
            '[[apis]]\nname = "h"\ntype = "HTTP"\n'
            '[[apis.routes]]\nmethod = "GET"\npath = "/"\nupstream = "http://x"\n'
        ),
        base,
    )
    (api,) = config.apis
    assert api.stage == "$default" and not api.stage_prefix
    assert api.routes[0].payload_version == "2.0" and api.routes[0].timeout_ms == 30_000


def test_problems_name_what_they_concern(base: Path) -> None:
    found = problems(
        """
[[functions]]
name = "hello"
code_dir = "functions/missing"
handler = "lambda_handler"
timout = 3

[[apis]]
name = "travelguide"
stage = "staging!"

[[apis.authorizers]]
name = "cognito"
type = "COGNITO"

[[apis.authorizers]]
name = "jwt"
type = "JWT"
issuer = "not a url"

[[apis.routes]]
method = "FETCH"
path = "/a/{proxy+}/b"
function = "helo"

[[apis.routes]]
method = "GET"
path = "/x"
function = "hello"
upstream = "http://127.0.0.1"
authorizer = "nope"
scopes = ["a"]
timeout_ms = 40000

[[apis.routes]]
method = "GET"
path = "/x"
upstream = "http://127.0.0.1"
scopes = ["a"]
""",
        base,
    )
    expected = [
        "function 'hello': unknown setting 'timout' (did you mean 'timeout'?)",
        "function 'hello': code_dir",
        "function 'hello': handler must be 'module.function'",
        "api 'travelguide': stage must be",
        "authorizer 'cognito' of api 'travelguide': type must be COGNITO_USER_POOLS or JWT",
        "authorizer 'jwt' of api 'travelguide': issuer must be an http(s) URL",
        "authorizer 'jwt' of api 'travelguide': audience is required",
        "route FETCH /a/{proxy+}/b of api 'travelguide': method must be one of",
        "route FETCH /a/{proxy+}/b of api 'travelguide': a greedy {proxy+} must be the last",
        "route FETCH /a/{proxy+}/b of api 'travelguide': no [[functions]] entry is named "
        "'helo' (did you mean 'hello'?)",
        "route GET /x of api 'travelguide': give either function or upstream",
        "route GET /x of api 'travelguide': the api has no authorizer named 'nope'",
        "route GET /x of api 'travelguide': timeout_ms must be between 50 and 29000",
        "route GET /x of api 'travelguide': the api declares this route twice",
        "route GET /x of api 'travelguide': scopes need an authorizer",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), (start, found)
    assert len(found) == len(expected), found


def test_sections_must_be_arrays_of_tables(base: Path) -> None:
    assert problems('functions = "x"\n[apis]\nname = "a"\n', base) == [
        "'functions' must be an array of tables: write [[functions]]",
        "'apis' must be an array of tables: write [[apis]]",
    ]


def test_parse_raises_with_every_problem(base: Path) -> None:
    with pytest.raises(GatewayConfigError) as exc:
        parse({"apis": [{"name": "a", "routes": [{"method": "GET"}]}]}, base)
    assert exc.value.problems == [
        "route #1 of api 'a': path is required",
        "route #1 of api 'a': give either function or upstream (exactly one)",
    ]
