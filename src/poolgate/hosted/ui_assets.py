"""The logo a pool or client set with SetUICustomization, served to its hosted pages,
and Poolgate's own icon (``static/``): browsers ask every site for /favicon.ico."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.context import Context
from poolgate.core.pools import ui_customization


class UIAssets:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def logo(self, request: Request) -> Response:
        found = await ui_customization.effective_customization(
            self.ctx, request.path_params["pool_id"], request.path_params["client_id"]
        )
        if found is None or not found.image:
            return Response(status_code=404)
        return Response(
            found.image,
            media_type=found.image_type or "application/octet-stream",
            headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
        )


_STATIC = Path(__file__).parent / "static"
_ICON_HEADERS = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


@cache
def _static(name: str) -> bytes:
    return (_STATIC / name).read_bytes()


async def favicon_ico(_: Request) -> Response:
    return Response(_static("favicon.ico"), media_type="image/x-icon", headers=_ICON_HEADERS)


async def favicon_svg(_: Request) -> Response:
    return Response(_static("favicon.svg"), media_type="image/svg+xml", headers=_ICON_HEADERS)
