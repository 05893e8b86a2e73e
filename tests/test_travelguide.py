"""The TravelGuide example end to end, as ``scripts/start.sh`` runs it: the example
applied to a fresh data directory (SQLite), ``poolgate serve --config
examples/travelguide/poolgate.toml --gateway-port P``, the demo user's first sign-in
with its forced password change, and the API's three functions behind the Cognito
authorizer. Also the start script's syntax and its static server for the web app.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import cognito_client, free_port, latest_code
from tests.gateway.conftest import GatewayServer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = ROOT / "examples" / "travelguide"
DEMO = "demo@travelguide.example"
DEMO_TEMPORARY = "TravelGuide-2026!"
DEMO_CHOSEN = "Chosen-By-Dana-7"
APP_ORIGIN = "http://localhost:5173"


@dataclass
class TravelGuide:
    root: Path
    server: GatewayServer
    cognito: Any
    pool_id: str
    client_id: str

    @property
    def api(self) -> str:
        return f"{self.server.gateway_url}/staging"

    def call(self, method: str, path: str, token: str | None, **kwargs: Any) -> httpx.Response:
        headers = {"Origin": APP_ORIGIN, **kwargs.pop("headers", {})}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.request(method, self.api + path, headers=headers, timeout=30, **kwargs)


def poolgate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "poolgate.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def travelguide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TravelGuide]:
    # The repository's layout in miniature: the favourites function keeps its database
    # in ../../../../data from its code, which is then this run's data directory, as it
    # is the repository's data/ for scripts/start.sh.
    root = tmp_path_factory.mktemp("travelguide")
    shutil.copytree(
        EXAMPLE_DIR,
        root / "examples" / "travelguide",
        ignore=shutil.ignore_patterns("__pycache__", "*.db", "*.db-*"),
    )
    config = Path("examples/travelguide/poolgate.toml")
    applied = poolgate("apply", str(config), "--data-dir", "data", "--output", "json", cwd=root)
    assert applied.returncode == 0, applied.stderr
    pool = json.loads(applied.stdout)["pools"][0]
    assert pool["action"] == "created"
    again = poolgate("apply", str(config), "--data-dir", "data", cwd=root)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "0 created, 0 updated, 10 unchanged, 6 configured"

    server = GatewayServer(data_dir=root / "data", database_url="", config=root / config)
    # The key `poolgate apply` generated into the data directory sealed the database.
    server.extra_env["POOLGATE_MASTER_KEY"] = ""
    server.start()
    try:
        yield TravelGuide(
            root, server, cognito_client(server.url), pool["id"], pool["clients"][0]["id"]
        )
    finally:
        server.stop()


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


@pytest.fixture(scope="module")
def demo(travelguide: TravelGuide) -> dict[str, str]:
    """The demo user's first sign-in: the temporary password, NEW_PASSWORD_REQUIRED, a
    password of their own, tokens."""
    cognito = travelguide.cognito
    started = cognito.initiate_auth(
        ClientId=travelguide.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": DEMO, "PASSWORD": DEMO_TEMPORARY},
    )
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    parameters = started["ChallengeParameters"]
    assert json.loads(parameters["userAttributes"])["email"] == DEMO
    finished = cognito.respond_to_auth_challenge(
        ClientId=travelguide.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=started["Session"],
        ChallengeResponses={
            "USERNAME": parameters["USER_ID_FOR_SRP"],
            "NEW_PASSWORD": DEMO_CHOSEN,
        },
    )
    tokens: dict[str, str] = finished["AuthenticationResult"]
    return tokens


@pytest.fixture(scope="module")
def other(travelguide: TravelGuide) -> dict[str, str]:
    """A second traveller, created by an administrator with a permanent password."""
    cognito = travelguide.cognito
    address = "second@travelguide.example"
    cognito.admin_create_user(
        UserPoolId=travelguide.pool_id,
        Username=address,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=travelguide.pool_id, Username=address, Password="Second-User-99!", Permanent=True
    )
    tokens: dict[str, str] = cognito.initiate_auth(
        ClientId=travelguide.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": "Second-User-99!"},
    )["AuthenticationResult"]
    return tokens


def test_the_demo_user_signs_in_and_the_workshop_handler_greets_them(
    travelguide: TravelGuide, demo: dict[str, str]
) -> None:
    id_claims = claims(demo["IdToken"])
    assert id_claims["email"] == DEMO
    assert id_claims["cognito:groups"] == ["travellers"]
    # The home-airport trigger (PreTokenGeneration) from custom:home_airport.
    assert id_claims["custom:home_airport"] == "LIS"
    assert id_claims["home_airport"] == "LIS"
    assert id_claims["home_airport_name"] == "Lisbon Humberto Delgado"
    response = travelguide.call("GET", "/hello", demo["IdToken"])
    assert response.status_code == 200, response.text
    # The workshop's handler, verbatim: the greeting and the caller's sub.
    assert response.json() == {
        "message": f"Hello {id_claims['cognito:username']}!",
        "userId": id_claims["sub"],
    }
    assert response.headers["content-type"] == "application/json"
    # The handler sets no CORS header: the API's CORS settings add them.
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN

    # The authorizer wants the id token; the temporary password works no more.
    assert travelguide.call("GET", "/hello", demo["AccessToken"]).status_code == 401
    refused = travelguide.call("GET", "/hello", None)
    assert (refused.status_code, refused.json()) == (401, {"message": "Unauthorized"})
    with pytest.raises(travelguide.cognito.exceptions.NotAuthorizedException):
        travelguide.cognito.initiate_auth(
            ClientId=travelguide.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": DEMO, "PASSWORD": DEMO_TEMPORARY},
        )


def test_a_new_traveller_meets_both_triggers(travelguide: TravelGuide) -> None:
    """Sign up with a home airport, confirm with the mailed code: the travellers-group
    function (PostConfirmation, calling AdminAddUserToGroup with boto3) puts them in
    `travellers`, and the home-airport function (PreTokenGeneration) names their
    airport in the id token."""
    cognito = travelguide.cognito
    address = "new-traveller@travelguide.example"
    signed_up = cognito.sign_up(
        ClientId=travelguide.client_id,
        Username=address,
        Password="New-Traveller-1!",
        UserAttributes=[
            {"Name": "email", "Value": address},
            {"Name": "custom:home_airport", "Value": "kix"},
        ],
    )
    assert signed_up["UserConfirmed"] is False
    cognito.confirm_sign_up(
        ClientId=travelguide.client_id,
        Username=address,
        ConfirmationCode=latest_code(travelguide.server, address),
    )
    tokens = cognito.initiate_auth(
        ClientId=travelguide.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": "New-Traveller-1!"},
    )["AuthenticationResult"]
    id_claims = claims(tokens["IdToken"])
    assert id_claims["cognito:groups"] == ["travellers"]
    assert id_claims["home_airport"] == "KIX"
    assert id_claims["home_airport_name"] == "Osaka Kansai"
    assert claims(tokens["AccessToken"])["cognito:groups"] == ["travellers"]
    # The API greets them like anyone.
    assert travelguide.call("GET", "/hello", tokens["IdToken"]).status_code == 200
    # Both functions' invocations are in their logs.
    for function in ("travellers-group", "home-airport"):
        logs = poolgate("logs", function, "--data-dir", "data", cwd=travelguide.root)
        assert logs.returncode == 0, logs.stderr
        assert "START RequestId: " in logs.stdout and "REPORT RequestId: " in logs.stdout


def test_the_demo_users_password_survives_another_apply(
    travelguide: TravelGuide, demo: dict[str, str]
) -> None:
    config = "examples/travelguide/poolgate.toml"
    result = poolgate("apply", config, "--data-dir", "data", cwd=travelguide.root)
    assert result.returncode == 0, result.stderr
    assert f"user {DEMO} " in result.stdout and ": unchanged" in result.stdout
    signed_in = travelguide.cognito.initiate_auth(
        ClientId=travelguide.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": DEMO, "PASSWORD": DEMO_CHOSEN},
    )
    assert "IdToken" in signed_in["AuthenticationResult"]


def test_destinations_are_listed(travelguide: TravelGuide, demo: dict[str, str]) -> None:
    response = travelguide.call("GET", "/destinations", demo["IdToken"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    destinations = response.json()["destinations"]
    assert len(destinations) == 8
    assert len({d["id"] for d in destinations}) == 8
    for destination in destinations:
        assert {"id", "name", "country", "blurb"} <= destination.keys()
        assert all(isinstance(destination[k], str) and destination[k] for k in ("name", "blurb"))
    assert {"id": "kyoto", "name": "Kyoto", "country": "Japan"}.items() <= destinations[0].items()
    assert travelguide.call("GET", "/destinations", None).status_code == 401


def favourite_ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["destinationId"] for item in response.json()["favourites"]]


def test_favourites_belong_to_each_user(
    travelguide: TravelGuide, demo: dict[str, str], other: dict[str, str]
) -> None:
    mine, theirs = demo["IdToken"], other["IdToken"]
    assert favourite_ids(travelguide.call("GET", "/favourites", mine)) == []
    assert favourite_ids(travelguide.call("PUT", "/favourites/kyoto", mine)) == ["kyoto"]
    # PUT again: still one.
    assert favourite_ids(travelguide.call("PUT", "/favourites/kyoto", mine)) == ["kyoto"]
    # The web app's form: the destination in the query string or the body.
    added = travelguide.call("PUT", "/favourites?destinationId=lisbon", mine)
    assert favourite_ids(added) == ["kyoto", "lisbon"]
    assert favourite_ids(travelguide.call("GET", "/favourites", mine)) == ["kyoto", "lisbon"]

    assert favourite_ids(travelguide.call("GET", "/favourites", theirs)) == []
    theirs_added = travelguide.call("PUT", "/favourites/cape-town", theirs)
    assert favourite_ids(theirs_added) == ["cape-town"]
    # Deleting someone else's favourite is deleting one of your own: nothing.
    assert favourite_ids(travelguide.call("DELETE", "/favourites/kyoto", theirs)) == ["cape-town"]
    assert favourite_ids(travelguide.call("GET", "/favourites", mine)) == ["kyoto", "lisbon"]

    assert favourite_ids(travelguide.call("DELETE", "/favourites/kyoto", mine)) == ["lisbon"]
    removed = travelguide.call("DELETE", "/favourites", mine, json={"destinationId": "lisbon"})
    assert favourite_ids(removed) == []
    assert favourite_ids(travelguide.call("GET", "/favourites", theirs)) == ["cape-town"]

    refused = travelguide.call("PUT", "/favourites/Not%20An%20Id", mine)
    assert refused.status_code == 400 and "is not a destination id" in refused.json()["message"]
    assert travelguide.call("PUT", "/favourites", mine).status_code == 400
    assert travelguide.call("PUT", "/favourites/kyoto", None).status_code == 401
    # Where the function's environment (FAVOURITES_DB) put them.
    assert (travelguide.root / "data" / "travelguide-favourites.db").is_file()


def test_the_web_app_may_call_the_api(travelguide: TravelGuide) -> None:
    preflight = httpx.options(
        f"{travelguide.api}/favourites/kyoto",
        headers={
            "Origin": APP_ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "PUT" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    # Refusals carry the CORS headers too, so the app can read them.
    refused = travelguide.call("GET", "/favourites", None)
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == APP_ORIGIN
    elsewhere = travelguide.call("GET", "/favourites", None, headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in elsewhere.headers


def test_start_script_is_valid_bash() -> None:
    result = subprocess.run(
        ["bash", "-n", str(ROOT / "scripts" / "start.sh")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@contextmanager
def serving(site: Path, *extra: str) -> Iterator[str]:
    """scripts/serve_web.py over ``site`` on a free port; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "serve_web.py"),
            "--dir",
            str(site),
            "--port",
            str(port),
            "--quiet",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.HTTPError:
                assert process.poll() is None, "serve_web.py exited"
                assert time.monotonic() < deadline, "serve_web.py did not start"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>TravelGuide</title>")
    (tmp_path / "config.json").write_text('{"clientId": "x"}')
    (tmp_path / "assets" / "index-abc.js").write_text("console.log('hi')")
    return tmp_path


