"""/forgotPassword and /confirmForgotPassword: a code to the user's verified contact,
then a new password with it. Every post ends in a redirect to the GET page that shows
what happened (``flash``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.errors import CognitoError, InvalidPasswordException
from poolgate.core.oauth.authorization import AuthorizeRequest
from poolgate.core.users import forgot_password as forgot_password_flow
from poolgate.hosted.pages import Pages


async def forgot_password(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    if request.method == "GET":
        left = pages.flashed(request, areq)
        return await pages.render(request, areq, "forgot.html", shown=left, username="")
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    return await start_reset(pages, request, areq, form.get("username", "").strip())


async def start_reset(
    pages: Pages,
    request: Request,
    areq: AuthorizeRequest,
    username: str,
    notice: str | None = None,
) -> Response:
    try:
        destination = await forgot_password_flow.forgot_password(
            pages.ctx, areq.client.id, username, pages.secret_hash(areq, username)
        )
    except CognitoError as error:
        return pages.redirect(
            request, areq, "/forgotPassword", error=error.message, username=username
        )
    kept = {"username": username, "destination": destination.masked, "medium": destination.medium}
    return pages.redirect(request, areq, "/confirmForgotPassword", kept=kept, notice=notice)


async def confirm_forgot_password(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    left = pages.flashed(request, areq)
    kept = dict(left.kept) if left else {}
    if request.method == "GET":
        kept.setdefault("username", request.query_params.get("username", ""))
        return await pages.render(request, areq, "reset.html", shown=left, **kept)
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    username = form.get("username", "").strip()
    kept["username"] = username
    try:
        await forgot_password_flow.confirm_forgot_password(
            pages.ctx, areq.client.id, username, form.get("code", "").strip(),
            form.get("password", ""), pages.secret_hash(areq, username),
        )  # fmt: skip
    except InvalidPasswordException as error:
        return pages.redirect(
            request, areq, "/confirmForgotPassword", kept=kept, password_error=error.message
        )
    except CognitoError as error:
        return pages.redirect(
            request, areq, "/confirmForgotPassword", kept=kept, code_error=error.message
        )
    return pages.redirect(
        request, areq, "/login", username=username,
        notice="Your password has been reset. Sign in with your new password.",
    )  # fmt: skip
