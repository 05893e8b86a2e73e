"""``ProviderDetails`` per provider type, as the CreateIdentityProvider API reference
lists them: what a request must and may carry, what Describe returns, and which
values are secrets.

Secrets (``client_secret``, Apple's ``private_key``) are sealed with the master key,
bound to the pool and provider. Describe returns ``client_secret`` (Cognito's Describe
responses include it) and never ``private_key``. An update that leaves a secret out
keeps the stored one, so Describe's answer can be sent back as an update. Keys that
Poolgate does not know, or does not honour, are refused rather than stored.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import orjson

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.federation import endpoints, saml_metadata
from poolgate.core.federation.apple import as_pem
from poolgate.core.records import IdentityProvider

SOCIAL = ("Google", "Facebook", "LoginWithAmazon", "SignInWithApple")
SECRET_KEYS = ("client_secret", "private_key")
_TRUE_FALSE = ("true", "false")

# Per type: required keys, optional keys.
_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "Google": (
        {"client_id", "client_secret", "authorize_scopes"},
        {*endpoints.URL_KEYS, "attributes_url_add_attributes", "token_request_method"},
    ),
    "Facebook": (
        {"client_id", "client_secret", "authorize_scopes"},
        {
            "api_version",
            "authorize_url",
            "token_url",
            "attributes_url",
            "attributes_url_add_attributes",
            "token_request_method",
        },
    ),
    "LoginWithAmazon": (
        {"client_id", "client_secret", "authorize_scopes"},
        {
            "authorize_url",
            "token_url",
            "attributes_url",
            "attributes_url_add_attributes",
            "token_request_method",
        },
    ),
    "SignInWithApple": (
        {"client_id", "team_id", "key_id", "private_key", "authorize_scopes"},
        {
            "authorize_url",
            "token_url",
            "oidc_issuer",
            "jwks_uri",
            "attributes_url_add_attributes",
            "token_request_method",
        },
    ),
    "OIDC": (
        {"client_id", "authorize_scopes", "oidc_issuer"},
        {
            "client_secret",
            "attributes_request_method",
            "authorize_url",
            "token_url",
            "attributes_url",
            "jwks_uri",
            "attributes_url_add_attributes",
        },
    ),
    "SAML": (
        set(),
        {
            "MetadataURL",
            "MetadataFile",
            "IDPInit",
            "IDPSignout",
            "EncryptedResponses",
            "RequestSigningAlgorithm",
            # Describe's own keys, accepted back from a Describe-then-Update.
            "ActiveEncryptionCertificate",
            "SSORedirectBindingURI",
            "SLORedirectBindingURI",
        },
    ),
}
_DESCRIBED_ONLY = {
    "ActiveEncryptionCertificate",
    "SSORedirectBindingURI",
    "SLORedirectBindingURI",
    "attributes_url_add_attributes",
    "token_request_method",
}


def _purpose(pool_id: str, name: str) -> str:
    return f"idp-secret:{pool_id}:{name}"


def check(
    provider_type: str, given: dict[str, str], stored_secrets: dict[str, str] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """(details to store, secrets to seal) from a request's ProviderDetails.
    ``stored_secrets``: on update, the secrets kept when the request leaves them out."""
    required, optional = _KEYS[provider_type]
    unknown = sorted(set(given) - required - optional)
    if unknown:
        raise InvalidParameterException(
            f"ProviderDetails for {provider_type} do not accept: {', '.join(unknown)}."
        )
    values = {k: v for k, v in given.items() if k not in _DESCRIBED_ONLY}
    secrets = {k: values.pop(k) for k in SECRET_KEYS if k in values}
    for key, value in (stored_secrets or {}).items():
        secrets.setdefault(key, value)
    missing = sorted(k for k in required if not (values.get(k) or secrets.get(k)))
    if missing:
        raise InvalidParameterException(
            f"ProviderDetails for {provider_type} require: {', '.join(missing)}."
        )
    _check_described(provider_type, given)
    for key in endpoints.URL_KEYS:
        if key in values:
            _check_url(key, values[key])
    if provider_type == "OIDC":
        method = values.setdefault("attributes_request_method", "GET")
        if method not in ("GET", "POST"):
            raise InvalidParameterException("attributes_request_method must be GET or POST.")
    if provider_type == "SignInWithApple":
        _check_apple_key(secrets["private_key"])
    if provider_type == "SAML":
        _check_saml(values)
    return values, secrets


def _check_described(provider_type: str, given: dict[str, str]) -> None:
    """Describe-only keys may come back unchanged, never with another value."""
    expected = {
        "attributes_url_add_attributes": endpoints.ADD_ATTRIBUTES.get(provider_type),
        "token_request_method": endpoints.TOKEN_REQUEST_METHOD.get(provider_type),
    }
    for key, value in expected.items():
        if key in given and given[key] != value:
            raise InvalidParameterException(
                f"{key} is {value} for {provider_type} providers and cannot be changed."
            )


def _check_url(key: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InvalidParameterException(f"{key} must be an http(s) URL: {url}")


def _check_apple_key(pem: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(as_pem(pem).encode(), password=None)
    except (ValueError, TypeError):
        raise InvalidParameterException(
            "private_key must be the .p8 key Apple issued (PKCS#8, PEM)."
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise InvalidParameterException("private_key must be an ES256 (P-256) key.")


def _check_saml(values: dict[str, str]) -> None:
    sources = [k for k in ("MetadataURL", "MetadataFile") if values.get(k)]
    if len(sources) != 1:
        raise InvalidParameterException(
            "SAML ProviderDetails need exactly one of MetadataURL and MetadataFile."
        )
    for flag in ("IDPInit", "IDPSignout", "EncryptedResponses"):
        if flag in values and values[flag] not in _TRUE_FALSE:
            raise InvalidParameterException(f"{flag} must be true or false.")
    algorithm = values.get("RequestSigningAlgorithm")
    if algorithm is not None and algorithm != "rsa-sha256":
        raise InvalidParameterException("RequestSigningAlgorithm must be rsa-sha256.")
    if "MetadataURL" in values:
        _check_url("MetadataURL", values["MetadataURL"])
    else:
        saml_metadata.parse(values["MetadataFile"])


def seal(ctx: Context, pool_id: str, name: str, secrets: dict[str, str]) -> bytes | None:
    if not secrets:
        return None
    return ctx.sealer.seal(orjson.dumps(secrets), _purpose(pool_id, name))


def secrets_of(ctx: Context, provider: IdentityProvider) -> dict[str, str]:
    if provider.secrets_sealed is None:
        return {}
    opened: dict[str, str] = orjson.loads(
        ctx.sealer.open(provider.secrets_sealed, _purpose(provider.pool_id, provider.name))
    )
    return opened


def described(
    ctx: Context, provider: IdentityProvider, encryption_certificate: str | None
) -> dict[str, str]:
    """ProviderDetails as DescribeIdentityProvider returns them."""
    kind = provider.type
    details: dict[str, Any] = dict(provider.details)
    if kind in SOCIAL:
        discovered = bool(provider.details.get("oidc_issuer"))
        for key in endpoints.URL_KEYS:
            if discovered and key != "oidc_issuer" and key not in provider.details:
                continue  # found through the overridden issuer's discovery document
            value = endpoints.endpoint(kind, provider.details, key)
            if value is not None:
                details[key] = value
        details["token_request_method"] = endpoints.TOKEN_REQUEST_METHOD[kind]
    if kind != "SAML":
        details["attributes_url_add_attributes"] = endpoints.ADD_ATTRIBUTES[kind]
        secret = secrets_of(ctx, provider).get("client_secret")
        if secret is not None:
            details["client_secret"] = secret
    if kind == "Facebook":
        details.setdefault("api_version", endpoints.FACEBOOK_API_VERSION)
    if kind == "SAML":
        if provider.details.get("MetadataFile"):
            metadata = saml_metadata.parse(provider.details["MetadataFile"])
            if metadata.sso_redirect:
                details["SSORedirectBindingURI"] = metadata.sso_redirect
            if metadata.slo_redirect:
                details["SLORedirectBindingURI"] = metadata.slo_redirect
        if provider.details.get("EncryptedResponses") == "true" and encryption_certificate:
            details["ActiveEncryptionCertificate"] = encryption_certificate
    return {k: str(v) for k, v in details.items()}
