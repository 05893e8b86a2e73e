"""The signed-in administrator's own account: the password, an authenticator app (the
administrators' pool offers TOTP unless ``console_mfa = "off"``), and signing out of
every session. Each is the Cognito self-service operation (ChangePassword,
AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference, GlobalSignOut)
called with the administrator's own access token, as an app would for its user."""

from __future__ import annotations

from typing import Any

import segno
from starlette.responses import Response

from poolgate.console import render, session
from poolgate.console.view import View, error_text
from poolgate.core.errors import CognitoError, InvalidParameterException
from poolgate.core.mfa import totp


async def index(
    view: View, *, error: str | None = None, status: int = 200, setup: dict[str, Any] | None = None
) -> Response:
    me = await view.ops.call("GetUser", {"AccessToken": view.admin.access_token})
    mfa = await view.ops.call("GetUserPoolMfaConfig", {"UserPoolId": view.admin.pool_id})
    return view.page(
        "account.html",
        status=status,
        title="Your account",
        me=me,
        error=error,
        setup=setup,
        totp_offered=mfa["SoftwareTokenMfaConfiguration"]["Enabled"],
        totp_on="SOFTWARE_TOKEN_MFA" in (me.get("UserMFASettingList") or []),
        mfa_mode=mfa["MfaConfiguration"],
        expires=view.admin.expires,
    )


async def act(view: View) -> Response:
    action = view.param("action")
    token = view.admin.access_token
    try:
        if action == "password":
            if view.form.get("new_password") != view.form.get("confirm_password"):
                raise InvalidParameterException("The new passwords do not match.")
            await view.ops.call(
                "ChangePassword",
                {
                    "AccessToken": token,
                    "PreviousPassword": view.form.get("password", ""),
                    "ProposedPassword": view.form.get("new_password", ""),
                },
            )
            return view.done("/admin/account", "Changed your password.")
        if action == "totp":
            associated = await view.ops.call("AssociateSoftwareToken", {"AccessToken": token})
            return await index(view, setup=_setup(view, associated["SecretCode"]))
        if action == "totp-verify":
            await view.ops.call(
                "VerifySoftwareToken",
                {
                    "AccessToken": token,
                    "UserCode": view.form.get("code", "").strip(),
                    "FriendlyDeviceName": view.form.get("device_name", "").strip()
                    or "Authenticator",
                },
            )
            await view.ops.call(
                "SetUserMFAPreference",
                {
                    "AccessToken": token,
                    "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
                },
            )
            return view.done(
                "/admin/account",
                "Your authenticator app is set up: the console asks for its code at every sign-in.",
            )
        if action == "sign-out-everywhere":
            await view.ops.call("GlobalSignOut", {"AccessToken": token})
            response = render.redirect("/admin/signed-out")
            session.clear_session(view.request, response)
            return response
    except CognitoError as failed:
        return await index(view, error=error_text(failed), status=400)
    raise InvalidParameterException(f"Unknown action {action!r}.")


def _setup(view: View, secret: str) -> dict[str, Any]:
    """The authenticator's secret as a QR code (drawn on the server) and as text."""
    account = view.admin.email or view.admin.username
    uri = totp.provisioning_uri(secret, account, "Poolgate console")
    return {
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
