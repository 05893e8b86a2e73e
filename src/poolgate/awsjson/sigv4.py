"""Verification of AWS Signature Version 4 (SigV4) on administrative requests.

Administrative Cognito operations must be signed with an admin key, exactly as AWS
requires of every IAM-authenticated API call. This module re-runs the signer's steps
on the received request and compares the result, following AWS's documentation:

* Signing overview and authentication methods (``Authorization`` header or presigned
  query string):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html
* Elements of a signature (credential scope, date, signed headers):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html
* Canonical request, string to sign, signing key derivation and signature:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html

Where the documentation leaves room, the canonical form follows botocore's signer
(``botocore.auth.SigV4Auth``), because boto3 and the AWS CLI are what clients use.

The function is pure: the HTTP layer passes the method, the *raw* (still
percent-encoded, as on the request line) path and query string, the raw header list
and the body, plus the current time; no framework types are involved.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from poolgate.awsjson.sigv4_canonical import (
    canonical_headers,
    canonical_query,
    canonical_uri,
    redact,
    signing_key,
)
from poolgate.awsjson.sigv4_request import (
    ALGORITHM,
    HEX_SHA256_RE,
    MSG_MISMATCH,
    MSG_MISSING_TOKEN,
    MSG_UNKNOWN_KEY,
    TERMINATOR,
    TIMESTAMP_FORMAT,
    SignatureParts,
    header_map,
    is_presigned,
    parse_authorization,
    parse_presigned_query,
    parse_query,
    require_signed,
    signed_header_names,
    single,
)
from poolgate.core.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

__all__ = ["AdminKey", "verify_sigv4"]


@dataclass(frozen=True)
class AdminKey:
    """An access key allowed to sign administrative requests."""

    access_key_id: str
    # Kept out of repr so that logging a key (or an exception holding one) never
    # prints the secret.
    secret_access_key: str = field(repr=False)


def verify_sigv4(
    *,
    method: str,
    path: str,
    query_string: str,
    headers: list[tuple[str, str]],
    body: bytes,
    keys: Mapping[str, AdminKey],
    now: datetime,
    region: str | None = None,
    service: str = "cognito-idp",
    max_skew: timedelta = timedelta(minutes=15),
) -> AdminKey:
    """Check the request's SigV4 signature and return the admin key that made it.

    ``path`` and ``query_string`` must be the raw request-target parts exactly as
    received (percent-encoding intact, e.g. ASGI ``raw_path`` and ``query_string``
    decoded as UTF-8), because the signer encoded what it sent. ``headers`` are the raw
    headers, any name case, names may repeat. ``now`` is the server's clock; a naive
    value is taken as UTC.

    The credential scope must name ``service`` and, when given, ``region`` (the
    server's: a signature made for another region is not one for this server). The
    signature must cover ``host`` and, when the request carries them, ``x-amz-target``
    (the operation: otherwise a signed AdminGetUser could be replayed as
    AdminDisableUser), ``content-type`` and ``x-amz-date``.
    Raises a subclass of :class:`~poolgate.core.errors.AuthError` whose ``message``
    imitates AWS and whose ``detail`` carries private diagnostics for the server log.
    See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
    """
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    headers_by_name = header_map(headers)
    query = parse_query(query_string)

    authorizations = headers_by_name.get("authorization", [])
    if authorizations:
        if len(authorizations) > 1:
            # Two Authorization headers leave it ambiguous which one a proxy or the
            # application would honour; refuse rather than pick one.
            raise IncompleteSignatureException(
                "Request contains more than one 'Authorization' header."
            )
        parts = parse_authorization(authorizations[0], headers_by_name)
        # The Authorization header carries no query parameter, so the whole query
        # string is signed as sent.
        signed_query = query
    elif is_presigned(query):
        parts = parse_presigned_query(query)
        # The signature cannot sign itself; every other parameter is covered.
        signed_query = [(k, v) for k, v in query if k != b"X-Amz-Signature"]
    else:
        raise MissingAuthenticationTokenException(MSG_MISSING_TOKEN)

    signed_names = signed_header_names(parts.signed_headers)
    _check_time(parts, now, max_skew)
    access_key_id, scope_date, region = _check_credential(parts, service, region)
    require_signed(signed_names, headers_by_name)

    key = keys.get(access_key_id)
    if key is None:
        raise UnrecognizedClientException(
            MSG_UNKNOWN_KEY, detail=f"unknown access key id {access_key_id!r}"
        )

    payload_hash = _payload_hash(headers_by_name, query, body)
    canonical_request = "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(signed_query),
            canonical_headers(signed_names, headers_by_name),
            ";".join(signed_names),
            payload_hash,
        ]
    )
    scope = f"{scope_date}/{region}/{service}/{TERMINATOR}"
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            parts.timestamp,
            scope,
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    derived = signing_key(key.secret_access_key, scope_date, region, service)
    expected = hmac.new(derived, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    # Constant-time comparison so response timing reveals nothing about how much of
    # a forged signature was right. Bytes, because compare_digest refuses non-ASCII str.
    provided = parts.signature.encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(expected.encode("ascii"), provided):
        raise InvalidSignatureException(
            MSG_MISMATCH,
            detail=(
                f"access key {access_key_id!r}; canonical request:\n"
                f"{redact(canonical_request)}\n---\nstring to sign:\n{string_to_sign}"
            ),
        )
    return key


def _check_time(parts: SignatureParts, now: datetime, max_skew: timedelta) -> None:
    """Refuse requests signed too far from ``now``, with AWS's wording.

    Header-signed requests may be ``max_skew`` old; presigned URLs live for their
    ``X-Amz-Expires`` instead. Both may run at most ``max_skew`` ahead of our clock.
    """
    signed_at = datetime.strptime(parts.timestamp, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    now_text = now.strftime(TIMESTAMP_FORMAT)
    skew_text = _minutes(max_skew)

    # The future check comes first: once it passes, adding X-Amz-Expires to the signing
    # time cannot overflow datetime (a year-9999 timestamp would otherwise crash us).
    latest = now + max_skew
    if signed_at > latest:
        raise InvalidSignatureException(
            f"Signature not yet current: {parts.timestamp} is still later than "
            f"{latest.strftime(TIMESTAMP_FORMAT)} ({now_text} + {skew_text})"
        )

    if parts.expires is None:
        earliest = now - max_skew
        if signed_at < earliest:
            raise InvalidSignatureException(
                f"Signature expired: {parts.timestamp} is now earlier than "
                f"{earliest.strftime(TIMESTAMP_FORMAT)} ({now_text} - {skew_text})"
            )
    else:
        expires_at = signed_at + timedelta(seconds=parts.expires)
        if now > expires_at:
            raise InvalidSignatureException(
                f"Request has expired: signed at {parts.timestamp} for {parts.expires} "
                f"seconds, so it expired at {expires_at.strftime(TIMESTAMP_FORMAT)}; "
                f"it is now {now_text}."
            )


def _minutes(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds % 60 == 0:
        return f"{int(seconds // 60)} min."
    return f"{seconds:g} sec."


def _check_credential(
    parts: SignatureParts, service: str, expected_region: str | None
) -> tuple[str, str, str]:
    """Validate ``AKID/YYYYMMDD/region/service/aws4_request``; return id, date, region."""
    elements = parts.credential.split("/")
    if len(elements) != 5:
        # Only the first element could be secret-ish (it is the public key id), so
        # echoing the value is what AWS does and is safe.
        raise IncompleteSignatureException(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{parts.credential[:256]}'"
        )
    access_key_id, scope_date, region, scope_service, terminator = elements

    # Like AWS, report every scope problem in one message.
    problems: list[str] = []
    if not region or (expected_region is not None and region != expected_region):
        problems.append(f"Credential should be scoped to a valid region, not '{region[:64]}'.")
    if scope_service != service:
        problems.append(f"Credential should be scoped to correct service: '{service}'.")
    if terminator != TERMINATOR:
        problems.append(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
            f"not '{terminator[:64]}'."
        )
    if scope_date != parts.timestamp[:8]:
        problems.append(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
            f"date from HTTP: '{scope_date[:64]}' != '{parts.timestamp[:8]}', "
            f"from '{parts.timestamp}'."
        )
    if problems:
        raise InvalidSignatureException(" ".join(problems))
    return access_key_id, scope_date, region


def _payload_hash(
    header_map: Mapping[str, list[str]],
    query: Sequence[tuple[bytes, bytes]],
    body: bytes,
) -> str:
    """Hex SHA-256 of the body, reconciled with any ``X-Amz-Content-Sha256``.

    A signer that sends X-Amz-Content-Sha256 puts that value (not its own hash of the
    body) into the canonical request, so trusting it unchecked would let the body be
    swapped under a valid signature. We therefore require it to equal the body's real
    hash, which also rules out ``UNSIGNED-PAYLOAD``: admin bodies must be signed.
    """
    actual = hashlib.sha256(body).hexdigest()
    claimed = single(header_map.get("x-amz-content-sha256"))
    if claimed is None:
        for name, value in query:
            if name == b"X-Amz-Content-Sha256":
                claimed = value.decode("utf-8", "replace")
    if claimed is None:
        return actual
    if not HEX_SHA256_RE.match(claimed):
        raise InvalidSignatureException(
            f"X-Amz-Content-Sha256 must be the hex SHA-256 of the body; got "
            f"'{claimed[:64]}'. Unsigned or streaming payloads are not accepted."
        )
    if not hmac.compare_digest(claimed, actual):
        raise InvalidSignatureException(
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            detail=f"claimed {claimed}, body hashes to {actual}",
        )
    return claimed
