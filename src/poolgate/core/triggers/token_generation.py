"""The pre token generation trigger (developer guide, "Pre token generation Lambda
trigger"), in its three versions (``LambdaConfig.PreTokenGenerationConfig``):

- ``V1_0``: the function adds, overrides or suppresses id token claims and can replace
  the group claims (``claimsOverrideDetails``);
- ``V2_0``: the same for the id and the access token, and scopes added to or
  suppressed from the access token (``claimsAndScopeOverrideDetails``);
- ``V3_0``: V2_0, and also for the client-credentials (machine-to-machine) tokens.

Sources: ``TokenGeneration_Authentication`` (the API's sign-in flows),
``TokenGeneration_NewPasswordChallenge``, ``TokenGeneration_HostedAuth`` (the hosted
pages and the OAuth code exchange), ``TokenGeneration_RefreshTokens``,
``TokenGeneration_AuthenticateDevice`` and ``TokenGeneration_ClientCredentials`` (V3).

The claims Cognito keeps for itself are never changed; a response that names them
is applied without them (the change is logged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from poolgate.core.context import Context
from poolgate.core.records import User, UserPool
from poolgate.core.triggers import invoke, lambda_config
from poolgate.core.triggers.events import user_attributes

log = logging.getLogger("poolgate.triggers")

AUTHENTICATION = "TokenGeneration_Authentication"
NEW_PASSWORD_CHALLENGE = "TokenGeneration_NewPasswordChallenge"
HOSTED_AUTH = "TokenGeneration_HostedAuth"
REFRESH_TOKENS = "TokenGeneration_RefreshTokens"
AUTHENTICATE_DEVICE = "TokenGeneration_AuthenticateDevice"
CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"

# "You can't modify the following claims" (the developer guide's list), and for the
# access token the members that define it.
PROTECTED_ID = frozenset(
    {
        "acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp",
        "iat", "identities", "iss", "jti", "nbf", "nonce", "origin_jti", "sub",
        "token_use", "event_id",
    }
)  # fmt: skip
PROTECTED_ACCESS = PROTECTED_ID | {"client_id", "scope", "username", "version"}
GROUP_CLAIMS = ("cognito:groups", "cognito:roles", "cognito:preferred_role")
_JSON = (str, int, float, bool, list, dict)


@dataclass
class TokenChanges:
    """What the function asked for, ready for the minting code to apply."""

    id_claims: dict[str, Any] = field(default_factory=dict)
    id_suppress: list[str] = field(default_factory=list)
    access_claims: dict[str, Any] = field(default_factory=dict)
    access_suppress: list[str] = field(default_factory=list)
    scopes_to_add: list[str] = field(default_factory=list)
    scopes_to_suppress: list[str] = field(default_factory=list)
    # None: keep the user's group claims; a dict: replace them with these.
    groups: dict[str, Any] | None = None

    def apply_id(self, claims: dict[str, Any]) -> None:
        _apply(claims, self.id_claims, self.id_suppress, PROTECTED_ID, "id")
        if self.groups is not None:
            for name in GROUP_CLAIMS:
                claims.pop(name, None)
            claims.update(self.groups)

    def apply_access(self, claims: dict[str, Any]) -> None:
        _apply(claims, self.access_claims, self.access_suppress, PROTECTED_ACCESS, "access")
        if self.groups is not None:
            claims.pop("cognito:groups", None)
            if "cognito:groups" in self.groups:
                claims["cognito:groups"] = self.groups["cognito:groups"]
        if self.scopes_to_add or self.scopes_to_suppress:
            scopes = [s for s in str(claims.get("scope", "")).split() if s]
            scopes += [s for s in self.scopes_to_add if s not in scopes]
            scopes = [s for s in scopes if s not in self.scopes_to_suppress]
            claims["scope"] = " ".join(scopes)


def _apply(
    claims: dict[str, Any],
    add: dict[str, Any],
    suppress: list[str],
    protected: frozenset[str],
    token: str,
) -> None:
    refused = sorted((set(add) | set(suppress)) & protected)
    if refused:
        log.warning("PreTokenGeneration may not change the %s token's %s", token, refused)
    for name in suppress:
        if name not in protected:
            claims.pop(name, None)
    for name, value in add.items():
        if name not in protected:
            claims[name] = value


async def pre_token_generation(
    ctx: Context,
    pool: UserPool,
    source: str,
    *,
    user: User | None,
    client_id: str,
    group_claims: dict[str, Any],
    scopes: list[str],
    client_metadata: dict[str, str] | None,
) -> TokenChanges | None:
    """The changes the pool's function asks for, or None when it has none to run.
    ``user`` is None for client-credentials tokens, which only a V3_0 trigger sees."""
    trigger = lambda_config.PRE_TOKEN_GENERATION
    if not invoke.configured(pool, trigger):
        return None
    version = lambda_config.token_generation_version(pool)
    if source == CLIENT_CREDENTIALS and version != "V3_0":
        return None
    request: dict[str, Any] = {
        "userAttributes": user_attributes(pool, user) if user is not None else {},
        "groupConfiguration": {
            "groupsToOverride": list(group_claims.get("cognito:groups") or []),
            "iamRolesToOverride": list(group_claims.get("cognito:roles") or []),
            "preferredRole": group_claims.get("cognito:preferred_role"),
        },
    }
    if version != "V1_0":
        request["scopes"] = list(scopes)
    if client_metadata:
        request["clientMetadata"] = dict(client_metadata)
    key = "claimsOverrideDetails" if version == "V1_0" else "claimsAndScopeOverrideDetails"
    answer = await invoke.call(
        ctx,
        pool,
        trigger,
        source,
        user_name=user.username if user is not None else None,
        client_id=client_id,
        request=request,
        response={key: None},
        version=version[1],
    )
    details = answer.get(key)
    if details is None:
        return TokenChanges()
    if not isinstance(details, dict):
        raise invoke.invalid(trigger, f"{key} must be an object")
    if version == "V1_0":
        return TokenChanges(
            id_claims=_claims(details.get("claimsToAddOrOverride")),
            id_suppress=invoke.string_list(
                details.get("claimsToSuppress"), "claimsToSuppress", trigger
            ),
            groups=_groups(details),
        )
    id_part = _object(details.get("idTokenGeneration"), "idTokenGeneration")
    access_part = _object(details.get("accessTokenGeneration"), "accessTokenGeneration")
    return TokenChanges(
        id_claims=_claims(id_part.get("claimsToAddOrOverride")),
        id_suppress=invoke.string_list(
            id_part.get("claimsToSuppress"), "claimsToSuppress", trigger
        ),
        access_claims=_claims(access_part.get("claimsToAddOrOverride")),
        access_suppress=invoke.string_list(
            access_part.get("claimsToSuppress"), "claimsToSuppress", trigger
        ),
        scopes_to_add=invoke.string_list(access_part.get("scopesToAdd"), "scopesToAdd", trigger),
        scopes_to_suppress=invoke.string_list(
            access_part.get("scopesToSuppress"), "scopesToSuppress", trigger
        ),
        groups=_groups(details),
    )


def _object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invoke.invalid(lambda_config.PRE_TOKEN_GENERATION, f"{name} must be an object")
    return value


def _claims(value: Any) -> dict[str, Any]:
    claims = _object(value, "claimsToAddOrOverride")
    for name, item in claims.items():
        if not isinstance(item, _JSON) or item is None:
            raise invoke.invalid(
                lambda_config.PRE_TOKEN_GENERATION, f"claim {name} has no usable value"
            )
    return claims


def _groups(details: dict[str, Any]) -> dict[str, Any] | None:
    """``groupOverrideDetails``: absent, the group claims stand; given, they are replaced
    (an empty object removes them)."""
    if "groupOverrideDetails" not in details or details["groupOverrideDetails"] is None:
        return None
    trigger = lambda_config.PRE_TOKEN_GENERATION
    override = _object(details["groupOverrideDetails"], "groupOverrideDetails")
    groups = invoke.string_list(override.get("groupsToOverride"), "groupsToOverride", trigger)
    roles = invoke.string_list(override.get("iamRolesToOverride"), "iamRolesToOverride", trigger)
    preferred = override.get("preferredRole")
    if preferred is not None and not isinstance(preferred, str):
        raise invoke.invalid(trigger, "preferredRole must be a string")
    claims: dict[str, Any] = {}
    if groups:
        claims["cognito:groups"] = groups
    if roles:
        claims["cognito:roles"] = roles
    if preferred:
        claims["cognito:preferred_role"] = preferred
    return claims
