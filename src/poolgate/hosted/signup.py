"""/signup, /confirm and /resendcode: self-service sign-up with the pool's attributes
and password policy, then the confirmation code."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.errors import CognitoError, InvalidPasswordException, UsernameExistsException
from poolgate.core.oauth.authorization import AuthorizeRequest
from poolgate.core.users import lookup
from poolgate.core.users import signup as sign_up_flow
from poolgate.hosted import cookies, fields
from poolgate.hosted.pages import Pages
from poolgate.hosted.render import error_page


async def signup(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    if not pages.can_sign_up(areq):
        return await error_page(
            pages.ctx,
            request,
            "Sign-up is not available",
            "Accounts for this application are created by an administrator.",
        )
    attribute_fields = fields.sign_up_fields(areq.pool)
    username_is_attribute = bool(lookup.username_attributes(areq.pool))
    if request.method == "GET":
        return await pages.render(
            request,
            areq,
            "signup.html",
            attributes=attribute_fields,
            username_is_attribute=username_is_attribute,
            values={},
            field_errors={},
        )
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    given = {f.name: form.get(f"attr_{f.name}", "").strip() for f in attribute_fields}
    if username_is_attribute:
        username = next(
            (given[a] for a in lookup.username_attributes(areq.pool) if given.get(a)), ""
        )
    else:
        username = form.get("username", "").strip()
    attrs = [{"Name": name, "Value": value} for name, value in given.items() if value]
    try:
        result = await sign_up_flow.sign_up(
            pages.ctx, areq.client.id, username, form.get("password", ""), attrs,
            pages.secret_hash(areq, username),
        )  # fmt: skip
    except CognitoError as error:
        field_errors = {}
        if isinstance(error, InvalidPasswordException):
            field_errors["password"] = error.message
        elif isinstance(error, UsernameExistsException):
            key = lookup.username_attributes(areq.pool)[0] if username_is_attribute else "username"
            field_errors[key] = error.message
        values = {k: v for k, v in form.items() if k != "password" and k != cookies.CSRF_FIELD}
        return await pages.render(
            request,
            areq,
            "signup.html",
            status=400,
            error=error.message,
            attributes=attribute_fields,
            username_is_attribute=username_is_attribute,
            values=values,
            field_errors=field_errors,
        )
    if result.delivery is None:
        return await pages.render(
            request,
            areq,
            "login.html",
            username=username,
            notice="Your account was created. An administrator must "
            "confirm it before you can sign in.",
            can_sign_up=False,
        )
    return await pages.render(
        request,
        areq,
        "confirm.html",
        username=username,
        destination=result.delivery.masked,
    )


async def send_confirmation(
    pages: Pages, request: Request, areq: AuthorizeRequest, username: str
) -> Response:
    try:
        destination = await sign_up_flow.resend_confirmation_code(
            pages.ctx, areq.client.id, username, pages.secret_hash(areq, username)
        )
    except CognitoError as error:
        return await pages.render(
            request, areq, "confirm.html", status=400, username=username, error=error.message
        )
    return await pages.render(
        request,
        areq,
        "confirm.html",
        username=username,
        destination=destination.masked,
        notice="Your account is not confirmed yet: we sent you a code.",
    )


async def confirm(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    if request.method == "GET":
        return await pages.render(
            request, areq, "confirm.html", username=request.query_params.get("username", "")
        )
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    username = form.get("username", "")
    try:
        await sign_up_flow.confirm_sign_up(
            pages.ctx, areq.client.id, username, form.get("code", "").strip(),
            pages.secret_hash(areq, username), False,
        )  # fmt: skip
    except CognitoError as error:
        return await pages.render(
            request,
            areq,
            "confirm.html",
            status=400,
            username=username,
            code_error=error.message,
        )
    return await pages.render(
        request,
        areq,
        "login.html",
        username=username,
        notice="Your account is confirmed. Sign in to continue.",
        can_sign_up=False,
    )


async def resend_code(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    return await send_confirmation(pages, request, areq, form.get("username", ""))
