"""The app client form: "App integration -> App clients -> Create app client" (public or
with a secret, authentication flows, token validities, the hosted UI's OAuth flows,
scopes, callback and sign-out URLs, identity providers), as CreateUserPoolClient's or
UpdateUserPoolClient's members. An update carries over what the form does not show
(UpdateUserPoolClient resets what a request leaves out)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

AUTH_FLOWS = [
    (
        "ALLOW_USER_SRP_AUTH",
        "Secure Remote Password (USER_SRP_AUTH)",
        "The password never leaves the device: amazon-cognito-identity-js, Amplify.",
    ),
    (
        "ALLOW_USER_PASSWORD_AUTH",
        "Username and password (USER_PASSWORD_AUTH)",
        "The password is sent to the server (over TLS).",
    ),
    (
        "ALLOW_REFRESH_TOKEN_AUTH",
        "Refresh tokens (REFRESH_TOKEN_AUTH)",
        "New id and access tokens from the refresh token.",
    ),
    (
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "Server-side sign-in (ADMIN_USER_PASSWORD_AUTH)",
        "AdminInitiateAuth, signed with the admin key.",
    ),
    (
        "ALLOW_USER_AUTH",
        "Choice-based sign-in (USER_AUTH)",
        "Passwords, passkeys or one-time codes, as the pool allows.",
    ),
    ("ALLOW_CUSTOM_AUTH", "Custom authentication (CUSTOM_AUTH)", "Lambda-driven challenges."),
]
OAUTH_FLOWS = [
    ("code", "Authorization code grant"),
    ("implicit", "Implicit grant"),
    ("client_credentials", "Client credentials"),
]
STANDARD_SCOPES = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"]
UNITS = ["minutes", "hours", "days"]
_UPDATABLE = (
    "ReadAttributes",
    "WriteAttributes",
    "DefaultRedirectURI",
    "AnalyticsConfiguration",
    "EnablePropagateAdditionalUserContextData",
    "RefreshTokenRotation",
)


@dataclass
class ClientForm:
    name: str = ""
    secret: bool = False
    flows: list[str] = field(
        default_factory=lambda: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    validity: dict[str, Any] = field(
        default_factory=lambda: {
            "access": 60,
            "access_unit": "minutes",
            "id": 60,
            "id_unit": "minutes",
            "refresh": 30,
            "refresh_unit": "days",
            "session": 3,
        }
    )
    oauth: bool = False
    oauth_flows: list[str] = field(default_factory=lambda: ["code"])
    scopes: list[str] = field(default_factory=lambda: ["openid", "email", "profile"])
    callbacks: str = ""
    logouts: str = ""
    providers: list[str] = field(default_factory=lambda: ["COGNITO"])
    prevent_existence_errors: bool = True
    revocation: bool = True


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _int(value: str | None) -> int | str | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def from_description(client: dict[str, Any]) -> ClientForm:
    units = client.get("TokenValidityUnits") or {}
    return ClientForm(
        name=client.get("ClientName", ""),
        secret="ClientSecret" in client,
        flows=list(client.get("ExplicitAuthFlows") or []),
        validity={
            "access": client.get("AccessTokenValidity"),
            "access_unit": units.get("AccessToken", "hours"),
            "id": client.get("IdTokenValidity"),
            "id_unit": units.get("IdToken", "hours"),
            "refresh": client.get("RefreshTokenValidity"),
            "refresh_unit": units.get("RefreshToken", "days"),
            "session": client.get("AuthSessionValidity"),
        },
        oauth=bool(client.get("AllowedOAuthFlowsUserPoolClient")),
        oauth_flows=list(client.get("AllowedOAuthFlows") or []),
        scopes=list(client.get("AllowedOAuthScopes") or []),
        callbacks="\n".join(client.get("CallbackURLs") or []),
        logouts="\n".join(client.get("LogoutURLs") or []),
        providers=list(client.get("SupportedIdentityProviders") or []),
        prevent_existence_errors=client.get("PreventUserExistenceErrors") == "ENABLED",
        revocation=bool(client.get("EnableTokenRevocation", True)),
    )


def from_post(form: dict[str, str], lists: dict[str, list[str]]) -> ClientForm:
    return ClientForm(
        name=form.get("name", "").strip(),
        secret=form.get("secret") == "secret",
        flows=lists.get("flow", []),
        validity={
            "access": _int(form.get("access")),
            "access_unit": form.get("access_unit", "minutes"),
            "id": _int(form.get("id")),
            "id_unit": form.get("id_unit", "minutes"),
            "refresh": _int(form.get("refresh")),
            "refresh_unit": form.get("refresh_unit", "days"),
            "session": _int(form.get("session")),
        },
        oauth=bool(form.get("oauth")),
        oauth_flows=lists.get("oauth_flow", []),
        scopes=lists.get("scope", []),
        callbacks=form.get("callbacks", ""),
        logouts=form.get("logouts", ""),
        providers=lists.get("provider", []),
        prevent_existence_errors=bool(form.get("prevent_existence_errors")),
        revocation=bool(form.get("revocation")),
    )


def _members(shown: ClientForm) -> dict[str, Any]:
    validity = shown.validity
    request: dict[str, Any] = {
        "ClientName": shown.name,
        "ExplicitAuthFlows": shown.flows,
        "TokenValidityUnits": {
            "AccessToken": validity["access_unit"],
            "IdToken": validity["id_unit"],
            "RefreshToken": validity["refresh_unit"],
        },
        "PreventUserExistenceErrors": "ENABLED" if shown.prevent_existence_errors else "LEGACY",
        "EnableTokenRevocation": shown.revocation,
        "AllowedOAuthFlowsUserPoolClient": shown.oauth,
        "SupportedIdentityProviders": shown.providers,
    }
    for member, key in (
        ("AccessTokenValidity", "access"),
        ("IdTokenValidity", "id"),
        ("RefreshTokenValidity", "refresh"),
        ("AuthSessionValidity", "session"),
    ):
        if validity.get(key) is not None:
            request[member] = validity[key]
    if shown.oauth:
        request["AllowedOAuthFlows"] = shown.oauth_flows
        request["AllowedOAuthScopes"] = shown.scopes
    callbacks, logouts = _lines(shown.callbacks), _lines(shown.logouts)
    if callbacks:
        request["CallbackURLs"] = callbacks
    if logouts:
        request["LogoutURLs"] = logouts
    return request


def create_request(pool_id: str, shown: ClientForm) -> dict[str, Any]:
    return {"UserPoolId": pool_id, **_members(shown), "GenerateSecret": shown.secret}


def update_request(client: dict[str, Any], shown: ClientForm) -> dict[str, Any]:
    request: dict[str, Any] = {"UserPoolId": client["UserPoolId"], "ClientId": client["ClientId"]}
    for member in _UPDATABLE:
        if member in client:
            request[member] = copy.deepcopy(client[member])
    request.update(_members(shown))
    if request.get("DefaultRedirectURI") not in request.get("CallbackURLs", []):
        request.pop("DefaultRedirectURI", None)
    return request
