"""/login and /newPassword: the user's password against the same core checks as the
API (lockout, masked unknown users), then NEW_PASSWORD_REQUIRED when an administrator
created the account, then back to the application."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.auth import new_password as new_password_flow
from poolgate.core.auth import password_auth
from poolgate.core.auth.outcome import NEW_PASSWORD_REQUIRED, AuthOutcome
from poolgate.core.errors import (
    CognitoError,
    InvalidPasswordException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)
from poolgate.core.oauth.authorization import AuthorizeRequest, user_for_session
from poolgate.core.records import User
from poolgate.hosted import cookies, fields, mfa, recovery, signup
from poolgate.hosted.flow import complete
from poolgate.hosted.pages import Pages


async def login(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    if request.method == "GET":
        session = cookies.read_session(pages.ctx, request, areq.pool.id)
        if session is not None and "login" not in areq.prompt:
            user = await user_for_session(pages.ctx, areq.pool, session.sub)
            if user is not None:
                return await complete(pages.ctx, request, areq, user, session.auth_time)
        return await pages.render(
            request, areq, "login.html", username="", can_sign_up=pages.can_sign_up(areq)
        )
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    username = form.get("username", "").strip()
    password = form.get("password", "")
    try:
        if not username or not password:
            raise NotAuthorizedException("Enter your username and password.")
        user, outcome = await password_auth.hosted_sign_in(
            pages.ctx, areq.pool, areq.client, username, password
        )
    except UserNotConfirmedException:
        return await signup.send_confirmation(pages, request, areq, username)
    except PasswordResetRequiredException:
        return await recovery.start_reset(
            pages, request, areq, username, notice="Your password must be reset."
        )
    except CognitoError as error:
        return await pages.render(
            request,
            areq,
            "login.html",
            status=400,
            error=error.message,
            username=username,
            can_sign_up=pages.can_sign_up(areq),
        )
    if outcome.challenge_name == NEW_PASSWORD_REQUIRED:
        return await _new_password_page(pages, request, areq, outcome)
    return await _signed_in_or_owing(pages, request, areq, user, outcome)


async def _signed_in_or_owing(
    pages: Pages, request: Request, areq: AuthorizeRequest, user: User, outcome: AuthOutcome
) -> Response:
    """Back to the application only when the sign-in owes nothing more; a challenge
    these pages cannot present refuses the sign-in (fail closed)."""
    if outcome.challenge_name is None:
        return await complete(pages.ctx, request, areq, user, int(pages.ctx.clock()))
    if mfa.handles(outcome):
        return await mfa.present(pages, request, areq, user, outcome)
    return await pages.render(
        request, areq, "login.html", status=400,
        error="This sign-in needs a step these pages cannot present.",
        username="", can_sign_up=pages.can_sign_up(areq),
    )  # fmt: skip


async def _new_password_page(
    pages: Pages,
    request: Request,
    areq: AuthorizeRequest,
    outcome: AuthOutcome,
    error: str | None = None,
    session: str | None = None,
) -> Response:
    params = outcome.challenge_parameters or {}
    required = [
        fields.field_for(name.removeprefix("userAttributes."))
        for name in orjson.loads(params.get("requiredAttributes", "[]"))
    ]
    return await pages.render(
        request,
        areq,
        "new_password.html",
        status=400 if error else 200,
        error=error,
        session=session or outcome.session,
        required_attributes=required,
    )


async def new_password(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    session = form.get("session", "")
    attributes = {
        key.removeprefix("attr_"): value
        for key, value in form.items()
        if key.startswith("attr_") and value
    }
    try:
        if form.get("new_password") != form.get("confirm_password"):
            raise InvalidPasswordException("The passwords do not match.")
        user, outcome = await new_password_flow.hosted_new_password(
            pages.ctx, areq.pool, areq.client, session, form.get("new_password", ""),
            attributes,
        )  # fmt: skip
    except NotAuthorizedException as error:
        return await pages.render(
            request,
            areq,
            "login.html",
            status=400,
            error=error.message,
            username="",
            can_sign_up=pages.can_sign_up(areq),
        )
    except CognitoError as error:
        outcome = AuthOutcome(
            challenge_name=NEW_PASSWORD_REQUIRED,
            challenge_parameters={"requiredAttributes": "[]"},
        )
        return await _new_password_page(pages, request, areq, outcome, error.message, session)
    return await _signed_in_or_owing(pages, request, areq, user, outcome)
