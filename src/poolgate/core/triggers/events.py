"""What the triggers' events say about a user, as Cognito writes it."""

from __future__ import annotations

from poolgate.core.records import User, UserPool


def user_attributes(pool: UserPool, user: User) -> dict[str, str]:
    """``request.userAttributes`` of an existing user: the attributes (``sub``
    included), ``cognito:user_status``, and the ``cognito:email_alias`` /
    ``cognito:phone_number_alias`` a verified alias makes."""
    shown = {k: v for k, v in user.attributes.items() if not k.startswith("dev:")}
    shown["cognito:user_status"] = user.status
    aliases = pool.settings.get("AliasAttributes") or []
    for name in ("email", "phone_number"):
        value = user.attributes.get(name)
        if name in aliases and value and user.attributes.get(f"{name}_verified") == "true":
            shown[f"cognito:{name}_alias"] = value
    return shown


def metadata(values: dict[str, str] | None) -> dict[str, str] | None:
    """A ClientMetadata or ValidationData map as the event carries it: null when the
    request had none."""
    return dict(values) if values else None
