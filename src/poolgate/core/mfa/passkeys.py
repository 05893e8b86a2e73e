"""Passkeys (WebAuthn, W3C Web Authentication Level 3) as Cognito offers them:
StartWebAuthnRegistration / CompleteWebAuthnRegistration / ListWebAuthnCredentials /
DeleteWebAuthnCredential, and the WEB_AUTHN sign-in challenge (CREDENTIAL_REQUEST_OPTIONS
answered with CREDENTIAL) of USER_AUTH (API reference).

The ceremonies are verified by py_webauthn (PyPI ``webauthn``): the attestation at
registration and the assertion at sign-in, each against the challenge this server
issued, the relying-party id (``WebAuthnConfiguration.RelyingPartyId``, by default the
host of this server's public URL), the allowed origins (this server's, the relying
party's over https, and those of the pool's app clients' callback and sign-out URLs)
and, at sign-in, the signature counter, which only moves forward by compare-and-set.

Challenges are single use: the registration challenge and the sign-in challenges of a
user are kept (as hashes) in ``user.state`` until used or expired.

py_webauthn is imported by the functions that use it: with pyasn1 and cbor2 behind it,
its import is ~50 ms of every server start, for a feature few pools turn on.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from poolgate.core.auth import sessions, tokens
from poolgate.core.auth.outcome import AuthOutcome, param
from poolgate.core.auth.signed_in import signed_in
from poolgate.core.context import Context
from poolgate.core.errors import (
    CognitoError,
    InvalidParameterException,
    LimitExceededException,
    NotAuthorizedException,
    ResourceNotFoundException,
    WebAuthnChallengeNotFoundException,
    WebAuthnClientMismatchException,
    WebAuthnCredentialNotSupportedException,
    WebAuthnNotEnabledException,
    WebAuthnOriginNotAllowedException,
    WebAuthnRelyingPartyMismatchException,
)
from poolgate.core.mfa import challenges, operations, owed, pool_config
from poolgate.core.pagination import decode_token, encode_token
from poolgate.core.records import AppClient, User, UserPool, WebAuthnCredential
from poolgate.core.users import lookup

if TYPE_CHECKING:
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

WEB_AUTHN = "WEB_AUTHN"
TIMEOUT_MS = 180_000
MAX_CREDENTIALS = 20
_REGISTRATION = "webauthn_registration"
_SIGN_INS = "webauthn_sign_ins"
_KEEP_SIGN_INS = 5


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _digest(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def relying_party(ctx: Context, pool: UserPool) -> tuple[str, bool]:
    """(RelyingPartyId, whether user verification is required)."""
    config = pool.settings.get("WebAuthnConfiguration") or {}
    rp_id = config.get("RelyingPartyId") or urlsplit(ctx.issuer(pool.id)).hostname or "localhost"
    return str(rp_id), config.get("UserVerification") == "required"


async def origins(ctx: Context, pool: UserPool) -> list[str]:
    """Where a ceremony may run: this server (under its own name or the relying
    party's), the relying party over https, and the origins of the pool's app clients'
    callback and sign-out URLs."""
    rp_id, _ = relying_party(ctx, pool)
    found = {f"https://{rp_id}"}
    own = urlsplit(ctx.issuer(pool.id))
    if own.scheme and own.netloc:
        found.add(f"{own.scheme}://{own.netloc}")
        # The server's pages reached under the relying party's name (http://localhost
        # for a server listening on 127.0.0.1: browsers refuse IP addresses as RP ids).
        found.add(f"{own.scheme}://{rp_id}" + (f":{own.port}" if own.port else ""))
    after: str | None = None
    while True:
        page = await ctx.store.list_clients(pool.id, 60, after)
        for client in page:
            urls = [*(client.settings.get("CallbackURLs") or []),
                    *(client.settings.get("LogoutURLs") or [])]  # fmt: skip
            found.update(o for o in map(_origin, urls) if o is not None)
        if len(page) < 60:
            return sorted(found)
        after = page[-1].id


def _require_enabled(pool: UserPool) -> None:
    if WEB_AUTHN not in pool_config.first_factors(pool.settings):
        raise WebAuthnNotEnabledException(
            "Passkeys are not enabled: WEB_AUTHN is not in the pool's AllowedFirstAuthFactors."
        )


def _refusal(error: Exception) -> CognitoError:
    """py_webauthn's reason, as the Cognito exception that names it."""
    text = str(error)
    if "origin" in text:
        return WebAuthnOriginNotAllowedException("The passkey's origin is not allowed.")
    if "RP ID" in text or "rp_id" in text.lower():
        return WebAuthnRelyingPartyMismatchException("The relying party ID does not match.")
    if "challenge" in text.lower():
        return WebAuthnChallengeNotFoundException("The challenge does not match.")
    if "type" in text:
        return WebAuthnClientMismatchException("The credential was made for another ceremony.")
    return WebAuthnCredentialNotSupportedException(f"The credential was refused: {text}")


async def has_credentials(ctx: Context, pool: UserPool, user: User) -> bool:
    return bool(await ctx.store.list_webauthn_credentials(pool.id, user.sub))


def _descriptors(found: list[WebAuthnCredential]) -> list[PublicKeyCredentialDescriptor]:
    from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=base64.urlsafe_b64decode(c.credential_id + "=" * (-len(c.credential_id) % 4)),
            transports=[AuthenticatorTransport(t) for t in c.transports if t in known],
        )
        for c in found
    ]


