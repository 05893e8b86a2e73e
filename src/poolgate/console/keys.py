"""A pool's signing keys: what each does now (signing, published ahead, retiring) and
the rotation (``core.keys.rotation``), recorded in the audit trail like the
administrators' Cognito operations."""

from __future__ import annotations

from starlette.responses import Response

from poolgate.console.view import View
from poolgate.core.audit import events
from poolgate.core.keys import rotation


async def index(view: View) -> Response:
    pool = await view.pool()
    if view.request.method == "POST":
        fresh = await rotation.rotate(view.ctx, pool["Id"])
        await events.record(
            view.ctx,
            "RotateSigningKeys",
            pool_id=pool["Id"],
            sub=None,
            client_id=None,
            outcome=events.PASS,
            details={"kids": ",".join(key.kid for key in fresh)},
        )
        minutes = int(rotation.PUBLICATION_DELAY // 60)
        return view.done(
            f"/admin/pools/{pool['Id']}/keys",
            f"New signing keys published: they sign tokens in {minutes} minutes; the "
            "current keys stay published until their last token expires.",
        )
    issuer = view.ctx.issuer(pool["Id"])
    return view.page(
        "keys.html",
        title="Signing keys",
        pool=pool,
        keys=await rotation.pool_key_states(view.ctx, pool["Id"]),
        jwks_url=f"{issuer}/.well-known/jwks.json",
        delay_minutes=int(rotation.PUBLICATION_DELAY // 60),
    )
