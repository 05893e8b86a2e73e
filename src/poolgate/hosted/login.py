"""/login and /newPassword: the user's password against the same core checks as the
API (lockout, masked unknown users), then NEW_PASSWORD_REQUIRED when an administrator
created the account, then back to the application. Every post ends in a redirect:
back to the application, or to the GET page that shows what happened."""

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

# A new password's form, in the flash: the challenge session and the attributes the
# pool still requires, so a refused attempt (or a reload) shows the same form.
_CHALLENGE = ("session", "required", "username")


async def login(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    if request.method == "GET":
        left = pages.flashed(request, areq)
        session = cookies.read_session(pages.ctx, request, areq.pool.id)
        if session is not None and "login" not in areq.prompt:
            user = await user_for_session(pages.ctx, areq.pool, session.sub)
            if user is not None:
                return await complete(pages.ctx, request, areq, user, session.auth_time)
        return await pages.render(
            request, areq, "login.html", shown=left, username="",
            can_sign_up=pages.can_sign_up(areq),
        )  # fmt: skip
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    username = form.get("username", "").strip()
    password = form.get("password", "")
    try:
        if "COGNITO" not in areq.providers:
            # The client offers only third-party providers (SupportedIdentityProviders).
            raise NotAuthorizedException("Sign in with one of the providers below.")
        if not username or not password:
            # The field's own label: "Email" on a pool that signs in with email.
            label = fields.username_label(areq.pool).lower()
            raise NotAuthorizedException(f"Enter your {label} and password.")
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
        return pages.redirect(request, areq, "/login", error=error.message, username=username)
    if outcome.challenge_name == NEW_PASSWORD_REQUIRED:
        params = outcome.challenge_parameters or {}
        required = [
            name.removeprefix("userAttributes.")
            for name in orjson.loads(params.get("requiredAttributes", "[]"))
        ]
        kept = {"session": outcome.session, "required": required, "username": username}
        return pages.redirect(request, areq, "/newPassword", kept=kept)
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


async def new_password(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    if request.method == "GET":
        left = pages.flashed(request, areq)
        if left is None or not left.kept.get("session"):
            # Only a sign-in with the temporary password opens this page.
            return pages.redirect(
                request, areq, "/login", notice="Sign in with your temporary password first."
            )
        entered: dict[str, str] = left.shown.get("values") or {}
        required = [
            fields.field_for(name, entered.get(f"attr_{name}", ""))
            for name in left.kept.get("required") or []
        ]
        return await pages.render(
            request, areq, "new_password.html", shown=left, required_attributes=required
        )
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    left = pages.flashed(request, areq)
    kept = {key: (left.kept if left else {}).get(key) for key in _CHALLENGE}
    # The form's session is the one to answer (the flash may have expired).
    kept["session"] = session = form.get("session", "")
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
        # The challenge session expired: sign in again.
        return pages.redirect(request, areq, "/login", error=error.message)
    except CognitoError as error:
        values = {f"attr_{name}": value for name, value in attributes.items()}
        return pages.redirect(
            request, areq, "/newPassword", kept=kept, error=error.message, values=values
        )
    return await _signed_in_or_owing(pages, request, areq, user, outcome)
