"""A user pool's configuration with Cognito's documented defaults filled in.

CreateUserPool and UpdateUserPool both come through ``pool_settings``. UpdateUserPool
replaces the whole mutable configuration ("If you don't provide a value for an
attribute, Amazon Cognito sets it to its default value", UpdateUserPool API
reference), so an update is a fresh build that keeps only what cannot change after
creation.
"""

from __future__ import annotations

import copy
from typing import Any

from poolgate.core.errors import InvalidParameterException
from poolgate.core.mfa import pool_config as mfa_config
from poolgate.core.records import Settings

DEFAULT_PASSWORD_POLICY: dict[str, Any] = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}

_TEXT = {"MinLength": "0", "MaxLength": "2048"}


def _standard(name: str, kind: str = "String", **extra: Any) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "Name": name,
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
    }
    if kind == "String":
        attribute["StringAttributeConstraints"] = dict(_TEXT)
    attribute.update(extra)
    return attribute


# The standard attributes, in the order DescribeUserPool lists them.
STANDARD_ATTRIBUTES: list[dict[str, Any]] = [
    _standard(
        "sub",
        Mutable=False,
        Required=True,
        StringAttributeConstraints={"MinLength": "1", "MaxLength": "2048"},
    ),
    _standard("name"),
    _standard("given_name"),
    _standard("family_name"),
    _standard("middle_name"),
    _standard("nickname"),
    _standard("preferred_username"),
    _standard("profile"),
    _standard("picture"),
    _standard("website"),
    _standard("email"),
    _standard("email_verified", "Boolean"),
    _standard("gender"),
    _standard("birthdate", StringAttributeConstraints={"MinLength": "10", "MaxLength": "10"}),
    _standard("zoneinfo"),
    _standard("locale"),
    _standard("phone_number"),
    _standard("phone_number_verified", "Boolean"),
    _standard("address"),
    _standard("updated_at", "Number", NumberAttributeConstraints={"MinValue": "0"}),
    _standard("identities", StringAttributeConstraints={}),
]
STANDARD_NAMES = {attribute["Name"] for attribute in STANDARD_ATTRIBUTES}
MAX_CUSTOM_ATTRIBUTES = 50

# Settings fixed at creation; UpdateUserPool does not touch them.
CREATE_ONLY = (
    "SchemaAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "UsernameConfiguration",
)


