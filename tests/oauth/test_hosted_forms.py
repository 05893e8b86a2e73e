"""The hosted forms as a browser history sees them: every post that stays on the hosted
pages answers ``303`` to a GET page (post/redirect/get), which shows the outcome once,
so Back and reload never meet a POST result (Chromium's ERR_CACHE_MISS). Also what
the pages say (empty fields, where codes go in local development), the hidden username
that password managers read, and the favicon."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, Response, expect

from poolgate.config import Settings
from poolgate.mail.senders import outbox_channels
from tests.conftest import Server, cognito_client, latest_code
from tests.oauth.conftest import Application
from tests.oauth.helpers import (
    NEW_PASSWORD,
    STRONG,
    TEMPORARY,
    App,
    csrf_of,
    email,
    make_app,
    make_pool,
    make_user,
    pkce,
)
from tests.oauth.hosted_pages import make_site

MAILBOX_NOTE = "Trying Poolgate locally? Its codes wait in the developer mailbox"
# The account a form is for, in a field password managers read and nobody sees.
HIDDEN_USERNAME = re.compile(r'name="username" value="[^"]+" autocomplete="username" hidden')


def start(http: httpx.Client, app: App, path: str = "/login") -> httpx.Response:
    """The hosted page ``path`` for a fresh authorization request, as a browser gets it."""
    _verifier, challenge = pkce()
    params = app.authorize_params(code_challenge=challenge, code_challenge_method="S256")
    authorize = http.get("/oauth2/authorize", params=params)
    assert authorize.status_code == 302, authorize.text
    assert authorize.headers["location"].startswith("/login?")
    query = authorize.headers["location"].split("?", 1)[1]
    page = http.get(f"{path}?{query}")
    assert page.status_code == 200, page.text
    return page


def post(http: httpx.Client, page: httpx.Response, action: str, **data: str) -> httpx.Response:
    """Submit the page's form whose action starts with ``action``; the answer must be
    the redirect of post/redirect/get, to a path of the hosted pages with the same
    OAuth query."""
    query = page.url.query.decode()
    answer = http.post(f"{action}?{query}", data={"_csrf": csrf_of(page.text), **data})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].endswith(f"?{query}")
    assert answer.headers["cache-control"] == "no-store"
    return answer


def follow(http: httpx.Client, answer: httpx.Response) -> httpx.Response:
    page = http.get(answer.headers["location"])
    assert page.status_code == 200, page.text
    return page


def field_value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if match is None:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


@pytest.fixture
def app(server: Server, cognito: Any) -> App:
    return make_app(cognito, make_pool(cognito))


def test_a_wrong_password_is_shown_once_by_the_login_page(
    server: Server, cognito: Any, app: App
) -> None:
    username = make_user(cognito, app.pool_id)
    with httpx.Client(base_url=server.url) as http:
        login = start(http, app)
        answer = post(http, login, "/login", username=username, password="Wrong!Pass99")
        assert answer.headers["location"].startswith("/login?")
        shown = follow(http, answer)
        assert "Incorrect username or password." in shown.text
        assert field_value(shown.text, "username") == username
        assert field_value(shown.text, "password") == ""
        assert "Wrong!Pass99" not in shown.text
        # Shown once: a reload (or Back to it later) is the page as any GET has it.
        again = http.get(str(shown.url))
        assert "Incorrect username or password." not in again.text
        assert field_value(again.text, "username") == ""

        # Empty fields: in the words of the field's own label.
        empty = follow(http, post(http, login, "/login", username="", password=""))
        assert "Enter your email and password." in empty.text


def test_sign_up_then_a_wrong_code_then_the_right_one(
    server: Server, cognito: Any, app: App
) -> None:
    address = email()
    with httpx.Client(base_url=server.url) as http:
        signup = start(http, app, "/signup")
        # No email: said under the field, not Cognito's "Username should be an email."
        missing = follow(http, post(http, signup, "/signup", attr_email="", password=STRONG))
        assert "Enter your email." in missing.text
        assert "Username should be an email" not in missing.text
        assert re.search(r'id="attr_email"[^>]*aria-invalid="true"', missing.text)
        assert STRONG not in missing.text

        # A weak password: the address typed is kept, the password is not.
        weak = follow(http, post(http, signup, "/signup", attr_email=address, password="short"))
        assert field_value(weak.text, "attr_email") == address
        assert field_value(weak.text, "password") == ""
        assert re.search(r'id="password"[^>]*aria-invalid="true"', weak.text)

        created = post(http, signup, "/signup", attr_email=address, password=STRONG)
        assert created.headers["location"].startswith("/confirm?")
        confirm = follow(http, created)
        masked = f"We sent a code to {address[0]}***@e***"
        assert masked in confirm.text and "Enter it below to confirm your account." in confirm.text
        assert MAILBOX_NOTE in confirm.text and 'href="/_mailbox"' in confirm.text
        # The account, for the form and for password managers, not as a field to type.
        assert HIDDEN_USERNAME.search(confirm.text)

        wrong = follow(http, post(http, confirm, "/confirm", username=address, code="000000"))
        assert "Invalid verification code provided, please try again." in wrong.text
        # Still says where the code went: "it" refers to something.
        assert masked in wrong.text
        reloaded = http.get(str(wrong.url))
        assert "Invalid verification code" not in reloaded.text
        assert masked in reloaded.text and field_value(reloaded.text, "username") == address

        code = latest_code(server, address)
        done = post(http, reloaded, "/confirm", username=address, code=code)
        assert done.headers["location"].startswith("/login?")
        login = follow(http, done)
        assert "Your account is confirmed. Sign in to continue." in login.text
        assert field_value(login.text, "username") == address


def test_the_confirm_page_without_a_flash_asks_for_the_account(
    server: Server, cognito: Any, app: App
) -> None:
    with httpx.Client(base_url=server.url) as http:
        confirm = start(http, app, "/confirm")
        assert "Enter the code we sent you to confirm your account." in confirm.text
        assert re.search(r'<input[^>]*id="username"[^>]*type="text"', confirm.text)
        assert "Send a new code" not in confirm.text  # it needs the account


def test_forgot_password_and_reset(server: Server, cognito: Any, app: App) -> None:
    username = make_user(cognito, app.pool_id)
    with httpx.Client(base_url=server.url) as http:
        forgot = start(http, app, "/forgotPassword")
        assert MAILBOX_NOTE in forgot.text
        sent = post(http, forgot, "/forgotPassword", username=username)
        assert sent.headers["location"].startswith("/confirmForgotPassword?")
        reset = follow(http, sent)
        assert f"We sent a code to {username[0]}***@e***" in reset.text
        assert MAILBOX_NOTE in reset.text
        assert HIDDEN_USERNAME.search(reset.text)

        code = latest_code(server, username)
        weak = follow(
            http,
            post(http, reset, "/confirmForgotPassword", username=username, code=code, password="x"),
        )
        assert re.search(r'id="password"[^>]*aria-invalid="true"', weak.text)
        assert "We sent a code to" in weak.text
        done = post(
            http, weak, "/confirmForgotPassword",
            username=username, code=code, password=NEW_PASSWORD,
        )  # fmt: skip
        login = follow(http, done)
        assert "Your password has been reset." in login.text


def test_the_new_password_page(server: Server, cognito: Any, app: App) -> None:
    address = email()
    cognito.admin_create_user(
        UserPoolId=app.pool_id,
        Username=address,
        TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": address},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    with httpx.Client(base_url=server.url) as http:
        login = start(http, app)
        answer = post(http, login, "/login", username=address, password=TEMPORARY)
        assert answer.headers["location"].startswith("/newPassword?")
        form = follow(http, answer)
        assert "Change your password" in form.text
        # The account the new password belongs to, for password managers.
        assert f'name="username" value="{address}" autocomplete="username" hidden' in form.text
        session = field_value(form.text, "session")
        assert session

        mismatch = follow(
            http,
            post(
                http, form, "/newPassword", session=session, new_password=NEW_PASSWORD,
                confirm_password=NEW_PASSWORD + "x",
            ),
        )  # fmt: skip
        assert "The passwords do not match." in mismatch.text
        assert field_value(mismatch.text, "session") == session
        # A reload keeps the form working (the session is kept, the message is not).
        reloaded = http.get(str(mismatch.url))
        assert field_value(reloaded.text, "session") == session
        assert "do not match" not in reloaded.text

        done = http.post(
            str(reloaded.url),
            data={
                "_csrf": csrf_of(reloaded.text), "session": session,
                "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
            },
        )  # fmt: skip
        assert done.status_code == 302
        assert done.headers["location"].startswith(app.callback)

    # Without a sign-in that asked for it, the page sends the browser to sign in.
    with httpx.Client(base_url=server.url) as http:
        login = start(http, app)
        away = http.get(f"/newPassword?{login.url.query.decode()}")
        assert away.status_code == 303 and away.headers["location"].startswith("/login?")
        assert "Sign in with your temporary password first." in follow(http, away).text


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the developer mailbox turned off, as in production."""
    data_dir = tmp_path_factory.mktemp("no-mailbox")
    srv = Server(data_dir=data_dir, database_url="", extra_env={"POOLGATE_MAILBOX": "false"})
    srv.start()
    yield srv
    srv.stop()


