"""Sign-in operations on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.auth import flows
from poolgate.core.context import Context


@operation("InitiateAuth")
async def initiate_auth(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await flows.initiate_auth(
        ctx, params["ClientId"], params["AuthFlow"], params.get("AuthParameters") or {}
    )
    return outcome.response()


@operation("AdminInitiateAuth")
async def admin_initiate_auth(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await flows.initiate_auth(
        ctx,
        params["ClientId"],
        params["AuthFlow"],
        params.get("AuthParameters") or {},
        admin_pool_id=params["UserPoolId"],
    )
    return outcome.response()


@operation("RespondToAuthChallenge")
async def respond_to_auth_challenge(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await flows.respond_to_auth_challenge(
        ctx,
        params["ClientId"],
        params["ChallengeName"],
        params.get("ChallengeResponses") or {},
        params.get("Session"),
    )
    return outcome.response()


@operation("AdminRespondToAuthChallenge")
async def admin_respond_to_auth_challenge(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await flows.respond_to_auth_challenge(
        ctx,
        params["ClientId"],
        params["ChallengeName"],
        params.get("ChallengeResponses") or {},
        params.get("Session"),
        admin_pool_id=params["UserPoolId"],
    )
    return outcome.response()


@operation("GetTokensFromRefreshToken")
async def get_tokens_from_refresh_token(ctx: Context, params: Params) -> dict[str, Any]:
    outcome = await flows.get_tokens_from_refresh_token(
        ctx, params["ClientId"], params["RefreshToken"], params.get("ClientSecret")
    )
    assert outcome.tokens is not None
    return {"AuthenticationResult": outcome.tokens.authentication_result()}
