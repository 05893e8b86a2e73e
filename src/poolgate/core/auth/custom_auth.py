"""CUSTOM_AUTH: sign-in by challenges the pool's own functions define, create and
verify (developer guide, "Custom authentication challenge Lambda triggers").

InitiateAuth starts it with USERNAME (and, with ``CHALLENGE_NAME`` SRP_A and SRP_A, by
proving the password with SRP first); define auth challenge then picks the next step
from the challenges so far: a CUSTOM_CHALLENGE (whose parameters create auth challenge
makes), PASSWORD_VERIFIER, tokens, or failure. Each answer is judged by verify auth
challenge response and added to the list.

The list and the private parameters travel sealed in the Session, and each Session can
be answered once ("session can only be used once"): a client cannot retry from an
earlier step to get past a function that fails after three wrong answers.
"""

from __future__ import annotations

import secrets
from typing import Any

from poolgate.core.auth import lockout, sessions, sign_in, srp_auth
from poolgate.core.auth.client_auth import check_secret_hash
from poolgate.core.auth.outcome import INCORRECT, PASSWORD_VERIFIER, AuthOutcome, param
from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.triggers import authentication, invoke, request_scope
from poolgate.core.triggers import custom_auth as custom_triggers

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
# The sealed session of a custom flow waiting for an SRP proof (PASSWORD_VERIFIER).
_SRP_STEP = "CUSTOM_AUTH:PASSWORD_VERIFIER"
SESSION_USED = "Invalid session for the user, session can only be used once."


async def start(
    ctx: Context, pool: UserPool, client: AppClient, params: dict[str, str]
) -> AuthOutcome:
    custom_triggers.require_configured(pool)
    name = param(params, "USERNAME")
    user = await sign_in.find_signing_in_user(ctx, pool, client, name, params.get("SECRET_HASH"))
    if user is not None:
        lockout.check(user, ctx.clock())
        if not user.enabled:
            raise NotAuthorizedException("User is disabled.")
        await authentication.pre_authentication(
            ctx, pool, user, client_id=client.id, validation_data=request_scope.validation_data()
        )
    results: list[dict[str, Any]] = []
    srp_a = None
    if params.get("CHALLENGE_NAME") == "SRP_A":
        srp_a = param(params, "SRP_A")
        results.append(_result("SRP_A", True))
    return await _next(ctx, pool, client, user, name, results, srp_a=srp_a, metadata=None)


async def respond(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    responses: dict[str, str],
    session: str | None,
) -> AuthOutcome:
    """RespondToAuthChallenge with CUSTOM_CHALLENGE: ANSWER judged, then what next."""
    if not session:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    state = await _spend(ctx, session, CUSTOM_CHALLENGE, client)
    user = await _user(ctx, pool, state)
    name = str(state["name"])
    check_secret_hash(
        ctx, client, responses.get("SECRET_HASH"), responses.get("USERNAME", name),
        *([user.username] if user else [name]),
    )  # fmt: skip
    metadata = request_scope.client_metadata()
    correct = await custom_triggers.verify(
        ctx, pool, user=user, username=name, client_id=client.id,
        private=dict(state["private"]), answer=param(responses, "ANSWER"),
        client_metadata=metadata,
    )  # fmt: skip
    if not correct and user is not None:
        await sign_in.record_failure(ctx, pool, user)
    results = [*state["results"], _result(CUSTOM_CHALLENGE, correct, state.get("metadata"))]
    return await _next(ctx, pool, client, user, name, results, srp_a=None, metadata=metadata)


def is_password_step(ctx: Context, session: str | None, client: AppClient) -> bool:
    """Whether ``session`` is a custom flow's, waiting for PASSWORD_VERIFIER."""
    if not session:
        return False
    try:
        sessions.open_session(ctx, session, challenge=_SRP_STEP, client_id=client.id)
    except NotAuthorizedException:
        return False
    return True


async def respond_password_verifier(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    responses: dict[str, str],
    session: str,
) -> AuthOutcome:
    """PASSWORD_VERIFIER inside a custom flow: the SRP proof, then define auth challenge
    again with it in the list."""
    state = await _spend(ctx, session, _SRP_STEP, client)
    user = await srp_auth.prove(ctx, pool, client, responses)
    if user.sub != state.get("sub"):
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    results = [*state["results"], _result(PASSWORD_VERIFIER, True)]
    return await _next(
        ctx, pool, client, user, user.username, results, srp_a=None,
        metadata=request_scope.client_metadata(),
    )  # fmt: skip


async def _next(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    user: User | None,
    name: str,
    results: list[dict[str, Any]],
    *,
    srp_a: str | None,
    metadata: dict[str, str] | None,
) -> AuthOutcome:
    decision = await custom_triggers.define(
        ctx, pool, user=user, username=name, client_id=client.id, session=results,
        client_metadata=metadata,
    )  # fmt: skip
    if decision.fail_authentication:
        raise NotAuthorizedException(INCORRECT)
    if decision.issue_tokens:
        # An unknown name (userNotFound) never gets tokens, whatever the function says.
        if user is None:
            raise NotAuthorizedException(INCORRECT)
        return await sign_in.after_password(ctx, pool, client, user)
    validity = int(client.settings.get("AuthSessionValidity") or 3)
    common = {
        "client": client.id,
        "sub": user.sub if user else None,
        "name": user.username if user else name,
        "results": results,
        "sid": secrets.token_urlsafe(18),
    }
    if decision.challenge_name == PASSWORD_VERIFIER:
        if srp_a is None:
            raise invoke.invalid(
                "DefineAuthChallenge", "PASSWORD_VERIFIER needs a flow started with SRP_A"
            )
        outcome = await srp_auth.srp_challenge(ctx, pool, client, user, name, srp_a)
        outcome.session = sessions.seal(ctx, {**common, "challenge": _SRP_STEP}, validity)
        return outcome
    challenge = await custom_triggers.create(
        ctx, pool, user=user, username=name, client_id=client.id,
        challenge_name=CUSTOM_CHALLENGE, session=results, client_metadata=metadata,
    )  # fmt: skip
    sealed = sessions.seal(
        ctx,
        {
            **common,
            "challenge": CUSTOM_CHALLENGE,
            "private": challenge.private,
            "metadata": challenge.metadata,
        },
        validity,
    )
    return AuthOutcome(
        challenge_name=CUSTOM_CHALLENGE,
        challenge_parameters={**challenge.public, "USERNAME": str(common["name"])},
        session=sealed,
    )


async def _spend(ctx: Context, session: str, challenge: str, client: AppClient) -> dict[str, Any]:
    state = sessions.open_session(ctx, session, challenge=challenge, client_id=client.id)
    if not await ctx.store.spend_session(str(state["sid"]), float(state["exp"]), ctx.clock()):
        raise NotAuthorizedException(SESSION_USED)
    return state


async def _user(ctx: Context, pool: UserPool, state: dict[str, Any]) -> User | None:
    sub = state.get("sub")
    if sub is None:
        return None
    user = await ctx.store.get_user_by_sub(pool.id, str(sub))
    if user is None or not user.enabled:
        raise NotAuthorizedException(INCORRECT)
    return user


def _result(name: str, result: bool, metadata: str | None = None) -> dict[str, Any]:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}
