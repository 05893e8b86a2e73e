"""The user pool form: the AWS console's "Create user pool" steps (sign-in identifiers,
password policy, MFA, self-service sign-up, attributes, messages, deletion
protection) as one page, turned into CreateUserPool's or UpdateUserPool's members and
SetUserPoolMfaConfig's.

Values the form does not show are carried over from DescribeUserPool on an update
(UpdateUserPool resets whatever a request leaves out, API reference), so editing a
pool here never resets a setting made with the API or ``poolgate apply``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from poolgate.core.auth.passwords import SYMBOLS
from poolgate.core.pools.pool_settings import DEFAULT_PASSWORD_POLICY

SIGN_IN_CHOICES = [
    ("username", "User name", "Users choose a user name; email and phone can be aliases."),
    ("email", "Email address", "The email address is the user name (the workshop's pool)."),
    ("phone", "Phone number", "The phone number is the user name."),
    ("email_phone", "Email address or phone number", "Either one is the user name."),
]
ALIASES = [
    ("email", "Email"),
    ("phone_number", "Phone number"),
    ("preferred_username", "Preferred user name"),
]
REQUIRABLE = [
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "birthdate",
    "address",
    "gender",
    "locale",
    "nickname",
    "picture",
    "website",
    "zoneinfo",
    "middle_name",
    "profile",
]
MFA_MODES = [
    ("OFF", "No MFA"),
    ("OPTIONAL", "Optional: users may set up a second factor"),
    ("ON", "Required: every user signs in with a second factor"),
]
CUSTOM_ROWS = 3
# The update's members the form does not edit, copied from DescribeUserPool.
_CARRIED = (
    "LambdaConfig",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "UserPoolTags",
    "UserPoolAddOns",
    "AccountRecoverySetting",
    "UserPoolTier",
    "Policies",
    "AdminCreateUserConfig",
    "VerificationMessageTemplate",
)


@dataclass
class PoolForm:
    """What the form shows: from a pool's description, or from what was posted."""

    name: str = ""
    sign_in: str = "email"
    aliases: list[str] = field(default_factory=list)
    case_sensitive: bool = False
    policy: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_PASSWORD_POLICY))
    mfa: str = "OFF"
    mfa_factors: list[str] = field(default_factory=lambda: ["SOFTWARE_TOKEN_MFA"])
    # Email MFA, set with the API: shown, and left as it is (SetUserPoolMfaConfig has
    # no way to turn it off, so the form does not offer to turn it on).
    email_mfa: bool = False
    self_sign_up: bool = True
    auto_verify: list[str] = field(default_factory=lambda: ["email"])
    required: list[str] = field(default_factory=lambda: ["email"])
    customs: list[dict[str, str]] = field(default_factory=list)
    verification: dict[str, str] = field(default_factory=dict)
    invitation: dict[str, str] = field(default_factory=dict)
    deletion_protection: bool = False

    @property
    def symbols(self) -> str:
        return SYMBOLS

    def rules(self) -> list[tuple[str, str]]:
        """The password rules, as the live list shows them: (rule key, text)."""
        found = [("length", f"Contains at least {self.policy.get('MinimumLength', 8)} characters")]
        for key, rule, text in (
            ("RequireNumbers", "number", "Contains at least 1 number"),
            ("RequireSymbols", "symbol", "Contains at least 1 special character"),
            ("RequireUppercase", "upper", "Contains at least 1 uppercase letter"),
            ("RequireLowercase", "lower", "Contains at least 1 lowercase letter"),
        ):
            if self.policy.get(key):
                found.append((rule, text))
        return found


