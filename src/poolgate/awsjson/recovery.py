"""ForgotPassword and ConfirmForgotPassword on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.awsjson.shapes import code_delivery_details
from poolgate.core.context import Context
from poolgate.core.users import forgot_password


@operation("ForgotPassword")
async def forgot_password_(ctx: Context, params: Params) -> dict[str, Any]:
    destination = await forgot_password.forgot_password(
        ctx, params["ClientId"], params["Username"], params.get("SecretHash"),
        client_metadata=params.get("ClientMetadata"),
    )  # fmt: skip
    return {"CodeDeliveryDetails": code_delivery_details(destination)}


@operation("ConfirmForgotPassword")
async def confirm_forgot_password(ctx: Context, params: Params) -> dict[str, Any]:
    await forgot_password.confirm_forgot_password(
        ctx,
        params["ClientId"],
        params["Username"],
        params["ConfirmationCode"],
        params["Password"],
        params.get("SecretHash"),
        client_metadata=params.get("ClientMetadata"),
    )
    return {}
