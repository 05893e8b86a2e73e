"""SAML 2.0 at Cognito's paths: ``/saml2/idpresponse``, the assertion consumer (HTTP-POST
binding), for SP-initiated sign-in (``RelayState`` is the sealed state of the trip
/oauth2/authorize began) and IdP-initiated sign-in (``RelayState`` is the query of an
authorization request: ``client_id``, ``redirect_uri``, ``response_type``, ``scope``
and ``identity_provider`` or ``idp_identifier``; the provider must allow it with
IDPInit); ``/saml2/logout``, where the IdP's LogoutResponse returns after /logout
sent the browser there (IDPSignout); and ``/saml2/metadata``, the service provider's
metadata for a pool (``?user_pool_id=``), for an IdP administrator to import."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.errors import CognitoError
from poolgate.core.federation import roundtrip, saml, saml_logout
from poolgate.core.federation import state as federation_state
from poolgate.core.oauth import authorization
from poolgate.core.oauth.errors import InvalidRequest, OAuthError
from poolgate.core.pools import pools
from poolgate.hosted import cookies
from poolgate.hosted.flow import complete, oauth_error, redirect
from poolgate.hosted.pages import Pages
from poolgate.hosted.render import error_page


async def idp_response(pages: Pages, request: Request) -> Response:
    ctx = pages.ctx
    form = await request.form()
    saml_response = form.get("SAMLResponse")
    relay_state = form.get("RelayState")
    if not isinstance(saml_response, str) or not saml_response:
        return await error_page(ctx, request, "Sign-in failed", "The SAMLResponse is missing.")
    relay = relay_state if isinstance(relay_state, str) else ""
    flow = federation_state.open_state(ctx, relay, cookies.federation_binding(request))
    request_id: str | None = None
    provider_name: str | None
    identifier: str | None
    if flow is not None:
        params, provider_name, identifier = flow.params, flow.provider, None
        request_id = flow.request_id
    else:
        # IdP-initiated: the relay state is an authorization request in clear.
        params = dict(parse_qsl(relay))
        provider_name = params.pop("identity_provider", "") or None
        identifier = params.pop("idp_identifier", "") or None
        if not params.get("client_id") or not (provider_name or identifier):
            return await error_page(
                ctx, request, "Sign-in failed",
                "Invalid samlResponse or relayState from identity provider.",
            )  # fmt: skip
    try:
        areq = await authorization.validate_authorize(
            ctx, params, require_pkce=pages.require_pkce and flow is not None
        )
    except OAuthError as error:
        return await oauth_error(ctx, request, error, None, None)
    fragment = areq.response_type == "token"
    try:
        provider = await roundtrip.provider_for(ctx, areq, provider_name, identifier)
        if flow is None and provider.details.get("IDPInit") != "true":
            raise InvalidRequest(
                "Invalid SAML response received: IdP-initiated sign-in is not enabled."
            )
        user, identity = await roundtrip.finish_saml(ctx, areq, provider, saml_response, request_id)
    except OAuthError as error:
        response = await oauth_error(
            ctx, request, error, areq.redirect_uri, areq.state, fragment=fragment
        )
    else:
        response = await complete(ctx, request, areq, user, int(ctx.clock()))
        # Remembered for /logout, which signs out of the IdP too (IDPSignout).
        cookies.set_saml_session(
            request, response, areq.pool.id,
            saml_logout.session_cookie(ctx, provider, identity),
        )  # fmt: skip
    cookies.clear_federation_binding(request, response)
    return response


async def logout(pages: Pages, request: Request) -> Response:
    """The IdP's LogoutResponse (HTTP-Redirect binding): on to the app's sign-out URL
    that /logout sealed in RelayState."""
    params = request.query_params
    try:
        after = await saml_logout.finish_logout(
            pages.ctx, params.get("SAMLResponse", ""), params.get("RelayState", "")
        )
    except OAuthError as error:
        return await error_page(pages.ctx, request, "Sign-out failed", error.description)
    return redirect(after)


async def metadata(pages: Pages, request: Request) -> Response:
    pool_id = request.query_params.get("user_pool_id", "")
    try:
        await pools.require_pool(pages.ctx, pool_id)
        document = await saml.sp_metadata(pages.ctx, pool_id)
    except CognitoError as error:
        return await error_page(pages.ctx, request, "Unknown user pool", error.message, 404)
    return Response(document, media_type="application/samlmetadata+xml")
