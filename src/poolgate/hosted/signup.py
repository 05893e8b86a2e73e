"""/signup, /confirm and /resendcode: self-service sign-up with the pool's attributes
and password policy, then the confirmation code. Every post ends in a redirect to the
GET page that shows what happened (``flash``)."""

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
    username_attributes = lookup.username_attributes(areq.pool)
    if request.method == "GET":
        return await pages.render(
            request,
            areq,
            "signup.html",
            shown=pages.flashed(request, areq),
            attributes=attribute_fields,
            username_is_attribute=bool(username_attributes),
            values={},
            field_errors={},
        )
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    given = {f.name: form.get(f"attr_{f.name}", "").strip() for f in attribute_fields}
    if username_attributes:
        username = next((given[a] for a in username_attributes if given.get(a)), "")
        username_field = username_attributes[0]
    else:
        username = form.get("username", "").strip()
        username_field = "username"
    values = {k: v for k, v in form.items() if k != cookies.CSRF_FIELD}
    if not username:
        # Before Cognito's own check, whose words ("Username should be an email.")
        # read oddly under an empty field labelled Email.
        label = fields.field_for(username_field).label if username_attributes else "username"
        missing = f"Enter your {label.lower()}."
        return pages.redirect(
            request, areq, "/signup", error=missing, values=values,
            field_errors={username_field: missing},
        )  # fmt: skip
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
            field_errors[username_field] = error.message
        return pages.redirect(
            request, areq, "/signup", error=error.message, values=values,
            field_errors=field_errors,
        )  # fmt: skip
    if result.user.status == lookup.CONFIRMED:
        # The pool's pre sign-up trigger confirmed the user: nothing to confirm.
        return pages.redirect(
            request, areq, "/login", username=username,
            notice="Your account was created. Sign in to continue.",
        )  # fmt: skip
    if result.delivery is None:
        return pages.redirect(
            request, areq, "/login", username=username,
            notice="Your account was created. An administrator must confirm it before you "
            "can sign in.",
        )  # fmt: skip
    kept = {
        "username": username,
        "destination": result.delivery.masked,
        "medium": result.delivery.medium,
    }
    return pages.redirect(request, areq, "/confirm", kept=kept)


async def send_confirmation(
    pages: Pages,
    request: Request,
    areq: AuthorizeRequest,
    username: str,
    notice: str = "Your account is not confirmed yet: we sent you a code.",
) -> Response:
    try:
        destination = await sign_up_flow.resend_confirmation_code(
            pages.ctx, areq.client.id, username, pages.secret_hash(areq, username)
        )
    except CognitoError as error:
        return pages.redirect(
            request, areq, "/confirm", kept={"username": username}, error=error.message
        )
    kept = {"username": username, "destination": destination.masked, "medium": destination.medium}
    return pages.redirect(request, areq, "/confirm", kept=kept, notice=notice)


async def confirm(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    left = pages.flashed(request, areq)
    kept = dict(left.kept) if left else {}
    if request.method == "GET":
        # A link may name the user (?username=), as Cognito's confirmation links do.
        kept.setdefault("username", request.query_params.get("username", ""))
        return await pages.render(request, areq, "confirm.html", shown=left, **kept)
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    username = form.get("username", "").strip()
    kept["username"] = username
    try:
        await sign_up_flow.confirm_sign_up(
            pages.ctx, areq.client.id, username, form.get("code", "").strip(),
            pages.secret_hash(areq, username), False,
        )  # fmt: skip
    except CognitoError as error:
        return pages.redirect(request, areq, "/confirm", kept=kept, code_error=error.message)
    return pages.redirect(
        request, areq, "/login", username=username,
        notice="Your account is confirmed. Sign in to continue.",
    )  # fmt: skip


async def resend_code(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    return await send_confirmation(
        pages, request, areq, form.get("username", "").strip(), notice="We sent you a new code."
    )
