"""What surrounds every sign-in attempt, whatever its flow: before it, the address's
throttle; after it, one audit event (SignIn: Pass, Fail or InProgress) and, for a
failure, one more failure counted against the address.

The flows wrap themselves with ``@guarded`` (InitiateAuth, RespondToAuthChallenge)
or ``attempt(...)`` (the hosted pages); the code that finds the user says who it is
with ``identify(user)``, so a failure is filed under the user it concerns.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from poolgate.core.audit import events
from poolgate.core.auth.outcome import PASSWORD_VERIFIER, AuthOutcome
from poolgate.core.auth.tokens import deferring_refresh_tokens, unverified_claims
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError, NotAuthorizedException, UserNotFoundException
from poolgate.core.records import RefreshToken
from poolgate.core.throttle import limits

# Flows that take no password (a refresh token proves the sign-in already happened).
_NOT_SIGN_INS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
# What counts against the address: a guess that failed or was refused.
_GUESS_FAILURES = (NotAuthorizedException, UserNotFoundException)


@dataclass
class Attempt:
    pool_id: str | None
    client_id: str
    step: str  # the AuthFlow or the ChallengeName answered
    username: str | None
    sub: str | None = None
    # Set when the outcome is known; a step that only hands out a challenge without
    # checking anything (SRP's first step) records nothing.
    outcome: AuthOutcome | None = None
    # Complete although no tokens were minted (the hosted pages mint them later).
    signed_in: bool = False


# The code that finds the user says so (``core.audit.events.identify``).
identify = events.identify


@contextlib.asynccontextmanager
async def attempt(
    ctx: Context,
    *,
    pool_id: str | None,
    client_id: str,
    step: str,
    username: str | None,
    per_address: bool = True,
) -> AsyncIterator[Attempt]:
    """Throttle, run and record one sign-in step. ``per_address`` False: the request
    comes from the application's server (AdminInitiateAuth), whose address is not the
    user's."""
    if per_address:
        await limits.check_sign_in(ctx)
    current = Attempt(pool_id, client_id, step, username)
    # The refresh token a successful step mints is stored with its audit event, in one
    # write (``Store.add_sign_in``); a step that fails after minting stores neither.
    with events.watching() as subject, deferring_refresh_tokens() as minted:
        try:
            yield current
        except CognitoError as error:
            current.sub = subject.sub
            if per_address and isinstance(error, _GUESS_FAILURES):
                await limits.count_sign_in_failure(ctx)
            await _record(ctx, current, events.FAIL, error)
            raise
    current.sub = subject.sub
    outcome = current.outcome
    if outcome is None or outcome.challenge_name == PASSWORD_VERIFIER:
        # Nothing recorded; a token minted all the same is stored, never dropped.
        for token in minted:
            await ctx.store.add_refresh_token(token)
        return
    if outcome.tokens is not None or current.signed_in:
        if current.sub is None and outcome.tokens and outcome.tokens.id_token:
            current.sub = str(unverified_claims(outcome.tokens.id_token).get("sub"))
        await _record(ctx, current, events.PASS, None, minted)
    else:
        await _record(ctx, current, events.IN_PROGRESS, None, minted)


async def _record(
    ctx: Context,
    current: Attempt,
    outcome: str,
    error: CognitoError | None,
    minted: list[RefreshToken] | None = None,
) -> None:
    details: dict[str, Any] = {"flow": current.step}
    if current.sub is None and current.username:
        details["username"] = current.username[:128]
    if error is not None:
        details["error"] = error.code
        details["reason"] = error.message
    if current.outcome is not None and current.outcome.challenge_name:
        details["challenge"] = current.outcome.challenge_name
    await events.record(
        ctx,
        events.SIGN_IN,
        pool_id=current.pool_id,
        sub=current.sub,
        client_id=current.client_id,
        outcome=outcome,
        details=details,
        refresh_tokens=minted or (),
    )


P = ParamSpec("P")
R = TypeVar("R", bound=AuthOutcome)


def guarded(
    flow: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[R]]:
    """For ``initiate_auth(ctx, client_id, flow, params, ...)`` and
    ``respond_to_auth_challenge(ctx, client_id, challenge, responses, ...)``."""

    @functools.wraps(flow)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx, client_id, step, params = args[0], args[1], args[2], args[3]
        assert isinstance(ctx, Context) and isinstance(step, str) and isinstance(params, dict)
        if step in _NOT_SIGN_INS:
            return await flow(*args, **kwargs)
        client = await ctx.store.get_client(str(client_id))
        async with attempt(
            ctx,
            pool_id=client.pool_id if client else None,
            client_id=str(client_id),
            step=step,
            username=params.get("USERNAME"),
            per_address=kwargs.get("admin_pool_id") is None,
        ) as current:
            outcome = await flow(*args, **kwargs)
            current.outcome = outcome
        return outcome

    return run