async def start_registration(ctx: Context, access_token: str) -> dict[str, Any]:
    """StartWebAuthnRegistration: CredentialCreationOptions for a discoverable passkey."""
    grant = await _grant(ctx, access_token)
    return await registration_options(ctx, grant.pool, grant.user)


async def registration_options(ctx: Context, pool: UserPool, user: User) -> dict[str, Any]:
    """The options for ``user`` (signed in through an access token, or on the hosted
    pages through the browser session)."""
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    _require_enabled(pool)
    existing = await ctx.store.list_webauthn_credentials(pool.id, user.sub)
    if len(existing) >= MAX_CREDENTIALS:
        raise LimitExceededException(f"A user can register at most {MAX_CREDENTIALS} passkeys.")
    rp_id, uv_required = relying_party(ctx, pool)
    name = user.attributes.get("email") or user.attributes.get("phone_number") or user.username
    challenge = secrets.token_bytes(32)
    options = generate_registration_options(
        rp_id=rp_id, rp_name=pool.name, user_name=name, user_id=user.sub.encode(),
        user_display_name=name, challenge=challenge, timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED
            if uv_required else UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(existing),
    )  # fmt: skip
    await _update_state(ctx, pool, user, _REGISTRATION, {
        "challenge": _digest(challenge), "expires": ctx.clock() + TIMEOUT_MS / 1000,
    })  # fmt: skip
    created: dict[str, Any] = orjson.loads(options_to_json(options))
    return created


async def _grant(ctx: Context, access_token: str) -> tokens.AccessGrant:
    return await operations.user_grant(ctx, access_token)


async def _update_state(ctx: Context, pool: UserPool, user: User, key: str, value: Any) -> None:
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise NotAuthorizedException(sessions.INVALID_SESSION)
        if value is None:
            current.state.pop(key, None)
        else:
            current.state[key] = value
        await tx.put_user(current)


def _client_challenge(credential: dict[str, Any]) -> bytes:
    try:
        raw = credential["response"]["clientDataJSON"]
        client_data = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        text = str(client_data["challenge"])
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
        raise InvalidParameterException("The credential is not a WebAuthn response.") from None


async def complete_registration(
    ctx: Context, access_token: str, credential: dict[str, Any]
) -> None:
    """CompleteWebAuthnRegistration: the attestation checked against the pending
    challenge (used once), the relying party and the allowed origins."""
    grant = await _grant(ctx, access_token)
    await register(ctx, grant.pool, grant.user, credential)


async def register(ctx: Context, pool: UserPool, user: User, credential: dict[str, Any]) -> None:
    from webauthn import verify_registration_response
    from webauthn.helpers.exceptions import InvalidJSONStructure, InvalidRegistrationResponse

    _require_enabled(pool)
    pending = user.state.get(_REGISTRATION) or {}
    challenge = _client_challenge(credential)
    if pending.get("challenge") != _digest(challenge) or pending.get("expires", 0) < ctx.clock():
        raise WebAuthnChallengeNotFoundException("No registration is waiting for this passkey.")
    await _update_state(ctx, pool, user, _REGISTRATION, None)
    rp_id, uv_required = relying_party(ctx, pool)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=await origins(ctx, pool), require_user_verification=uv_required,
        )  # fmt: skip
    except (InvalidRegistrationResponse, InvalidJSONStructure) as error:
        raise _refusal(error) from None
    transports = [str(t) for t in (credential.get("response") or {}).get("transports") or []]
    count = len(await ctx.store.list_webauthn_credentials(pool.id, user.sub))
    await ctx.store.add_webauthn_credential(
        WebAuthnCredential(
            pool_id=pool.id,
            sub=user.sub,
            credential_id=_b64url(verified.credential_id),
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            relying_party_id=rp_id,
            created=ctx.clock(),
            friendly_name=f"Passkey {count + 1}",
            authenticator_attachment=credential.get("authenticatorAttachment"),
            transports=transports,
        )
    )


async def list_credentials(
    ctx: Context, access_token: str, max_results: int | None, next_token: str | None
) -> tuple[list[WebAuthnCredential], str | None]:
    grant = await _grant(ctx, access_token)
    found = await ctx.store.list_webauthn_credentials(grant.pool.id, grant.user.sub)
    after = decode_token(next_token)
    if after is not None:
        ids = [c.credential_id for c in found]
        found = found[ids.index(after) + 1 :] if after in ids else []
    size = min(max_results or 20, 20)
    if len(found) > size:
        return found[:size], encode_token(found[size - 1].credential_id)
    return found, None


