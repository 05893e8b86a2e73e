"""The browser's way in and out: /oauth2/authorize (straight back to the application
when the browser's session is still signed in; to the identity provider that
``identity_provider`` or ``idp_identifier`` names; otherwise to /login) and /logout
(through the SAML IdP's single logout first, when the sign-in came from one with
IDPSignout) (developer guide, "User pool endpoints reference")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.federation import roundtrip, saml_logout
from poolgate.core.oauth.authorization import AuthorizeRequest, user_for_session
from poolgate.core.oauth.errors import LoginRequired, OAuthError
from poolgate.core.pools import clients
from poolgate.hosted import cookies
from poolgate.hosted.flow import complete, oauth_error, redirect
from poolgate.hosted.pages import Pages
from poolgate.hosted.render import error_page


async def authorize(pages: Pages, request: Request) -> Response:
    areq = await pages.areq(request)
    if isinstance(areq, Response):
        return areq
    if "login" not in areq.prompt:
        session = cookies.read_session(pages.ctx, request, areq.pool.id)
        if session is not None:
            user = await user_for_session(pages.ctx, areq.pool, session.sub)
            if user is not None:
                return await complete(pages.ctx, request, areq, user, session.auth_time)
    if "none" in areq.prompt:
        return await oauth_error(
            pages.ctx, request, LoginRequired("The user is not signed in."),
            areq.redirect_uri, areq.state, fragment=areq.response_type == "token",
        )  # fmt: skip
    params = request.query_params
    provider_name = params.get("identity_provider")
    identifier = params.get("idp_identifier")
    if (provider_name and provider_name != "COGNITO") or (identifier and not provider_name):
        return await to_provider(pages, request, areq, provider_name, identifier)
    return redirect(f"/login?{request.url.query}")


async def to_provider(
    pages: Pages,
    request: Request,
    areq: AuthorizeRequest,
    provider_name: str | None,
    identifier: str | None,
) -> Response:
    """Straight to the identity provider, the browser bound to the trip by a cookie."""
    fragment = areq.response_type == "token"
    try:
        provider = await roundtrip.provider_for(pages.ctx, areq, provider_name, identifier)
        url, binding = await roundtrip.begin(pages.ctx, areq, provider)
    except OAuthError as error:
        return await oauth_error(
            pages.ctx, request, error, areq.redirect_uri, areq.state, fragment=fragment
        )
    response = redirect(url)
    cookies.set_federation_binding(request, response, binding)
    return response


async def logout(pages: Pages, request: Request) -> Response:
    """Signs the browser out of the pool, then returns to a registered logout URL, or
    (with redirect_uri and response_type) to the sign-in page."""
    params = request.query_params
    client = await clients.find_client(pages.ctx, params.get("client_id", ""))
    if client is None:
        return await error_page(
            pages.ctx, request, "Sign-out failed", "The client_id is missing or unknown."
        )
    logout_uri = params.get("logout_uri")
    if logout_uri:
        if logout_uri not in (client.settings.get("LogoutURLs") or []):
            return await error_page(
                pages.ctx,
                request,
                "Sign-out failed",
                "The logout_uri is not one of the client's sign-out URLs.",
            )
        response = redirect(logout_uri)
    elif params.get("redirect_uri"):
        areq = await pages.areq(request)
        if isinstance(areq, Response):
            return areq
        response = redirect(f"/login?{request.url.query}")
    else:
        return await error_page(
            pages.ctx, request, "Sign-out failed", "A logout_uri or a redirect_uri is required."
        )
    saml_cookie = cookies.saml_session(request, client.pool_id)
    if saml_cookie:
        # Signed in through a SAML IdP with IDPSignout: out of the IdP too, then on.
        try:
            idp_url = await saml_logout.logout_url(
                pages.ctx, client.pool_id, saml_cookie, response.headers["location"]
            )
        except OAuthError:
            idp_url = None  # the IdP cannot be reached: the local sign-out still happens
        if idp_url is not None:
            response = redirect(idp_url)
        cookies.clear_saml_session(request, response, client.pool_id)
    cookies.clear_session(request, response, client.pool_id)
    return response