def test_no_mailbox_note_without_the_mailbox(quiet_server: Server) -> None:
    cognito = cognito_client(quiet_server.url)
    app = make_app(cognito, make_pool(cognito))
    with httpx.Client(base_url=quiet_server.url) as http:
        forgot = start(http, app, "/forgotPassword")
        assert "Forgot your password?" in forgot.text
        assert MAILBOX_NOTE not in forgot.text and "/_mailbox" not in forgot.text


def test_the_mailbox_holds_the_channels_smtp_does_not_carry() -> None:
    assert outbox_channels(Settings()) == {"EMAIL", "SMS"}
    assert outbox_channels(Settings(smtp_host="mail.example")) == {"SMS"}


def test_favicon(server: Server, cognito: Any, app: App) -> None:
    icon = httpx.get(f"{server.url}/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content.startswith(b"\x00\x00\x01\x00")  # an ICO file's header
    svg = httpx.get(f"{server.url}/_ui/favicon.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")
    with httpx.Client(base_url=server.url) as http:
        login = start(http, app)
    assert '<link rel="icon" href="/favicon.ico"' in login.text
    assert '<link rel="icon" href="/_ui/favicon.svg" type="image/svg+xml">' in login.text


@pytest.mark.browser
async def test_back_after_a_failed_sign_in(
    server: Server, cognito: Any, page: Page, application: Application
) -> None:
    site = make_site(server, cognito, callback=application.callback)
    failures: list[str] = []

    def record(response: Response) -> None:
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    page.on("response", record)
    await page.goto(site.url("/oauth2/authorize"))
    await page.get_by_label("Email").fill(site.username)
    await page.get_by_label("Password", exact=True).fill("Wrong!Password1")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Incorrect username or password.")
    await page.get_by_role("link", name="Forgot your password?").click()
    await expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()

    # Back to the failed sign-in's page: a GET page, no "Confirm form resubmission".
    back = await page.go_back()
    assert back is not None and back.status == 200
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("Password", exact=True).fill(STRONG)
    await page.get_by_label("Email").fill(site.username)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{site.app.callback}?*")
    # Back from the application: the sign-in page's GET, which (signed in now) goes
    # straight back to the application; never a POST result.
    back = await page.go_back()
    assert back is not None and back.status == 200
    # No 404 on the way (the favicon included).
    assert failures == [], failures