def from_description(pool: dict[str, Any], mfa: dict[str, Any]) -> PoolForm:
    """The form for an existing pool (DescribeUserPool and GetUserPoolMfaConfig)."""
    usernames = pool.get("UsernameAttributes") or []
    sign_in = {
        ("email",): "email",
        ("phone_number",): "phone",
    }.get(tuple(usernames), "email_phone" if usernames else "username")
    schema = pool.get("SchemaAttributes") or []
    template = pool.get("VerificationMessageTemplate") or {}
    invite = (pool.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    factors = []
    if (mfa.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"):
        factors.append("SOFTWARE_TOKEN_MFA")
    if "SmsMfaConfiguration" in mfa:
        factors.append("SMS_MFA")
    return PoolForm(
        name=pool.get("Name", ""),
        sign_in=sign_in,
        aliases=list(pool.get("AliasAttributes") or []),
        case_sensitive=bool((pool.get("UsernameConfiguration") or {}).get("CaseSensitive")),
        policy=dict(pool["Policies"]["PasswordPolicy"]),
        mfa=mfa.get("MfaConfiguration", "OFF"),
        mfa_factors=factors,
        email_mfa="EmailMfaConfiguration" in mfa,
        self_sign_up=not (pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"),
        auto_verify=list(pool.get("AutoVerifiedAttributes") or []),
        required=[a["Name"] for a in schema if a.get("Required") and a["Name"] != "sub"],
        customs=[
            {
                "name": a["Name"],
                "type": a["AttributeDataType"],
                "mutable": "on" if a["Mutable"] else "",
            }
            for a in schema
            if a["Name"].startswith(("custom:", "dev:custom:"))
        ],
        verification={
            "subject": template.get("EmailSubject", ""),
            "email": template.get("EmailMessage", ""),
            "sms": template.get("SmsMessage", ""),
        },
        invitation={
            "subject": invite.get("EmailSubject", ""),
            "email": invite.get("EmailMessage", ""),
            "sms": invite.get("SMSMessage", ""),
        },
        deletion_protection=pool.get("DeletionProtection") == "ACTIVE",
    )


def _int(value: str | None) -> int | str | None:
    """A number field: its integer, or the text as typed (the model's validation
    then refuses it with the API's message), or None when empty."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def from_post(form: dict[str, str], lists: dict[str, list[str]]) -> PoolForm:
    """The form as posted (shown again, with the error, when it is refused)."""
    policy: dict[str, Any] = {
        "MinimumLength": _int(form.get("min_length")),
        "RequireUppercase": "upper" in lists.get("require", []),
        "RequireLowercase": "lower" in lists.get("require", []),
        "RequireNumbers": "number" in lists.get("require", []),
        "RequireSymbols": "symbol" in lists.get("require", []),
        "TemporaryPasswordValidityDays": _int(form.get("temporary_days")),
    }
    history = _int(form.get("history"))
    if history:
        policy["PasswordHistorySize"] = history
    customs = []
    for row in range(1, CUSTOM_ROWS + 1):
        name = form.get(f"custom_name_{row}", "").strip()
        if name:
            customs.append(
                {
                    "name": name,
                    "type": form.get(f"custom_type_{row}", "String"),
                    "mutable": "on" if form.get(f"custom_mutable_{row}") else "",
                }
            )
    return PoolForm(
        name=form.get("name", "").strip(),
        sign_in=form.get("sign_in", "username"),
        aliases=lists.get("alias", []),
        case_sensitive=bool(form.get("case_sensitive")),
        policy=policy,
        mfa=form.get("mfa", "OFF"),
        mfa_factors=lists.get("mfa_factor", []),
        self_sign_up=bool(form.get("self_sign_up")),
        auto_verify=lists.get("auto_verify", []),
        required=lists.get("required", []),
        customs=customs,
        verification={k: form.get(f"verify_{k}", "") for k in ("subject", "email", "sms")},
        invitation={k: form.get(f"invite_{k}", "") for k in ("subject", "email", "sms")},
        deletion_protection=bool(form.get("deletion_protection")),
    )


def _policies(shown: PoolForm, current: dict[str, Any] | None) -> dict[str, Any]:
    policies = copy.deepcopy(current) if current else {}
    policy = {k: v for k, v in shown.policy.items() if v is not None}
    policies["PasswordPolicy"] = policy
    return policies


def _messages(shown: PoolForm, request: dict[str, Any]) -> None:
    template = dict(request.get("VerificationMessageTemplate") or {})
    for key, member in (
        ("subject", "EmailSubject"),
        ("email", "EmailMessage"),
        ("sms", "SmsMessage"),
    ):
        if shown.verification.get(key):
            template[member] = shown.verification[key]
        else:
            template.pop(member, None)
    template.setdefault("DefaultEmailOption", "CONFIRM_WITH_CODE")
    request["VerificationMessageTemplate"] = template
    admin = dict(request.get("AdminCreateUserConfig") or {})
    admin["AllowAdminCreateUserOnly"] = not shown.self_sign_up
    invite = dict(admin.get("InviteMessageTemplate") or {})
    for key, member in (
        ("subject", "EmailSubject"),
        ("email", "EmailMessage"),
        ("sms", "SMSMessage"),
    ):
        if shown.invitation.get(key):
            invite[member] = shown.invitation[key]
        else:
            invite.pop(member, None)
    if invite:
        admin["InviteMessageTemplate"] = invite
    else:
        admin.pop("InviteMessageTemplate", None)
    request["AdminCreateUserConfig"] = admin


def mfa_request(shown: PoolForm, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """SetUserPoolMfaConfig's members for the form's MFA choice; ``current`` (the
    pool's GetUserPoolMfaConfig) keeps the SMS message and configuration it has."""
    sms: dict[str, Any] = {}
    if "SMS_MFA" in shown.mfa_factors:
        sms = dict((current or {}).get("SmsMfaConfiguration") or {}) or {
            "SmsAuthenticationMessage": "Your authentication code is {####}."
        }
    return {
        "MfaConfiguration": shown.mfa,
        "SoftwareTokenMfaConfiguration": {"Enabled": "SOFTWARE_TOKEN_MFA" in shown.mfa_factors},
        # An empty SmsMfaConfiguration turns SMS MFA off (docs/decisions.md).
        "SmsMfaConfiguration": sms,
    }


def create_request(shown: PoolForm) -> dict[str, Any]:
    """CreateUserPool's members (MFA is set after, by SetUserPoolMfaConfig)."""
    request: dict[str, Any] = {"PoolName": shown.name, "MfaConfiguration": "OFF"}
    usernames = {
        "email": ["email"],
        "phone": ["phone_number"],
        "email_phone": ["email", "phone_number"],
    }.get(shown.sign_in)
    if usernames:
        request["UsernameAttributes"] = usernames
    elif shown.aliases:
        request["AliasAttributes"] = shown.aliases
    request["UsernameConfiguration"] = {"CaseSensitive": shown.case_sensitive}
    request["Policies"] = _policies(shown, None)
    if shown.auto_verify:
        request["AutoVerifiedAttributes"] = shown.auto_verify
    schema: list[dict[str, Any]] = [
        {"Name": name, "Required": True, "Mutable": True} for name in shown.required
    ]
    for custom in shown.customs:
        schema.append(
            {
                "Name": custom["name"].removeprefix("custom:"),
                "AttributeDataType": custom["type"],
                "Mutable": bool(custom.get("mutable")),
            }
        )
    if schema:
        request["Schema"] = schema
    _messages(shown, request)
    request["DeletionProtection"] = "ACTIVE" if shown.deletion_protection else "INACTIVE"
    return request


def update_request(shown: PoolForm, pool: dict[str, Any]) -> dict[str, Any]:
    """UpdateUserPool's members: the pool as described, with the form's changes. MFA
    goes with SetUserPoolMfaConfig's members in the same write (``mfa_request``)."""
    request: dict[str, Any] = {"UserPoolId": pool["Id"]}
    for member in _CARRIED:
        if member in pool:
            request[member] = copy.deepcopy(pool[member])
    request["Policies"] = _policies(shown, pool.get("Policies"))
    request["AutoVerifiedAttributes"] = shown.auto_verify
    _messages(shown, request)
    request["DeletionProtection"] = "ACTIVE" if shown.deletion_protection else "INACTIVE"
    # The mode changes with the factors (mfa_request), checked once, in one write.
    request["MfaConfiguration"] = "OFF"
    return request
