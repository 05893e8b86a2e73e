"""Hosted UI customization on the wire. ``ImageFile`` is a blob: the AWS JSON protocol
carries it as base64 text (checked by the request validation), decoded here."""

from __future__ import annotations

import base64
from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.pools import ui_customization
from poolgate.core.records import UICustomization


def ui_customization_type(ctx: Context, customization: UICustomization) -> dict[str, Any]:
    """``UICustomizationType``; members that are not set are left out."""
    body: dict[str, Any] = {
        "UserPoolId": customization.pool_id,
        "ClientId": customization.client_id,
    }
    if customization.image is not None:
        body["ImageUrl"] = ui_customization.image_url(ctx, customization)
    if customization.css is not None:
        body["CSS"] = customization.css
    body["CSSVersion"] = customization.version
    body["LastModifiedDate"] = customization.modified
    body["CreationDate"] = customization.created
    return body


@operation("SetUICustomization")
async def set_ui_customization(ctx: Context, params: Params) -> dict[str, Any]:
    image = params.get("ImageFile")
    customization = await ui_customization.set_ui_customization(
        ctx,
        params["UserPoolId"],
        params.get("ClientId"),
        params.get("CSS"),
        base64.b64decode(image) if image else None,
    )
    return {"UICustomization": ui_customization_type(ctx, customization)}


@operation("GetUICustomization")
async def get_ui_customization(ctx: Context, params: Params) -> dict[str, Any]:
    pool_id = params["UserPoolId"]
    client_id = params.get("ClientId") or ui_customization.ALL
    found = await ui_customization.get_ui_customization(ctx, pool_id, client_id)
    if found is None:
        # Nothing set for the client nor the pool: only the identity of what was asked.
        return {"UICustomization": {"UserPoolId": pool_id, "ClientId": client_id}}
    return {"UICustomization": ui_customization_type(ctx, found)}