def build_schema(requested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The standard attributes, with the caller's changes to them, then the caller's
    custom attributes as ``custom:NAME`` (``dev:custom:NAME`` when developer-only)."""
    schema = copy.deepcopy(STANDARD_ATTRIBUTES)
    by_name = {attribute["Name"]: attribute for attribute in schema}
    customs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in requested:
        name = item.get("Name")
        if not name:
            raise InvalidParameterException("Schema attribute name is required.")
        if name in seen:
            raise InvalidParameterException(f"Duplicate attribute name: {name}")
        seen.add(name)
        if name in by_name:
            _change_standard(by_name[name], item)
        else:
            customs.append(custom_attribute(item))
    if len(customs) > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException(
            f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )
    return schema + customs


def _change_standard(attribute: dict[str, Any], item: dict[str, Any]) -> None:
    kind = item.get("AttributeDataType")
    if kind is not None and kind != attribute["AttributeDataType"]:
        raise InvalidParameterException(
            f"Attribute {attribute['Name']} is a standard attribute of type "
            f"{attribute['AttributeDataType']}; its type cannot be changed."
        )
    if attribute["Name"] == "sub":
        raise InvalidParameterException("The sub attribute cannot be changed.")
    for key in ("Mutable", "Required", "DeveloperOnlyAttribute"):
        if key in item:
            attribute[key] = item[key]
    if "StringAttributeConstraints" in item and "StringAttributeConstraints" in attribute:
        attribute["StringAttributeConstraints"].update(item["StringAttributeConstraints"])
    if "NumberAttributeConstraints" in item and "NumberAttributeConstraints" in attribute:
        attribute["NumberAttributeConstraints"].update(item["NumberAttributeConstraints"])


def custom_attribute(item: dict[str, Any]) -> dict[str, Any]:
    """One custom attribute as Cognito stores it (used by AddCustomAttributes too)."""
    name = item.get("Name")
    if not name:
        raise InvalidParameterException("A custom attribute must have a Name.")
    if item.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    kind = item.get("AttributeDataType", "String")
    developer_only = bool(item.get("DeveloperOnlyAttribute", False))
    attribute: dict[str, Any] = {
        "Name": ("dev:custom:" if developer_only else "custom:") + name,
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": developer_only,
        "Mutable": bool(item.get("Mutable", True)),
        "Required": False,
    }
    if kind == "String":
        attribute["StringAttributeConstraints"] = dict(item.get("StringAttributeConstraints", {}))
    elif kind == "Number":
        attribute["NumberAttributeConstraints"] = dict(item.get("NumberAttributeConstraints", {}))
    return attribute


def _password_policy(requested: dict[str, Any]) -> dict[str, Any]:
    policy = dict(DEFAULT_PASSWORD_POLICY)
    policy.update(requested)
    # "If you submit a value of 0, Amazon Cognito treats it as a null value and sets
    # TemporaryPasswordValidityDays to its default value."
    if not policy.get("TemporaryPasswordValidityDays"):
        policy["TemporaryPasswordValidityDays"] = DEFAULT_PASSWORD_POLICY[
            "TemporaryPasswordValidityDays"
        ]
    if not policy.get("PasswordHistorySize"):
        policy.pop("PasswordHistorySize", None)
    return policy


def _verification_template(request: dict[str, Any]) -> dict[str, Any]:
    """VerificationMessageTemplate and its legacy top-level twins stay in step, as
    Cognito keeps them."""
    template: dict[str, Any] = {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    legacy = {
        "EmailVerificationMessage": "EmailMessage",
        "EmailVerificationSubject": "EmailSubject",
        "SmsVerificationMessage": "SmsMessage",
    }
    for top, inner in legacy.items():
        if request.get(top) is not None:
            template[inner] = request[top]
    template.update(request.get("VerificationMessageTemplate") or {})
    return template


def pool_settings(request: dict[str, Any], previous: Settings | None = None) -> Settings:
    """The configuration of a pool from a Create/UpdateUserPool request's members.

    ``previous`` is the pool's current configuration on update; its create-only
    settings carry over.
    """
    settings: Settings = {}
    policies = request.get("Policies") or {}
    settings["Policies"] = {
        "PasswordPolicy": _password_policy(policies.get("PasswordPolicy") or {}),
        "SignInPolicy": policies.get("SignInPolicy") or {"AllowedFirstAuthFactors": ["PASSWORD"]},
    }
    settings["DeletionProtection"] = request.get("DeletionProtection") or "INACTIVE"
    settings["LambdaConfig"] = request.get("LambdaConfig") or {}
    if request.get("AutoVerifiedAttributes"):
        settings["AutoVerifiedAttributes"] = list(dict.fromkeys(request["AutoVerifiedAttributes"]))
    template = _verification_template(request)
    settings["VerificationMessageTemplate"] = template
    for top, inner in (
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
        ("SmsVerificationMessage", "SmsMessage"),
    ):
        if inner in template:
            settings[top] = template[inner]
    if request.get("SmsAuthenticationMessage") is not None:
        settings["SmsAuthenticationMessage"] = request["SmsAuthenticationMessage"]
    settings["UserAttributeUpdateSettings"] = request.get("UserAttributeUpdateSettings") or {
        "AttributesRequireVerificationBeforeUpdate": []
    }
    settings["MfaConfiguration"] = request.get("MfaConfiguration") or "OFF"
    if request.get("DeviceConfiguration") is not None:
        settings["DeviceConfiguration"] = request["DeviceConfiguration"]
    settings["EmailConfiguration"] = request.get("EmailConfiguration") or {
        "EmailSendingAccount": "COGNITO_DEFAULT"
    }
    if request.get("SmsConfiguration") is not None:
        settings["SmsConfiguration"] = request["SmsConfiguration"]
    admin = {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7}
    admin.update(request.get("AdminCreateUserConfig") or {})
    settings["AdminCreateUserConfig"] = admin
    if request.get("UserPoolAddOns") is not None:
        settings["UserPoolAddOns"] = request["UserPoolAddOns"]
    if request.get("AccountRecoverySetting") is not None:
        settings["AccountRecoverySetting"] = request["AccountRecoverySetting"]
    settings["UserPoolTier"] = request.get("UserPoolTier") or "ESSENTIALS"

    if previous is None:
        _check_sign_in_attributes(request)
        if request.get("AliasAttributes"):
            settings["AliasAttributes"] = list(dict.fromkeys(request["AliasAttributes"]))
        if request.get("UsernameAttributes"):
            settings["UsernameAttributes"] = list(dict.fromkeys(request["UsernameAttributes"]))
        settings["UsernameConfiguration"] = request.get("UsernameConfiguration") or {
            "CaseSensitive": True
        }
        settings["SchemaAttributes"] = build_schema(request.get("Schema") or [])
    else:
        # SetUserPoolMfaConfig's own settings are not UpdateUserPool's to reset.
        for key in (*CREATE_ONLY, *mfa_config.SET_ONLY_BY_MFA_CONFIG):
            if key in previous:
                settings[key] = previous[key]
    mfa_config.apply_pool_request(request, settings)
    _check_password_history(settings)
    mfa_config.check_pool_settings(settings)
    return settings


def _check_sign_in_attributes(request: dict[str, Any]) -> None:
    if request.get("AliasAttributes") and request.get("UsernameAttributes"):
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )


def _check_password_history(settings: Settings) -> None:
    history = settings["Policies"]["PasswordPolicy"].get("PasswordHistorySize")
    if history and settings["UserPoolTier"] == "LITE":
        raise InvalidParameterException(
            "PasswordHistorySize is not available in the LITE feature plan."
        )
