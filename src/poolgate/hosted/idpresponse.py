"""``/oauth2/idpresponse``: where OAuth 2.0 and OpenID Connect identity providers send
the browser back (GET, or POST for Apple's ``response_mode=form_post``). The sealed
``state`` names the application's authorization request and must come back to the
browser that left; the provider's code becomes the user pool user, and the sign-in
ends as every hosted sign-in does, at the application's redirect URI."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.federation import roundtrip
from poolgate.core.federation import state as federation_state
from poolgate.core.oauth import authorization
from poolgate.core.oauth.errors import OAuthError
from poolgate.hosted import cookies
from poolgate.hosted.flow import complete, oauth_error
from poolgate.hosted.pages import Pages
from poolgate.hosted.render import error_page


async def idp_response(pages: Pages, request: Request) -> Response:
    ctx = pages.ctx
    if request.method == "POST":
        form = await request.form()
        params = {k: v for k, v in form.items() if isinstance(v, str)}
    else:
        params = dict(request.query_params)
    flow = federation_state.open_state(
        ctx, params.get("state", ""), cookies.federation_binding(request)
    )
    if flow is None:
        # Nothing here can be trusted with a redirect to the application.
        return await error_page(
            ctx, request, "Sign-in failed",
            "The answer from the identity provider is invalid, expired, or was opened in "
            "another browser. Start the sign-in again from the application.",
        )  # fmt: skip
    try:
        areq = await authorization.validate_authorize(
            ctx, flow.params, require_pkce=pages.require_pkce
        )
    except OAuthError as error:
        return await oauth_error(ctx, request, error, None, None)
    try:
        user = await roundtrip.finish_oauth(ctx, areq, flow, params)
    except OAuthError as error:
        response = await oauth_error(
            ctx, request, error, areq.redirect_uri, areq.state,
            fragment=areq.response_type == "token",
        )  # fmt: skip
    else:
        response = await complete(ctx, request, areq, user, int(ctx.clock()))
    cookies.clear_federation_binding(request, response)
    return response
