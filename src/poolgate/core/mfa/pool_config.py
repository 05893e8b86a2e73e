"""A pool's multi-factor configuration: SetUserPoolMfaConfig and GetUserPoolMfaConfig
(API reference), and the refusal of what Poolgate cannot honour.

Cognito keeps MfaConfiguration, SmsAuthenticationMessage and SmsConfiguration among
the pool's settings (``UserPoolType``); the factors' switches that only
SetUserPoolMfaConfig sets are kept beside them under their request member names
(``SET_ONLY_BY_MFA_CONFIG``), left out of DescribeUserPool and carried over by
UpdateUserPool. SMS MFA is on while ``SmsMfaConfiguration`` is stored.

A setting that is accepted but not honoured would sign users in without the factor
the pool's owner asked for, so every configuration that needs something Poolgate does
not implement is refused when it is set, never stored and ignored.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import (
    FeatureUnavailableInTierException,
    InvalidParameterException,
    ResourceNotFoundException,
)
from poolgate.core.records import UserPool

OFF = "OFF"
ON = "ON"
OPTIONAL = "OPTIONAL"

# The challenge names of the second factors, as UserMFASettingList spells them.
SMS_MFA = "SMS_MFA"
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
EMAIL_OTP = "EMAIL_OTP"

SET_ONLY_BY_MFA_CONFIG = (
    "SmsMfaConfiguration",
    "SoftwareTokenMfaConfiguration",
    "EmailMfaConfiguration",
    "WebAuthnConfiguration",
)
NO_FACTOR = "Invalid MFA configuration given, can't turn on MFA without an MFA type."
# The USER_AUTH first factors Poolgate implements (SignInPolicy.AllowedFirstAuthFactors).
IMPLEMENTED_FIRST_FACTORS = ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
PASSWORDLESS = ("EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")


def mfa_mode(settings: dict[str, Any]) -> str:
    return str(settings.get("MfaConfiguration") or OFF)


def sms_enabled(settings: dict[str, Any]) -> bool:
    return "SmsMfaConfiguration" in settings


def totp_enabled(settings: dict[str, Any]) -> bool:
    return bool((settings.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"))


def email_enabled(settings: dict[str, Any]) -> bool:
    return "EmailMfaConfiguration" in settings


def first_factors(settings: dict[str, Any]) -> list[str]:
    policy = (settings.get("Policies") or {}).get("SignInPolicy") or {}
    return list(policy.get("AllowedFirstAuthFactors") or ["PASSWORD"])


def pool_factors(settings: dict[str, Any]) -> list[str]:
    """The second factors the pool offers, in Cognito's order of MFAS_CAN_SETUP."""
    found = []
    if sms_enabled(settings):
        found.append(SMS_MFA)
    if totp_enabled(settings):
        found.append(SOFTWARE_TOKEN_MFA)
    if email_enabled(settings):
        found.append(EMAIL_OTP)
    return found


def apply_pool_request(request: dict[str, Any], settings: dict[str, Any]) -> None:
    """CreateUserPool and UpdateUserPool: MFA turned on with an SmsConfiguration turns
    SMS MFA on, the one factor those operations can configure."""
    if mfa_mode(settings) != OFF and request.get("SmsConfiguration") is not None:
        settings["SmsMfaConfiguration"] = {}


def check_pool_settings(settings: dict[str, Any]) -> None:
    """Refuse a pool configuration that needs a factor Poolgate does not implement, or
    MFA without any factor."""
    if mfa_mode(settings) != OFF and not pool_factors(settings):
        raise InvalidParameterException(NO_FACTOR)
    factors = first_factors(settings)
    unsupported = [f for f in factors if f not in IMPLEMENTED_FIRST_FACTORS]
    if unsupported:
        raise InvalidParameterException(
            f"AllowedFirstAuthFactors {', '.join(unsupported)} are not supported by Poolgate "
            f"yet; it supports {', '.join(IMPLEMENTED_FIRST_FACTORS)}."
        )
    if "PASSWORD" not in factors:
        raise InvalidParameterException("AllowedFirstAuthFactors must include PASSWORD.")
    passwordless = [f for f in factors if f in PASSWORDLESS]
    if passwordless and mfa_mode(settings) == ON:
        # A code or a passkey alone could not satisfy required MFA (decisions.md).
        raise InvalidParameterException(
            f"AllowedFirstAuthFactors {', '.join(passwordless)} cannot be used while "
            "MfaConfiguration is ON."
        )
    if passwordless and settings.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException(
            "Passwordless sign-in is not available in the LITE feature plan."
        )
    if email_enabled(settings) and settings.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException(
            "Email MFA is not available in the LITE feature plan."
        )