@pytest.fixture
def web_server(site: Path) -> Iterator[str]:
    with serving(site) as url:
        yield url


def test_the_web_apps_configuration_may_live_outside_the_build(
    site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # start.sh keeps it in the data directory: a rebuild empties web/dist.
    config = tmp_path_factory.mktemp("data") / "web-config.json"
    config.write_text('{"clientId": "from-data"}')
    with serving(site, "--config", str(config)) as url:
        answer = httpx.get(url + "/config.json")
        assert answer.json() == {"clientId": "from-data"}
        assert answer.headers["cache-control"] == "no-store"
        # The build is replaced (its config.json with it): the configuration stays.
        (site / "config.json").unlink()
        assert httpx.get(url + "/config.json").json() == {"clientId": "from-data"}
        assert httpx.get(url + "/callback").text.startswith("<!doctype html>")


def test_the_web_apps_server_falls_back_to_index_html(web_server: str) -> None:
    for path in ("/", "/callback?code=abc&state=xyz", "/tokens", "/profile/settings/"):
        response = httpx.get(web_server + path)
        assert response.status_code == 200, path
        assert response.text.startswith("<!doctype html>"), path
        assert response.headers["cache-control"] == "no-store", path
    config = httpx.get(web_server + "/config.json")
    assert config.json() == {"clientId": "x"}
    assert config.headers["content-type"] == "application/json"
    assert config.headers["cache-control"] == "no-store"
    script = httpx.get(web_server + "/assets/index-abc.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "immutable" in script.headers["cache-control"]
    # A missing file is not answered with the app's HTML.
    assert httpx.get(web_server + "/assets/missing.js").status_code == 404
    assert httpx.get(web_server + "/favicon.ico").status_code == 404
