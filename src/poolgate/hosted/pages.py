"""The hosted sign-in pages at Cognito's paths: /login, /newPassword, /signup,
/confirm, /resendcode, /forgotPassword, /confirmForgotPassword.

Every page carries the OAuth authorization request in its query string and checks it
again; every form post must carry the CSRF token; password and code attempts go
through the same core functions as the API, so lockout and rate limits apply alike.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.auth import flows
from poolgate.core.auth.client_auth import secret_hash
from poolgate.core.context import Context
from poolgate.core.errors import (
    CognitoError,
    InvalidPasswordException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UsernameExistsException,
    UserNotConfirmedException,
)
from poolgate.core.oauth import oauth
from poolgate.core.pools import clients
from poolgate.core.users import forgot_password, lookup, signup
from poolgate.hosted import cookies, fields
from poolgate.hosted.flow import authorize_request, complete, redirect
from poolgate.hosted.render import error_page, page


class HostedPages:
    def __init__(self, ctx: Context, *, require_pkce: bool = True) -> None:
        self.ctx = ctx
        self.require_pkce = require_pkce

    # Helpers

    async def _areq(self, request: Request) -> oauth.AuthorizeRequest | Response:
        return await authorize_request(self.ctx, request, self.require_pkce)

    async def _form(self, request: Request) -> dict[str, str] | Response:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        if not cookies.csrf_ok(self.ctx, request, values.get(cookies.CSRF_FIELD)):
            return await error_page(
                self.ctx, request, "Your session has expired",
                "The form could not be verified (missing or stale security token). Go back, "
                "reload the page and try again.", status=403,
            )  # fmt: skip
        return values

    def _secret_hash(self, areq: oauth.AuthorizeRequest, username: str) -> str | None:
        secret = clients.client_secret(self.ctx, areq.client)
        return secret_hash(secret, username, areq.client.id) if secret else None

    async def _render(
        self,
        request: Request,
        areq: oauth.AuthorizeRequest,
        template: str,
        *,
        status: int = 200,
        **values: Any,
    ) -> Response:
        return await page(
            self.ctx, request, template, status=status, pool_id=areq.pool.id,
            client_id=areq.client.id, app_name=areq.client.name,
            username_label=fields.username_label(areq.pool),
            policy_hint=fields.policy_hint(areq.pool), **values,
        )  # fmt: skip

    def _can_sign_up(self, areq: oauth.AuthorizeRequest) -> bool:
        config = areq.pool.settings.get("AdminCreateUserConfig") or {}
        return not config.get("AllowAdminCreateUserOnly")

    # /login

    async def login(self, request: Request) -> Response:
        areq = await self._areq(request)
        if isinstance(areq, Response):
            return areq
        if request.method == "GET":
            session = cookies.read_session(self.ctx, request, areq.pool.id)
            if session is not None and "login" not in areq.prompt:
                user = await oauth.user_for_session(self.ctx, areq.pool, session.sub)
                if user is not None:
                    return await complete(self.ctx, request, areq, user, session.auth_time)
            return await self._render(
                request, areq, "login.html", username="", can_sign_up=self._can_sign_up(areq)
            )
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        username = form.get("username", "").strip()
        password = form.get("password", "")
        try:
            if not username or not password:
                raise NotAuthorizedException("Enter your username and password.")
            user, outcome = await flows.hosted_sign_in(
                self.ctx, areq.pool, areq.client, username, password
            )
        except UserNotConfirmedException:
            return await self._send_confirmation(request, areq, username)
        except PasswordResetRequiredException:
            return await self._start_reset(
                request, areq, username, notice="Your password must be reset."
            )
        except CognitoError as error:
            return await self._render(
                request,
                areq,
                "login.html",
                status=400,
                error=error.message,
                username=username,
                can_sign_up=self._can_sign_up(areq),
            )
        if outcome.challenge_name == flows.NEW_PASSWORD_REQUIRED:
            return await self._new_password_page(request, areq, outcome)
        return await complete(self.ctx, request, areq, user, int(self.ctx.clock()))

    async def _new_password_page(
        self,
        request: Request,
        areq: oauth.AuthorizeRequest,
        outcome: flows.AuthOutcome,
        error: str | None = None,
        session: str | None = None,
    ) -> Response:
        params = outcome.challenge_parameters or {}
        required = [
            fields.field_for(name.removeprefix("userAttributes."))
            for name in orjson.loads(params.get("requiredAttributes", "[]"))
        ]
        return await self._render(
            request,
            areq,
            "new_password.html",
            status=400 if error else 200,
            error=error,
            session=session or outcome.session,
            required_attributes=required,
        )

    async def new_password(self, request: Request) -> Response:
        areq = await self._areq(request)
        if isinstance(areq, Response):
            return areq
        form = await self._form(request)
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
            sub = await flows.hosted_new_password(
                self.ctx, areq.pool, areq.client, session, form.get("new_password", ""),
                attributes,
            )  # fmt: skip
        except NotAuthorizedException as error:
            return await self._render(
                request,
                areq,
                "login.html",
                status=400,
                error=error.message,
                username="",
                can_sign_up=self._can_sign_up(areq),
            )
        except CognitoError as error:
            outcome = flows.AuthOutcome(
                challenge_name=flows.NEW_PASSWORD_REQUIRED,
                challenge_parameters={"requiredAttributes": "[]"},
            )
            return await self._new_password_page(request, areq, outcome, error.message, session)
        user = await self.ctx.store.get_user_by_sub(areq.pool.id, sub)
        if user is None:
            return await error_page(
                self.ctx, request, "Sign-in failed", "The user no longer exists."
            )
        return await complete(self.ctx, request, areq, user, int(self.ctx.clock()))

    # /signup, /confirm, /resendcode

    async def signup(self, request: Request) -> Response:
        areq = await self._areq(request)
        if isinstance(areq, Response):
            return areq
        if not self._can_sign_up(areq):
            return await error_page(
                self.ctx,
                request,
                "Sign-up is not available",
                "Accounts for this application are created by an administrator.",
            )
        attribute_fields = fields.sign_up_fields(areq.pool)
        username_is_attribute = bool(lookup.username_attributes(areq.pool))
        if request.method == "GET":
            return await self._render(
                request,
                areq,
                "signup.html",
                attributes=attribute_fields,
                username_is_attribute=username_is_attribute,
                values={},
                field_errors={},
            )
        form = await self._form(request)
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
            result = await signup.sign_up(
                self.ctx, areq.client.id, username, form.get("password", ""), attrs,
                self._secret_hash(areq, username),
            )  # fmt: skip
        except CognitoError as error:
            field_errors = {}
            if isinstance(error, InvalidPasswordException):
                field_errors["password"] = error.message
            elif isinstance(error, UsernameExistsException):
                key = (
                    lookup.username_attributes(areq.pool)[0]
                    if username_is_attribute
                    else "username"
                )
                field_errors[key] = error.message
            values = {k: v for k, v in form.items() if k != "password" and k != cookies.CSRF_FIELD}
            return await self._render(
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
            return await self._render(
                request,
                areq,
                "login.html",
                username=username,
                notice="Your account was created. An administrator must "
                "confirm it before you can sign in.",
                can_sign_up=False,
            )
        return await self._render(
            request,
            areq,
            "confirm.html",
            username=username,
            destination=result.delivery.details()["Destination"],
        )

    async def _send_confirmation(
        self, request: Request, areq: oauth.AuthorizeRequest, username: str
    ) -> Response:
        try:
            destination = await signup.resend_confirmation_code(
                self.ctx, areq.client.id, username, self._secret_hash(areq, username)
            )
        except CognitoError as error:
            return await self._render(
                request, areq, "confirm.html", status=400, username=username, error=error.message
            )
        return await self._render(
            request,
            areq,
            "confirm.html",
            username=username,
            destination=destination.details()["Destination"],
            notice="Your account is not confirmed yet: we sent you a code.",
        )

    async def confirm(self, request: Request) -> Response:
        areq = await self._areq(request)
        if isinstance(areq, Response):
            return areq
        if request.method == "GET":
            return await self._render(
                request, areq, "confirm.html", username=request.query_params.get("username", "")
            )
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        username = form.get("username", "")
        try:
            await signup.confirm_sign_up(
                self.ctx, areq.client.id, username, form.get("code", "").strip(),
                self._secret_hash(areq, username), False,
            )  # fmt: skip
        except CognitoError as error:
            return await self._render(
                request,
                areq,
                "confirm.html",
                status=400,
                username=username,
                code_error=error.message,
            )
        return await self._render(
            request,
            areq,
            "login.html",
            username=username,
            notice="Your account is confirmed. Sign in to continue.",
            can_sign_up=False,
        )

    async def resend_code(self, request: Request) -> Response:
        areq = await self._areq(request)
        if isinstance(areq, Response):
            return areq
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        return await self._send_confirmation(request, areq, form.get("username", ""))

    # /forgotPassword, /confirmForgotPassword

    async def forgot_password(self, request: Request) -> Response:
        areq = await self._areq(request)
        if isinstance(areq, Response):
            return areq
        if request.method == "GET":
            return await self._render(request, areq, "forgot.html", username="")
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        return await self._start_reset(request, areq, form.get("username", "").strip())

    async def _start_reset(
        self,
        request: Request,
        areq: oauth.AuthorizeRequest,
        username: str,
        notice: str | None = None,
    ) -> Response:
        try:
            destination = await forgot_password.forgot_password(
                self.ctx, areq.client.id, username, self._secret_hash(areq, username)
            )
        except CognitoError as error:
            return await self._render(
                request, areq, "forgot.html", status=400, username=username, error=error.message
            )
        return await self._render(
            request,
            areq,
            "reset.html",
            username=username,
            destination=destination.details()["Destination"],
            notice=notice,
        )

    async def confirm_forgot_password(self, request: Request) -> Response:
        areq = await self._areq(request)
        if isinstance(areq, Response):
            return areq
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        username = form.get("username", "")
        try:
            await forgot_password.confirm_forgot_password(
                self.ctx, areq.client.id, username, form.get("code", "").strip(),
                form.get("password", ""), self._secret_hash(areq, username),
            )  # fmt: skip
        except InvalidPasswordException as error:
            return await self._render(
                request,
                areq,
                "reset.html",
                status=400,
                username=username,
                password_error=error.message,
            )
        except CognitoError as error:
            return await self._render(
                request, areq, "reset.html", status=400, username=username, code_error=error.message
            )
        return await self._render(
            request,
            areq,
            "login.html",
            username=username,
            notice="Your password has been reset. Sign in with your new password.",
            can_sign_up=False,
        )

    async def home(self, request: Request) -> Response:
        return (
            redirect("/login?" + request.url.query)
            if request.url.query
            else await error_page(
                self.ctx,
                request,
                "Poolgate",
                "Open this page from an application's sign-in link.",
                status=404,
            )
        )