def _set_sms(settings: dict[str, Any], sms: dict[str, Any]) -> None:
    if not sms:
        # An empty SmsMfaConfiguration turns SMS MFA off (decisions.md).
        settings.pop("SmsMfaConfiguration", None)
        return
    settings["SmsMfaConfiguration"] = {}
    if sms.get("SmsAuthenticationMessage") is not None:
        settings["SmsAuthenticationMessage"] = sms["SmsAuthenticationMessage"]
    if sms.get("SmsConfiguration") is not None:
        settings["SmsConfiguration"] = sms["SmsConfiguration"]


def _webauthn(given: dict[str, Any]) -> dict[str, Any]:
    """WebAuthnConfiguration: the relying party and user verification. Passkeys as an
    MFA factor (FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION) are refused:
    Poolgate does not implement them, so it must not accept them."""
    if given.get("FactorConfiguration") == "MULTI_FACTOR_WITH_USER_VERIFICATION":
        raise InvalidParameterException(
            "FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION is not supported by "
            "Poolgate yet: passkeys are a first factor only."
        )
    config: dict[str, Any] = {"UserVerification": given.get("UserVerification") or "preferred"}
    if given.get("RelyingPartyId"):
        config["RelyingPartyId"] = given["RelyingPartyId"]
    if given.get("FactorConfiguration"):
        config["FactorConfiguration"] = given["FactorConfiguration"]
    return config


async def set_user_pool_mfa_config(ctx: Context, pool_id: str, request: dict[str, Any]) -> UserPool:
    """SetUserPoolMfaConfig. A member left out leaves that part of the configuration as
    it is (decisions.md); the result must name a factor when MFA is ON or OPTIONAL."""
    now = ctx.clock()

    def change(pool: UserPool) -> UserPool:
        return replace(pool, settings=configured(pool.settings, request), modified=now)

    pool = await ctx.store.update_pool(pool_id, change)
    if pool is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


def configured(current: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """The pool settings SetUserPoolMfaConfig's ``request`` leads to (checked)."""
    settings = dict(current)
    if request.get("SmsMfaConfiguration") is not None:
        _set_sms(settings, request["SmsMfaConfiguration"])
    if request.get("SoftwareTokenMfaConfiguration") is not None:
        enabled = bool(request["SoftwareTokenMfaConfiguration"].get("Enabled"))
        settings["SoftwareTokenMfaConfiguration"] = {"Enabled": enabled}
    if request.get("EmailMfaConfiguration") is not None:
        settings["EmailMfaConfiguration"] = dict(request["EmailMfaConfiguration"])
    if request.get("WebAuthnConfiguration") is not None:
        settings["WebAuthnConfiguration"] = _webauthn(request["WebAuthnConfiguration"])
    if request.get("MfaConfiguration") is not None:
        settings["MfaConfiguration"] = request["MfaConfiguration"]
    check_pool_settings(settings)
    return settings


def mfa_config(pool: UserPool) -> dict[str, Any]:
    """GetUserPoolMfaConfig's (and SetUserPoolMfaConfig's) answer."""
    settings = pool.settings
    body: dict[str, Any] = {
        "MfaConfiguration": mfa_mode(settings),
        "SoftwareTokenMfaConfiguration": {"Enabled": totp_enabled(settings)},
    }
    if sms_enabled(settings):
        sms: dict[str, Any] = {}
        if settings.get("SmsAuthenticationMessage") is not None:
            sms["SmsAuthenticationMessage"] = settings["SmsAuthenticationMessage"]
        if settings.get("SmsConfiguration") is not None:
            sms["SmsConfiguration"] = settings["SmsConfiguration"]
        body["SmsMfaConfiguration"] = sms
    if email_enabled(settings):
        body["EmailMfaConfiguration"] = dict(settings["EmailMfaConfiguration"])
    if settings.get("WebAuthnConfiguration") is not None:
        body["WebAuthnConfiguration"] = dict(settings["WebAuthnConfiguration"])
    return body
