"""Setting the console up: ``poolgate admin create``, the bootstrap settings (checked
when they are loaded, one line when the start cannot use them), and the console's
cookies on an https public URL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from poolgate.app import create_app
from poolgate.config import ConfigError, Settings, load_settings
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET, MASTER_KEY, free_port
from tests.console.conftest import Site
from tests.console.helpers import sign_in


def run_cli(args: list[str], data_dir: Path, stdin: str = "", **env: str) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "poolgate.cli", *args, "--data-dir", str(data_dir)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "POOLGATE_MASTER_KEY": MASTER_KEY, **env},
    )


def test_poolgate_admin_create_makes_an_administrator_who_then_signs_in(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    done = run_cli(
        ["admin", "create", "ops", "--password-stdin", "--email", "ops@x.test"],
        data_dir,
        "Ops!Temporary1\n",
    )
    assert done.returncode == 0, done.stderr
    assert "Created administrator ops" in done.stdout and "Ops!Temporary1" not in done.stdout
    again = run_cli(["admin", "create", "OPS", "--password-stdin"], data_dir, "Ops!Temporary1\n")
    assert again.returncode == 1 and "User account already exists" in again.stderr
    weak = run_cli(["admin", "create", "weak", "--password-stdin"], data_dir, "weak\n")
    assert weak.returncode == 1 and "Password did not conform with policy" in weak.stderr

    async def first_sign_in() -> list[str]:
        app = create_app(
            Settings(
                data_dir=data_dir,
                master_key=MASTER_KEY,
                admin_access_key_id=ADMIN_KEY_ID,
                admin_secret_access_key=ADMIN_SECRET,
            )
        )
        async with app.router.lifespan_context(app), Site(app, data_dir).client() as http:
            trip = await sign_in(http, "ops", "Ops!Temporary1", "Ops!Chosen12345")
            return trip.paths

    paths = asyncio.run(first_sign_in())
    assert paths[-3:] == ["/newPassword", "/admin/callback", "/admin/"], paths


def test_bootstrap_settings_are_checked_when_loaded() -> None:
    with pytest.raises(ConfigError, match="needs 'bootstrap_admin_password'"):
        load_settings(None, {"POOLGATE_BOOTSTRAP_ADMIN_USERNAME": "root"})
    with pytest.raises(ConfigError, match="needs 'bootstrap_admin_username'"):
        load_settings(None, {"POOLGATE_BOOTSTRAP_ADMIN_PASSWORD": "x"})
    with pytest.raises(ConfigError, match="'console' is false"):
        load_settings(
            None,
            {
                "POOLGATE_BOOTSTRAP_ADMIN_USERNAME": "root",
                "POOLGATE_BOOTSTRAP_ADMIN_PASSWORD": "Root!Pass1234",
                "POOLGATE_CONSOLE": "false",
            },
        )
    with pytest.raises(ConfigError, match="console_mfa"):
        load_settings(None, {"POOLGATE_CONSOLE_MFA": "sometimes"})
    with pytest.raises(ConfigError, match="console_session_minutes"):
        load_settings(None, {"POOLGATE_CONSOLE_SESSION_MINUTES": "2"})
    settings = load_settings(
        None,
        {
            "POOLGATE_BOOTSTRAP_ADMIN_USERNAME": "root",
            "POOLGATE_BOOTSTRAP_ADMIN_PASSWORD": "Root!Pass1234",
        },
    )
    assert "Root!Pass1234" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "words"),
    [
        (
            {"POOLGATE_BOOTSTRAP_ADMIN_PASSWORD": "short"},
            [
                "bootstrap_admin_password",
                "POOLGATE_BOOTSTRAP_ADMIN_PASSWORD",
                "Password not long enough",
            ],
        ),
        (
            {
                "POOLGATE_BOOTSTRAP_ADMIN_PASSWORD": "Root!Pass1234",
                "POOLGATE_PUBLIC_URL": "http://id.internal",
            },
            ["admin console cannot be set up", "HTTPS", "console = false"],
        ),
    ],
)
def test_a_start_that_cannot_set_the_console_up_is_one_line(
    tmp_path: Path, env: dict[str, str], words: list[str]
) -> None:
    done = run_cli(
        ["serve", "--port", str(free_port()), "--workers", "1"],
        tmp_path / "data",
        POOLGATE_BOOTSTRAP_ADMIN_USERNAME="root",
        POOLGATE_ADMIN_ACCESS_KEY_ID=ADMIN_KEY_ID,
        POOLGATE_ADMIN_SECRET_ACCESS_KEY=ADMIN_SECRET,
        POOLGATE_LOG_LEVEL="warning",
        **env,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("poolgate: ")]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert "Root!Pass1234" not in done.stderr + done.stdout


async def test_on_https_the_cookies_are_secure_and_host_only(tmp_path: Path) -> None:
    app = create_app(
        Settings(
            data_dir=tmp_path,
            admin_access_key_id=ADMIN_KEY_ID,
            admin_secret_access_key=ADMIN_SECRET,
            public_url="https://id.example.com",
            bootstrap_admin_username="root",
            bootstrap_admin_password="Root!Pass1234",
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(
            transport=transport, base_url="https://id.example.com"
        ) as http:
            trip = await sign_in(http, "root", "Root!Pass1234", "Root!Chosen1234")
            assert trip.paths[-1] == "/admin/", trip.paths
            names = {cookie.name for cookie in http.cookies.jar}
            assert "__Host-poolgate_console" in names and "poolgate_console" not in names
            assert all(c.secure for c in http.cookies.jar if c.name.startswith("__Host-"))
            assert (await http.get("/admin/account")).status_code == 200


async def test_required_mfa_sets_an_authenticator_up_at_the_first_sign_in(
    tmp_path: Path,
) -> None:
    import html
    import re

    import pyotp

    from tests.console.helpers import csrf_of, follow, post_action

    app = create_app(
        Settings(
            data_dir=tmp_path,
            admin_access_key_id=ADMIN_KEY_ID,
            admin_secret_access_key=ADMIN_SECRET,
            console_mfa="required",
            bootstrap_admin_username="root",
            bootstrap_admin_password="Root!Pass1234",
        )
    )
    async with app.router.lifespan_context(app):
        site = Site(app, tmp_path)
        async with site.client() as http:
            trip = await sign_in(http, "root", "Root!Pass1234", "Root!Chosen1234")
            assert trip.last is not None and trip.paths[-1] != "/admin/"
            page = trip.last.text
            assert "Set up an authenticator app" in page
            secret = re.search(r'<code class="secret">([^<]+)</code>', page)
            assert secret
            code = pyotp.TOTP(html.unescape(secret.group(1)).replace(" ", "")).now()
            answer = await http.post(
                str(httpx.URL(str(trip.last.url)).join(post_action(page))),
                data={
                    "_csrf": csrf_of(page),
                    "code": code,
                    "session": re.search(r'name="session" value="([^"]*)"', page).group(1),  # type: ignore[union-attr]
                    "secret": re.search(r'name="secret" value="([^"]*)"', page).group(1),
                },  # type: ignore[union-attr]
            )
            landed = await follow(http, answer, trip)
            assert trip.paths[-1] == "/admin/" and landed.status_code == 200, trip.paths
        listed = await site.api("ListUserPools", {"MaxResults": 60})
        [admins] = [p["Id"] for p in listed["UserPools"] if p["Name"] == "poolgate-administrators"]
        assert (await site.api("GetUserPoolMfaConfig", {"UserPoolId": admins}))[
            "MfaConfiguration"
        ] == "ON"
        root = await site.api("AdminGetUser", {"UserPoolId": admins, "Username": "root"})
        assert root["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
