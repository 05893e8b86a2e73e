"""A user's second factors: which are on and which is preferred (SetUserMFAPreference,
AdminSetUserMFAPreference, the legacy SetUserSettings/AdminSetUserSettings MFAOptions),
and GetUserAuthFactors / AdminGetUserAuthFactors.

State lives in ``user.state["mfa"]`` (``enabled``: the UserMFASettingList values,
``preferred``: PreferredMfaSetting), which GetUser and AdminGetUser already report.
A legacy MFAOptions entry for SMS counts as SMS MFA on, as Cognito treats it.
"""

from __future__ import annotations

from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.mfa import software_token
from poolgate.core.mfa.pool_config import EMAIL_OTP, SMS_MFA, SOFTWARE_TOKEN_MFA
from poolgate.core.mfa.pool_config import first_factors as pool_first_factors
from poolgate.core.records import User, UserPool
from poolgate.core.users import lookup

_SETTINGS = (
    ("SMSMfaSettings", SMS_MFA),
    ("SoftwareTokenMfaSettings", SOFTWARE_TOKEN_MFA),
    ("EmailMfaSettings", EMAIL_OTP),
)
_ORDER = (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP)


def enabled(user: User) -> list[str]:
    """UserMFASettingList: the factors the user turned on, in Cognito's order."""
    on = set((user.state.get("mfa") or {}).get("enabled") or [])
    if any(o.get("DeliveryMedium") == "SMS" for o in user.state.get("mfa_options") or []):
        on.add(SMS_MFA)
    return [factor for factor in _ORDER if factor in on]


def preferred(user: User) -> str | None:
    value = (user.state.get("mfa") or {}).get("preferred")
    return str(value) if value else None


def deliverable(user: User, factor: str) -> bool:
    """Whether the factor can reach the user: a phone for SMS, an email address for
    email, a verified authenticator for TOTP."""
    if factor == SMS_MFA:
        return bool(user.attributes.get("phone_number"))
    if factor == EMAIL_OTP:
        return bool(user.attributes.get("email"))
    return software_token.verified(user)


def _refuse_undeliverable(user: User, factor: str) -> None:
    if factor == SOFTWARE_TOKEN_MFA and not software_token.verified(user):
        raise InvalidParameterException("User has not verified software token mfa")
    if not deliverable(user, factor):
        raise InvalidParameterException(
            f"User does not have delivery config set to turn on {factor}"
        )


def apply_preference(user: User, request: dict[str, Any]) -> None:
    """SetUserMFAPreference's members applied to ``user`` (the caller stores it). A
    factor turned off stops being preferred; PreferredMfa also turns its factor on."""
    if request.get("WebAuthnMfaSettings", {}).get("Enabled"):
        raise InvalidParameterException(
            "Passkey MFA needs the user pool's WebAuthnConfiguration FactorConfiguration "
            "MULTI_FACTOR_WITH_USER_VERIFICATION, which Poolgate does not support."
        )
    on = enabled(user)
    choice = preferred(user)
    for member, factor in _SETTINGS:
        settings = request.get(member)
        if settings is None:
            continue
        wanted = settings.get("Enabled")
        prefer = settings.get("PreferredMfa")
        if wanted or prefer:
            _refuse_undeliverable(user, factor)
            if factor not in on:
                on.append(factor)
        elif wanted is False:
            on = [f for f in on if f != factor]
            if choice == factor:
                choice = None
        if prefer:
            choice = factor
        elif prefer is False and choice == factor:
            choice = None
    if SMS_MFA not in on:
        user.state.pop("mfa_options", None)
    state: dict[str, Any] = {"enabled": [f for f in _ORDER if f in on]}
    if choice in on:
        state["preferred"] = choice
    user.state["mfa"] = state


async def set_preference(ctx: Context, pool: UserPool, user: User, request: dict[str, Any]) -> None:
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise InvalidParameterException("User does not exist.")
        apply_preference(current, request)
        current.modified = ctx.clock()
        await tx.put_user(current)


def check_mfa_options(options: list[dict[str, Any]]) -> None:
    for option in options:
        if option.get("AttributeName") != "phone_number" or option.get("DeliveryMedium") != "SMS":
            raise InvalidParameterException(
                "Only phone_number with the SMS delivery medium is supported in MFAOptions."
            )


async def set_user_settings(
    ctx: Context, pool: UserPool, user: User, options: list[dict[str, Any]]
) -> None:
    """SetUserSettings and AdminSetUserSettings: the legacy way to turn SMS MFA on (an
    entry) or off (an empty list)."""
    check_mfa_options(options)
    user.state["mfa_options"] = list(options)
    if not options:
        state = dict(user.state.get("mfa") or {})
        state["enabled"] = [f for f in state.get("enabled") or [] if f != SMS_MFA]
        if state.get("preferred") == SMS_MFA:
            state.pop("preferred")
        user.state["mfa"] = state
    user.modified = ctx.clock()
    await ctx.store.put_user(lookup.index_keys(pool, user))


async def first_factors(ctx: Context, pool: UserPool, user: User) -> list[str]:
    """The USER_AUTH first factors the pool allows and this user can use: PASSWORD with
    a password, EMAIL_OTP with a verified email address, SMS_OTP with a verified phone
    number, WEB_AUTHN with a registered passkey."""
    allowed = set(pool_first_factors(pool.settings))
    found = []
    if user.credential_sealed is not None:
        found.append("PASSWORD")
    if user.attributes.get("email_verified") == "true" and user.attributes.get("email"):
        found.append("EMAIL_OTP")
    if user.attributes.get("phone_number_verified") == "true":
        found.append("SMS_OTP")
    if await ctx.store.list_webauthn_credentials(pool.id, user.sub):
        found.append("WEB_AUTHN")
    return [f for f in found if f in allowed]


async def auth_factors(ctx: Context, pool: UserPool, user: User) -> dict[str, Any]:
    """GetUserAuthFactors' answer: MFA settings and the USER_AUTH first factors that
    are configured for the user."""
    configured = await first_factors(ctx, pool, user)
    body: dict[str, Any] = {"Username": user.username, "ConfiguredUserAuthFactors": configured}
    on = enabled(user)
    if on:
        body["UserMFASettingList"] = on
    if preferred(user):
        body["PreferredMfaSetting"] = preferred(user)
    return body
