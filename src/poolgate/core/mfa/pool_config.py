"""A pool's multi-factor configuration, and the refusal of what Poolgate cannot honour.

A setting that is accepted but not honoured would sign users in without the factor
the pool's owner asked for, so every configuration that needs a factor Poolgate does
not implement is refused when it is set (CreateUserPool, UpdateUserPool), never
stored and ignored.
"""

from __future__ import annotations

from typing import Any

from poolgate.core.errors import InvalidParameterException

OFF = "OFF"


def mfa_mode(settings: dict[str, Any]) -> str:
    return str(settings.get("MfaConfiguration") or OFF)


def check_pool_settings(settings: dict[str, Any]) -> None:
    """Refuse a pool configuration that needs a factor Poolgate does not implement."""
    if mfa_mode(settings) != OFF:
        raise InvalidParameterException(
            f"MfaConfiguration {mfa_mode(settings)} is not supported by Poolgate yet: "
            "it implements no second factor."
        )
    if settings.get("DeviceConfiguration") is not None:
        raise InvalidParameterException(
            "DeviceConfiguration is not supported by Poolgate yet: devices are not remembered."
        )
    factors = settings["Policies"]["SignInPolicy"].get("AllowedFirstAuthFactors") or []
    unsupported = [factor for factor in factors if factor != "PASSWORD"]
    if unsupported:
        raise InvalidParameterException(
            f"AllowedFirstAuthFactors {', '.join(unsupported)} are not supported by Poolgate "
            "yet; only PASSWORD is."
        )
