"""The records core works with, as its callers see them.

They are defined with the store contract (``poolgate.store.records``), which must not
import core; everything outside ``store/`` takes them from here, so adapters never
import the store.
"""

from poolgate.store.records import (
    AppClient,
    AuthEvent,
    AuthorizationCode,
    Code,
    Device,
    FederatedIdentity,
    Group,
    IdentityProvider,
    Message,
    PoolDomain,
    RefreshToken,
    ResourceServer,
    SamlKey,
    Settings,
    SigningKey,
    UICustomization,
    User,
    UserPool,
    WebAuthnCredential,
)

__all__ = [
    "AppClient",
    "AuthEvent",
    "AuthorizationCode",
    "Code",
    "Device",
    "FederatedIdentity",
    "Group",
    "IdentityProvider",
    "Message",
    "PoolDomain",
    "RefreshToken",
    "ResourceServer",
    "SamlKey",
    "Settings",
    "SigningKey",
    "UICustomization",
    "User",
    "UserPool",
    "WebAuthnCredential",
]
