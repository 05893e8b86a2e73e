"""The social providers' fixed URLs: the one table in the code.

Each value can be overridden per provider by the same key in its ``ProviderDetails``
(for air-gapped deployments, a regional mirror, or a test stand-in); Describe returns
the effective values, as Cognito returns these keys. ``{api_version}`` is Facebook's
Graph API version (``api_version`` in ProviderDetails, ``v17.0`` by default).

Sources: Cognito API reference, CreateIdentityProvider ("ProviderDetails", the
Describe responses); Google's discovery document
(https://accounts.google.com/.well-known/openid-configuration); Facebook "Manually
Build a Login Flow"; Login with Amazon Developer Guide for Websites ("Authorization
Code Grant", "Obtain Customer Profile Information"); Apple "Sign in with Apple REST
API" (authorize, token, keys).
"""

from __future__ import annotations

# The keys a provider may override.
URL_KEYS = ("authorize_url", "token_url", "attributes_url", "oidc_issuer", "jwks_uri")

FACEBOOK_API_VERSION = "v17.0"

ENDPOINTS: dict[str, dict[str, str]] = {
    "Google": {
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_url": "https://www.googleapis.com/oauth2/v4/token",
        # Google's OpenID userinfo endpoint (its discovery document's
        # userinfo_endpoint); see docs/decisions.md on the People API.
        "attributes_url": "https://openidconnect.googleapis.com/v1/userinfo",
        "oidc_issuer": "https://accounts.google.com",
        "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
    },
    "Facebook": {
        "authorize_url": "https://www.facebook.com/{api_version}/dialog/oauth",
        "token_url": "https://graph.facebook.com/{api_version}/oauth/access_token",
        "attributes_url": "https://graph.facebook.com/{api_version}/me?fields=",
    },
    "LoginWithAmazon": {
        "authorize_url": "https://www.amazon.com/ap/oa",
        "token_url": "https://api.amazon.com/auth/o2/token",
        "attributes_url": "https://api.amazon.com/user/profile",
    },
    "SignInWithApple": {
        "authorize_url": "https://appleid.apple.com/auth/authorize",
        "token_url": "https://appleid.apple.com/auth/token",
        "oidc_issuer": "https://appleid.apple.com",
        "jwks_uri": "https://appleid.apple.com/auth/keys",
    },
}

# How each type's token endpoint is called, and whether the mapped attributes are
# added to the attributes URL (Facebook's ``fields=``), as Describe reports them.
TOKEN_REQUEST_METHOD = {
    "Google": "POST",
    "Facebook": "GET",
    "LoginWithAmazon": "POST",
    "SignInWithApple": "POST",
}
ADD_ATTRIBUTES = {
    "Google": "true",
    "Facebook": "true",
    "LoginWithAmazon": "false",
    "SignInWithApple": "false",
    "OIDC": "false",
}


def endpoint(provider_type: str, details: dict[str, str], key: str) -> str | None:
    """The provider's URL for ``key``: its override, else the table's value."""
    if details.get(key):
        return details[key]
    value = ENDPOINTS.get(provider_type, {}).get(key)
    if value is None:
        return None
    return value.replace("{api_version}", details.get("api_version") or FACEBOOK_API_VERSION)
