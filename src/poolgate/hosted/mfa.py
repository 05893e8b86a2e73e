"""/mfa and /mfa/setup: the second factor on the hosted pages, after /login or
/newPassword. One page per challenge: a code (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP),
a choice (SELECT_MFA_TYPE), or setting up an authenticator app (MFA_SETUP: the secret,
and its QR code drawn on the server as SVG, so the page needs no script). The answers
go through the same core functions as the API (``core.mfa``), so codes are single use
and wrong ones count toward the same lockout."""

from __future__ import annotations

import base64
import binascii

import orjson
import segno
from cryptography.exceptions import InvalidTag
from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.errors import CognitoError, NotAuthorizedException
from poolgate.core.mfa import challenges, operations, totp
from poolgate.core.oauth.authorization import AuthorizeRequest
from poolgate.core.records import User
from poolgate.crypto.sealing import MasterKeyError
from poolgate.hosted.flow import complete
from poolgate.hosted.pages import Pages

_CODE_PAGES = {
    "SOFTWARE_TOKEN_MFA": ("Enter your authenticator code",
                           "Open your authenticator app and enter the 6-digit code for {app}."),
    "SMS_MFA": ("Enter the code we texted you", "We sent a 6-digit code to {destination}."),
    "EMAIL_OTP": ("Enter the code we emailed you", "We sent a 6-digit code to {destination}."),
    "SMS_OTP": ("Enter the code we texted you", "We sent a 6-digit code to {destination}."),
}  # fmt: skip
_CHOICES = {
    "SOFTWARE_TOKEN_MFA": "Authenticator app",
    "SMS_MFA": "Text message (SMS)",
    "EMAIL_OTP": "Email",
}
_SECRET_PURPOSE = "hosted-totp-setup"


def handles(outcome: AuthOutcome) -> bool:
    return outcome.challenge_name in challenges.NAMES


async def present(
    pages: Pages, request: Request, areq: AuthorizeRequest, user: User, outcome: AuthOutcome,
    *, error: str | None = None,
) -> Response:  # fmt: skip
    """The page for the challenge ``outcome`` names."""
    name = str(outcome.challenge_name)
    params = outcome.challenge_parameters or {}
    status = 400 if error else 200
    if name in _CODE_PAGES:
        title, text = _CODE_PAGES[name]
        description = text.format(
            app=areq.client.name, destination=params.get("CODE_DELIVERY_DESTINATION", "you")
        )
        return await pages.render(
            request, areq, "mfa_code.html", status=status, error=error, title=title,
            description=description, challenge=name, session=outcome.session,
        )  # fmt: skip
    if name == challenges.SELECT_MFA_TYPE:
        choices = [(c, _CHOICES.get(c, c)) for c in orjson.loads(params["MFAS_CAN_CHOOSE"])]
        return await pages.render(
            request, areq, "mfa_select.html", status=status, error=error, choices=choices,
            session=outcome.session,
        )  # fmt: skip
    if name == challenges.MFA_SETUP and "SOFTWARE_TOKEN_MFA" in params.get("MFAS_CAN_SETUP", ""):
        secret, session = await operations.associate_software_token(
            pages.ctx, None, outcome.session
        )
        return await _setup_page(pages, request, areq, user, secret, str(session), error)
    return await pages.render(
        request, areq, "login.html", status=400, username="",
        error="This account needs a second factor that these pages cannot set up. "
        "Ask your administrator.", can_sign_up=pages.can_sign_up(areq),
    )  # fmt: skip


async def _setup_page(
    pages: Pages, request: Request, areq: AuthorizeRequest, user: User, secret: str,
    session: str, error: str | None,
) -> Response:  # fmt: skip
    account = user.attributes.get("email") or user.username
    uri = totp.provisioning_uri(secret, account, areq.client.name or areq.pool.name)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    sealed = base64.b64encode(pages.ctx.sealer.seal(secret.encode(), _SECRET_PURPOSE)).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return await pages.render(
        request, areq, "mfa_setup.html", status=400 if error else 200, error=error,
        qr=qr, secret=grouped, sealed_secret=sealed, session=session,
    )  # fmt: skip


async def answer(pages: Pages, request: Request) -> Response:
    """POST /mfa: a code, or the factor chosen."""
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    name = form.get("challenge", "")
    session = form.get("session", "")
    responses = {"ANSWER": form.get("answer", "")}
    if name in challenges.CODE_PARAMETER:
        responses = {challenges.CODE_PARAMETER[name]: form.get("code", "").strip()}
    elif name != challenges.SELECT_MFA_TYPE:
        return await _start_over(pages, request, areq, "Your sign-in expired. Sign in again.")
    try:
        user, outcome = await challenges.respond(
            pages.ctx, areq.pool, areq.client, name, responses, session, mint=False
        )
    except NotAuthorizedException as error:
        return await _start_over(pages, request, areq, error.message)
    except CognitoError as error:
        again = AuthOutcome(challenge_name=name, challenge_parameters={}, session=session)
        if name == challenges.SELECT_MFA_TYPE:
            again.challenge_parameters = {"MFAS_CAN_CHOOSE": form.get("choices", "[]")}
        return await _retry(pages, request, areq, again, error.message)
    if outcome.challenge_name is None:
        return await complete(pages.ctx, request, areq, user, int(pages.ctx.clock()))
    return await present(pages, request, areq, user, outcome)


async def _retry(
    pages: Pages, request: Request, areq: AuthorizeRequest, outcome: AuthOutcome, error: str
) -> Response:
    name = str(outcome.challenge_name)
    if name in _CODE_PAGES:
        title, _text = _CODE_PAGES[name]
        return await pages.render(
            request, areq, "mfa_code.html", status=400, error=error, title=title,
            description="Enter the code again.", challenge=name, session=outcome.session,
        )  # fmt: skip
    return await _start_over(pages, request, areq, error)


async def _start_over(
    pages: Pages, request: Request, areq: AuthorizeRequest, error: str
) -> Response:
    return await pages.render(
        request, areq, "login.html", status=400, error=error, username="",
        can_sign_up=pages.can_sign_up(areq),
    )  # fmt: skip


async def setup(pages: Pages, request: Request) -> Response:
    """POST /mfa/setup: the authenticator's first code verifies it; then signed in."""
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    form = await pages.form(request)
    if isinstance(form, Response):
        return form
    session = form.get("session", "")
    try:
        secret = pages.ctx.sealer.open(
            base64.b64decode(form.get("secret", ""), validate=True), _SECRET_PURPOSE
        ).decode()
    except (binascii.Error, ValueError, InvalidTag, MasterKeyError):
        return await _start_over(pages, request, areq, "Your sign-in expired. Sign in again.")
    try:
        verified = await operations.verify_software_token(
            pages.ctx, None, session, form.get("code", "").strip(), form.get("device_name") or None
        )
        user, outcome = await challenges.respond(
            pages.ctx, areq.pool, areq.client, challenges.MFA_SETUP, {}, verified, mint=False
        )
    except NotAuthorizedException as error:
        return await _start_over(pages, request, areq, error.message)
    except CognitoError as error:
        state_user = await operations.session_user(pages.ctx, session)
        return await _setup_page(pages, request, areq, state_user, secret, session,
                                 "That code did not match. " + error.message)  # fmt: skip
    if outcome.challenge_name is None:
        return await complete(pages.ctx, request, areq, user, int(pages.ctx.clock()))
    return await present(pages, request, areq, user, outcome)
