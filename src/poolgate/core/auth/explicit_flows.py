"""Which of an app client's ExplicitAuthFlows enables each authentication flow."""

from __future__ import annotations

from poolgate.core.errors import InvalidParameterException
from poolgate.core.records import AppClient


def _flows(client: AppClient) -> set[str]:
    return set(client.settings.get("ExplicitAuthFlows") or [])


def _legacy(client: AppClient) -> bool:
    return any(not flow.startswith("ALLOW_") for flow in _flows(client))


# Which ExplicitAuthFlows value enables each flow; clients configured with the legacy
# values (no ALLOW_ prefix) always allow SRP and refresh, as Cognito's did.
_ENABLING = {
    "USER_PASSWORD_AUTH": (
        {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
        False,
        "USER_PASSWORD_AUTH flow not enabled for this client",
    ),
    "ADMIN_USER_PASSWORD_AUTH": (
        {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
        False,
        "Auth flow not enabled for this client",
    ),
    "ADMIN_NO_SRP_AUTH": (
        {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
        False,
        "Auth flow not enabled for this client",
    ),
    "USER_SRP_AUTH": (
        {"ALLOW_USER_SRP_AUTH"},
        True,
        "USER_SRP_AUTH is not enabled for the client.",
    ),
    "CUSTOM_AUTH": (
        {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"},
        False,
        "Custom auth flow not enabled for this client",
    ),
    "USER_AUTH": (
        {"ALLOW_USER_AUTH"},
        False,
        "USER_AUTH flow not enabled for this client",
    ),
    "REFRESH_TOKEN_AUTH": (
        {"ALLOW_REFRESH_TOKEN_AUTH"},
        True,
        "Refresh Token flow not enabled for this client",
    ),
    "REFRESH_TOKEN": (
        {"ALLOW_REFRESH_TOKEN_AUTH"},
        True,
        "Refresh Token flow not enabled for this client",
    ),
}


def require_flow(client: AppClient, flow: str) -> None:
    enabling, legacy_allows, message = _ENABLING[flow]
    if _flows(client) & enabling or (legacy_allows and _legacy(client)):
        return
    raise InvalidParameterException(message)