async def delete_credential(ctx: Context, access_token: str, credential_id: str) -> None:
    grant = await _grant(ctx, access_token)
    if not await ctx.store.delete_webauthn_credential(grant.pool.id, grant.user.sub, credential_id):
        raise ResourceNotFoundException("The passkey does not exist.")


async def sign_in_challenge(
    ctx: Context, pool: UserPool, client: AppClient, user: User | None, *, credential: str | None
) -> AuthOutcome:
    """WEB_AUTHN: CREDENTIAL_REQUEST_OPTIONS naming the user's passkeys. (A CREDENTIAL
    sent along with the selection cannot answer a challenge not yet issued: ignored.)"""
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import UserVerificationRequirement

    if user is None or user.status != lookup.CONFIRMED:
        raise NotAuthorizedException("Incorrect username or password.")
    found = await ctx.store.list_webauthn_credentials(pool.id, user.sub)
    rp_id, uv_required = relying_party(ctx, pool)
    challenge = secrets.token_bytes(32)
    options = generate_authentication_options(
        rp_id=rp_id, challenge=challenge, timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(found),
        user_verification=UserVerificationRequirement.REQUIRED
        if uv_required else UserVerificationRequirement.PREFERRED,
    )  # fmt: skip
    now = ctx.clock()
    live = [c for c in user.state.get(_SIGN_INS) or [] if c["expires"] > now]
    live = [*live, {"challenge": _digest(challenge), "expires": now + TIMEOUT_MS / 1000}]
    await _update_state(ctx, pool, user, _SIGN_INS, live[-_KEEP_SIGN_INS:])
    session = sessions.seal(
        ctx, {"challenge": WEB_AUTHN, "client": client.id, "sub": user.sub},
        challenges.minutes(client),
    )  # fmt: skip
    return AuthOutcome(
        challenge_name=WEB_AUTHN,
        challenge_parameters={
            "CREDENTIAL_REQUEST_OPTIONS": options_to_json(options),
            "USERNAME": user.username,
        },
        session=session,
    )


async def _consume(ctx: Context, pool: UserPool, user: User, challenge: bytes) -> None:
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        live = list((current.state.get(_SIGN_INS) or []) if current else [])
        match = [c for c in live if c["challenge"] == _digest(challenge)]
        if current is None or not match or match[0]["expires"] < ctx.clock():
            # RespondToAuthChallenge declares no WebAuthn exceptions.
            raise NotAuthorizedException(
                "Incorrect username or password.", detail="passkey challenge used or expired"
            )
        current.state[_SIGN_INS] = [c for c in live if c not in match]
        await tx.put_user(current)


async def respond(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    responses: dict[str, str],
    session: str | None,
    *,
    mint: bool = True,
) -> tuple[User, AuthOutcome]:
    """WEB_AUTHN answered with CREDENTIAL (AuthenticationResponseJSON)."""
    from webauthn import verify_authentication_response
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidJSONStructure

    if not session:
        raise InvalidParameterException("Missing required parameter Session")
    state = sessions.open_session(ctx, session, challenge=WEB_AUTHN, client_id=client.id)
    try:
        credential = orjson.loads(param(responses, "CREDENTIAL"))
        credential_id = str(credential["id"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise InvalidParameterException("CREDENTIAL is not a WebAuthn response.") from None
    user = await ctx.store.get_user_by_sub(pool.id, str(state["sub"]))
    stored = await ctx.store.get_webauthn_credential(pool.id, credential_id)
    if user is None or not user.enabled or stored is None or stored.sub != user.sub:
        raise NotAuthorizedException("Incorrect username or password.")
    challenge = _client_challenge(credential)
    await _consume(ctx, pool, user, challenge)
    rp_id, uv_required = relying_party(ctx, pool)
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=await origins(ctx, pool), credential_public_key=stored.public_key,
            credential_current_sign_count=stored.sign_count,
            require_user_verification=uv_required,
        )  # fmt: skip
    except (InvalidAuthenticationResponse, InvalidJSONStructure) as error:
        raise NotAuthorizedException(
            "Incorrect username or password.", detail=f"passkey refused: {error}"
        ) from None
    moved = verified.new_sign_count == stored.sign_count == 0 or (
        await ctx.store.advance_webauthn_sign_count(
            pool.id, stored.credential_id, stored.sign_count, verified.new_sign_count
        )
    )
    if not moved:
        raise NotAuthorizedException(
            "Incorrect username or password.", detail="passkey signature counter raced"
        )
    owing = await owed.second_step(ctx, pool, client, user)
    if owing is not None:
        return user, owing
    return user, await signed_in(ctx, pool, client, user, mint=mint)
