"""Sign-in operations on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.awsjson.shapes import auth_response, authentication_result
from poolgate.core.auth import flows, refresh
from poolgate.core.context import Context


@operation("InitiateAuth")
async def initiate_auth(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await flows.initiate_auth(
        ctx, params["ClientId"], params["AuthFlow"], params.get("AuthParameters") or {},
        session=params.get("Session"), client_metadata=params.get("ClientMetadata"),
    )  # fmt: skip
    return auth_response(outcome)


@operation("AdminInitiateAuth")
async def admin_initiate_auth(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await flows.initiate_auth(
        ctx,
        params["ClientId"],
        params["AuthFlow"],
        params.get("AuthParameters") or {},
        admin_pool_id=params["UserPoolId"],
        client_metadata=params.get("ClientMetadata"),
    )
    return auth_response(outcome)


@operation("RespondToAuthChallenge")
async def respond_to_auth_challenge(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await flows.respond_to_auth_challenge(
        ctx,
        params["ClientId"],
        params["ChallengeName"],
        params.get("ChallengeResponses") or {},
        params.get("Session"),
        client_metadata=params.get("ClientMetadata"),
    )
    return auth_response(outcome)


@operation("AdminRespondToAuthChallenge")
async def admin_respond_to_auth_challenge(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await flows.respond_to_auth_challenge(
        ctx,
        params["ClientId"],
        params["ChallengeName"],
        params.get("ChallengeResponses") or {},
        params.get("Session"),
        admin_pool_id=params["UserPoolId"],
        client_metadata=params.get("ClientMetadata"),
    )
    return auth_response(outcome)


@operation("GetTokensFromRefreshToken")
async def get_tokens_from_refresh_token(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await refresh.get_tokens_from_refresh_token(
        ctx, params["ClientId"], params["RefreshToken"], params.get("ClientSecret"),
        client_metadata=params.get("ClientMetadata"),
    )  # fmt: skip
    assert outcome.tokens is not None
    return {"AuthenticationResult": authentication_result(outcome.tokens)}
