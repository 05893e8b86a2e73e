"""Identity providers (CreateIdentityProvider and its siblings): OpenID Connect, SAML,
Google, Facebook, Sign in with Apple and Login with Amazon.

ProviderDetails are typed as ``key = value`` lines, as AWS's documentation lists them
per type; the two multi-line values (Apple's ``private_key``, SAML's
``MetadataFile``) and the ``client_secret`` have fields of their own, and a secret
left empty on an update keeps the stored one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from poolgate.console.view import View, error_text
from poolgate.core.errors import CognitoError

TYPES = [
    ("OIDC", "OpenID Connect"),
    ("SAML", "SAML 2.0"),
    ("Google", "Google"),
    ("Facebook", "Facebook"),
    ("SignInWithApple", "Sign in with Apple"),
    ("LoginWithAmazon", "Login with Amazon"),
]
# Details with a field of their own (secrets, multi-line values).
_OWN_FIELDS = {
    "client_secret": "secret",
    "private_key": "private_key",
    "MetadataFile": "metadata_file",
}
# What Describe adds that an update need not send back.
_DESCRIBED_ONLY = {"ActiveEncryptionCertificate", "SSORedirectBindingURI", "SLORedirectBindingURI"}


def provider_url(pool_id: str, name: str) -> str:
    return f"/admin/pools/{pool_id}/identity-providers/view?{urlencode({'name': name})}"


def pairs_from_text(text: str) -> dict[str, str]:
    """``key = value`` lines (the first ``=`` separates) as a map."""
    found = {}
    for line in text.splitlines():
        key, equals, value = line.partition("=")
        if key.strip() and equals:
            found[key.strip()] = value.strip()
    return found


def pairs_as_text(pairs: dict[str, str]) -> str:
    return "\n".join(f"{key} = {value}" for key, value in pairs.items())


def _details(form: dict[str, str]) -> dict[str, str]:
    details = pairs_from_text(form.get("details", ""))
    for key, field in _OWN_FIELDS.items():
        value = form.get(field, "").strip()
        if value:
            details[key] = value
    return details


def _identifiers(text: str) -> list[str]:
    return [item.strip() for item in text.replace(",", "\n").splitlines() if item.strip()]


async def index(view: View) -> Response:
    pool = await view.pool()
    error = None
    if view.request.method == "POST":
        name = view.form.get("name", "").strip()
        request: dict[str, Any] = {
            "UserPoolId": pool["Id"],
            "ProviderName": name,
            "ProviderType": view.form.get("type", ""),
            "ProviderDetails": _details(view.form),
            "AttributeMapping": pairs_from_text(view.form.get("mapping", "")),
        }
        identifiers = _identifiers(view.form.get("identifiers", ""))
        if identifiers:
            request["IdpIdentifiers"] = identifiers
        try:
            await view.ops.call("CreateIdentityProvider", request)
        except CognitoError as failed:
            error = error_text(failed)
        else:
            return view.done(
                provider_url(pool["Id"], name),
                f"Created identity provider {name}. Add it to an app client's "
                "identity providers for its button to show.",
            )
    providers = await view.ops.pages(
        "ListIdentityProviders", {"UserPoolId": pool["Id"], "MaxResults": 60}, "Providers"
    )
    return view.page(
        "identity_providers.html",
        status=400 if error else 200,
        title="Identity providers",
        pool=pool,
        providers=providers,
        error=error,
        form=view.form,
        types=TYPES,
        redirect_uri=f"{view.ctx.public_url}/oauth2/idpresponse",
        provider_url=lambda name: provider_url(pool["Id"], name),
    )


async def show(view: View) -> Response:
    pool = await view.pool()
    name = view.query("name") or view.form.get("name", "")
    key = {"UserPoolId": pool["Id"], "ProviderName": name}
    error = None
    if view.request.method == "POST":
        current = (await view.ops.call("DescribeIdentityProvider", key))["IdentityProvider"]
        details = _details(view.form)
        if "MetadataFile" in current["ProviderDetails"] and "MetadataURL" not in details:
            details.setdefault("MetadataFile", current["ProviderDetails"]["MetadataFile"])
        request: dict[str, Any] = {
            **key,
            "ProviderDetails": details,
            "AttributeMapping": pairs_from_text(view.form.get("mapping", "")),
            "IdpIdentifiers": _identifiers(view.form.get("identifiers", "")),
        }
        try:
            await view.ops.call("UpdateIdentityProvider", request)
        except CognitoError as failed:
            error = error_text(failed)
        else:
            return view.done(provider_url(pool["Id"], name), "Saved the identity provider.")
    provider = (await view.ops.call("DescribeIdentityProvider", key))["IdentityProvider"]
    details = {
        k: v
        for k, v in provider["ProviderDetails"].items()
        if k not in _OWN_FIELDS and k not in _DESCRIBED_ONLY
    }
    return view.page(
        "identity_provider.html",
        status=400 if error else 200,
        title=name,
        pool=pool,
        provider=provider,
        error=error,
        details_text=pairs_as_text(details),
        mapping_text=pairs_as_text(provider["AttributeMapping"]),
        has_secret="client_secret" in provider["ProviderDetails"],
        redirect_uri=f"{view.ctx.public_url}/oauth2/idpresponse",
    )


async def delete(view: View) -> Response:
    pool_id = view.param("pool_id")
    name = view.form.get("name", "")
    await view.ops.call("DeleteIdentityProvider", {"UserPoolId": pool_id, "ProviderName": name})
    return view.done(
        f"/admin/pools/{pool_id}/identity-providers", f"Deleted identity provider {name}."
    )
