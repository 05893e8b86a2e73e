"""/passkey and /passkey/add: signing in with a passkey, and adding one once signed in
(the browser session of the hosted pages). WebAuthn is only reachable from script, so
these pages, and only these, run one same-origin script (``static/passkey.js``, served
at /_ui/passkey.js) under a Content-Security-Policy that allows nothing else; the
ceremonies themselves are verified by ``core.mfa.passkeys`` as for the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from poolgate.core.errors import CognitoError
from poolgate.core.mfa import passkeys
from poolgate.core.oauth.authorization import AuthorizeRequest, user_for_session
from poolgate.core.records import User
from poolgate.core.users import lookup
from poolgate.hosted import cookies, mfa
from poolgate.hosted.flow import complete
from poolgate.hosted.pages import Pages
from poolgate.hosted.render import PASSKEY_CSP

SCRIPT = (Path(__file__).parent / "static" / "passkey.js").read_bytes()
_NO_PASSKEY = "There is no passkey for this account here. Sign in with your password."


def _json(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def script(_request: Request) -> Response:
    return Response(
        SCRIPT, media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )  # fmt: skip


async def _page(
    pages: Pages, request: Request, areq: AuthorizeRequest, template: str, **values: Any
) -> Response:
    return await pages.render(request, areq, template, csp=PASSKEY_CSP, **values)


async def sign_in(pages: Pages, request: Request) -> Response:
    """GET: the page; POST: the credential the script put in the form."""
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    if request.method == "GET":
        return await _page(pages, request, areq, "passkey.html", username="")
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    try:
        user, outcome = await passkeys.respond(
            pages.ctx, areq.pool, areq.client, {"CREDENTIAL": form.get("credential", "")},
            form.get("session") or None, mint=False,
        )  # fmt: skip
    except CognitoError as error:
        return await _page(pages, request, areq, "passkey.html", status=400,
                           error=error.message, username=form.get("username", ""))  # fmt: skip
    if outcome.challenge_name is None:
        return await complete(pages.ctx, request, areq, user, int(pages.ctx.clock()))
    return await mfa.present(pages, request, areq, user, outcome)


async def sign_in_options(pages: Pages, request: Request) -> Response:
    """POST (from the script): the WEB_AUTHN challenge for the named user."""
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    form = await pages.form(request)
    if isinstance(form, Response):
        return _json({"message": "The form expired. Reload the page."}, 403)
    user = await lookup.find_user(pages.ctx, areq.pool, form.get("username", "").strip())
    if user is None or not await passkeys.has_credentials(pages.ctx, areq.pool, user):
        return _json({"message": _NO_PASSKEY}, 400)
    try:
        outcome = await passkeys.sign_in_challenge(
            pages.ctx, areq.pool, areq.client, user, credential=None
        )
    except CognitoError as error:
        return _json({"message": error.message}, 400)
    params = outcome.challenge_parameters or {}
    options = orjson.loads(params["CREDENTIAL_REQUEST_OPTIONS"])
    return _json({"session": outcome.session, "options": options})


async def _signed_in_user(pages: Pages, request: Request, areq: AuthorizeRequest) -> User | None:
    session = cookies.read_session(pages.ctx, request, areq.pool.id)
    if session is None:
        return None
    return await user_for_session(pages.ctx, areq.pool, session.sub)


async def add(pages: Pages, request: Request) -> Response:
    """GET: the page (signed in only); POST: register the credential."""
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    user = await _signed_in_user(pages, request, areq)
    if user is None:
        return await pages.render(
            request, areq, "login.html", status=401, username="",
            notice="Sign in first, then add a passkey.", can_sign_up=pages.can_sign_up(areq),
        )  # fmt: skip
    if request.method == "GET":
        return await _page(pages, request, areq, "passkey_add.html")
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    try:
        credential = orjson.loads(form.get("credential", ""))
        if not isinstance(credential, dict):
            raise ValueError("not an object")
        await passkeys.register(pages.ctx, areq.pool, user, credential)
    except (orjson.JSONDecodeError, ValueError):
        return await _page(pages, request, areq, "passkey_add.html", status=400,
                           error="The passkey's answer could not be read.")  # fmt: skip
    except CognitoError as error:
        return await _page(pages, request, areq, "passkey_add.html", status=400,
                           error=error.message)  # fmt: skip
    return await _page(pages, request, areq, "passkey_add.html", added=True,
                       notice="Passkey added. Next time, sign in with it.")  # fmt: skip


async def add_options(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    user = await _signed_in_user(pages, request, areq)
    form = await pages.form(request)
    if isinstance(form, Response) or user is None:
        return _json({"message": "Your session expired. Sign in again."}, 403)
    try:
        options = await passkeys.registration_options(pages.ctx, areq.pool, user)
    except CognitoError as error:
        return _json({"message": error.message}, 400)
    return _json({"options": options})
