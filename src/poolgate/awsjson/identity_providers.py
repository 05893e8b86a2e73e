"""Identity providers and federated identities on the wire: CreateIdentityProvider,
DescribeIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider,
ListIdentityProviders, GetIdentityProviderByIdentifier, AdminLinkProviderForUser,
AdminDisableProviderForUser and GetSigningCertificate."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.federation import details, linking, providers, saml_keys
from poolgate.core.pools import pools
from poolgate.core.records import IdentityProvider


async def identity_provider_type(ctx: Context, provider: IdentityProvider) -> dict[str, Any]:
    """``IdentityProviderType``, ProviderDetails as Describe shows them."""
    certificate = None
    if provider.type == "SAML" and provider.details.get("EncryptedResponses") == "true":
        certificate = saml_keys.certificate_body(await saml_keys.pool_key(ctx, provider.pool_id))
    return {
        "UserPoolId": provider.pool_id,
        "ProviderName": provider.name,
        "ProviderType": provider.type,
        "ProviderDetails": details.described(ctx, provider, certificate),
        "AttributeMapping": dict(provider.attribute_mapping),
        "IdpIdentifiers": list(provider.idp_identifiers),
        "LastModifiedDate": provider.modified,
        "CreationDate": provider.created,
    }


@operation("CreateIdentityProvider")
async def create_identity_provider(ctx: Context, params: Params) -> dict[str, Any]:
    provider = await providers.create_identity_provider(
        ctx, params["UserPoolId"], params["ProviderName"], params["ProviderType"], params
    )
    return {"IdentityProvider": await identity_provider_type(ctx, provider)}


@operation("DescribeIdentityProvider")
async def describe_identity_provider(ctx: Context, params: Params) -> dict[str, Any]:
    provider = await providers.describe_identity_provider(
        ctx, params["UserPoolId"], params["ProviderName"]
    )
    return {"IdentityProvider": await identity_provider_type(ctx, provider)}


@operation("UpdateIdentityProvider")
async def update_identity_provider(ctx: Context, params: Params) -> dict[str, Any]:
    provider = await providers.update_identity_provider(
        ctx, params["UserPoolId"], params["ProviderName"], params
    )
    return {"IdentityProvider": await identity_provider_type(ctx, provider)}


@operation("DeleteIdentityProvider")
async def delete_identity_provider(ctx: Context, params: Params) -> dict[str, Any]:
    await providers.delete_identity_provider(ctx, params["UserPoolId"], params["ProviderName"])
    return {}


@operation("ListIdentityProviders")
async def list_identity_providers(ctx: Context, params: Params) -> dict[str, Any]:
    found, token = await providers.list_identity_providers(
        ctx, params["UserPoolId"], params.get("MaxResults"), params.get("NextToken")
    )
    body: dict[str, Any] = {
        "Providers": [
            {
                "ProviderName": p.name,
                "ProviderType": p.type,
                "LastModifiedDate": p.modified,
                "CreationDate": p.created,
            }
            for p in found
        ]
    }
    if token:
        body["NextToken"] = token
    return body


@operation("GetIdentityProviderByIdentifier")
async def get_identity_provider_by_identifier(ctx: Context, params: Params) -> dict[str, Any]:
    provider = await providers.provider_by_identifier(
        ctx, params["UserPoolId"], params["IdpIdentifier"]
    )
    return {"IdentityProvider": await identity_provider_type(ctx, provider)}


@operation("AdminLinkProviderForUser")
async def admin_link_provider_for_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await linking.admin_link_provider_for_user(
        ctx, pool, params["DestinationUser"], params["SourceUser"]
    )
    return {}


@operation("AdminDisableProviderForUser")
async def admin_disable_provider_for_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await linking.admin_disable_provider_for_user(ctx, pool, params["User"])
    return {}


@operation("GetSigningCertificate")
async def get_signing_certificate(ctx: Context, params: Params) -> dict[str, Any]:
    return {"Certificate": await saml_keys.get_signing_certificate(ctx, params["UserPoolId"])}
