"""Passkeys on the wire: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
ListWebAuthnCredentials, DeleteWebAuthnCredential."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.mfa import passkeys
from poolgate.core.records import WebAuthnCredential


@operation("StartWebAuthnRegistration")
async def start_web_authn_registration(ctx: Context, params: Params) -> dict[str, Any]:
    options = await passkeys.start_registration(ctx, params["AccessToken"])
    return {"CredentialCreationOptions": options}


@operation("CompleteWebAuthnRegistration")
async def complete_web_authn_registration(ctx: Context, params: Params) -> dict[str, Any]:
    await passkeys.complete_registration(ctx, params["AccessToken"], params["Credential"])
    return {}


@operation("ListWebAuthnCredentials")
async def list_web_authn_credentials(ctx: Context, params: Params) -> dict[str, Any]:
    found, token = await passkeys.list_credentials(
        ctx, params["AccessToken"], params.get("MaxResults"), params.get("NextToken")
    )
    body: dict[str, Any] = {"Credentials": [_description(c) for c in found]}
    if token:
        body["NextToken"] = token
    return body


def _description(credential: WebAuthnCredential) -> dict[str, Any]:
    """``WebAuthnCredentialDescription``."""
    body: dict[str, Any] = {
        "CredentialId": credential.credential_id,
        "FriendlyCredentialName": credential.friendly_name or "Passkey",
        "RelyingPartyId": credential.relying_party_id,
        "AuthenticatorTransports": credential.transports,
        "CreatedAt": credential.created,
    }
    if credential.authenticator_attachment:
        body["AuthenticatorAttachment"] = credential.authenticator_attachment
    return body


@operation("DeleteWebAuthnCredential")
async def delete_web_authn_credential(ctx: Context, params: Params) -> dict[str, Any]:
    await passkeys.delete_credential(ctx, params["AccessToken"], params["CredentialId"])
    return {}
