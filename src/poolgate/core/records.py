"""The records core works with, as its callers see them.

They are defined with the store contract (``poolgate.store.records``), which must not
import core; everything outside ``store/`` takes them from here, so adapters never
import the store.
"""

from poolgate.store.records import (
    AppClient,
    AuthorizationCode,
    Code,
    Device,
    Group,
    Message,
    PoolDomain,
    RefreshToken,
    ResourceServer,
    Settings,
    SigningKey,
    UICustomization,
    User,
    UserPool,
    WebAuthnCredential,
)

__all__ = [
    "AppClient",
    "AuthorizationCode",
    "Code",
    "Device",
    "Group",
    "Message",
    "PoolDomain",
    "RefreshToken",
    "ResourceServer",
    "Settings",
    "SigningKey",
    "UICustomization",
    "User",
    "UserPool",
    "WebAuthnCredential",
]
