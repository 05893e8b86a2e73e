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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote_to_bytes

from poolgate.core.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

__all__ = ["AdminKey", "verify_sigv4"]

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_TIMESTAMP_RE = re.compile(r"\A\d{8}T\d{6}Z\Z")
_HEX_SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")
# AWS caps presigned URLs at seven days.
_MAX_PRESIGN_EXPIRES = 604800
# RFC 3986 unreserved characters stay as they are; everything else is %XX-encoded.
_UNRESERVED = "-_.~"

_MSG_MISSING_TOKEN = "Missing Authentication Token"
_MSG_UNKNOWN_KEY = "The security token included in the request is invalid."
_MSG_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
_MSG_HOST_UNSIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."


@dataclass(frozen=True)
class AdminKey:
    """An access key allowed to sign administrative requests."""

    access_key_id: str
    # Kept out of repr so that logging a key (or an exception holding one) never
    # prints the secret.
    secret_access_key: str = field(repr=False)


@dataclass(frozen=True)
class _SignatureParts:
    """What a request claims about its own signature, from header or query."""

    credential: str
    signed_headers: str
    signature: str
    timestamp: str  # ISO-8601 basic format, as it enters the string to sign
    expires: int | None  # presigned requests only


def verify_sigv4(
    *,
    method: str,
    path: str,
    query_string: str,
    headers: list[tuple[str, str]],
    body: bytes,
    keys: Mapping[str, AdminKey],
    now: datetime,
    service: str = "cognito-idp",
    max_skew: timedelta = timedelta(minutes=15),
) -> AdminKey:
    """Check the request's SigV4 signature and return the admin key that made it.

    ``path`` and ``query_string`` must be the raw request-target parts exactly as
    received (percent-encoding intact, e.g. ASGI ``raw_path`` and ``query_string``
    decoded as UTF-8), because the signer encoded what it sent. ``headers`` are the raw
    headers, any name case, names may repeat. ``now`` is the server's clock; a naive
    value is taken as UTC.

    Any region is accepted in the credential scope; the service must be ``service``.
    Raises a subclass of :class:`~poolgate.core.errors.AuthError` whose ``message``
    imitates AWS and whose ``detail`` carries private diagnostics for the server log.
    See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
    """
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    header_map = _header_map(headers)
    query = _parse_query(query_string)

    authorizations = header_map.get("authorization", [])
    if authorizations:
        if len(authorizations) > 1:
            # Two Authorization headers leave it ambiguous which one a proxy or the
            # application would honour; refuse rather than pick one.
            raise IncompleteSignatureException(
                "Request contains more than one 'Authorization' header."
            )
        parts = _parse_authorization(authorizations[0], header_map)
        # The Authorization header carries no query parameter, so the whole query
        # string is signed as sent.
        signed_query = query
    elif _is_presigned(query):
        parts = _parse_presigned_query(query)
        # The signature cannot sign itself; every other parameter is covered.
        signed_query = [(k, v) for k, v in query if k != b"X-Amz-Signature"]
    else:
        raise MissingAuthenticationTokenException(_MSG_MISSING_TOKEN)

    signed_names = _signed_header_names(parts.signed_headers)
    _check_time(parts, now, max_skew)
    access_key_id, scope_date, region = _check_credential(parts, service)

    key = keys.get(access_key_id)
    if key is None:
        raise UnrecognizedClientException(
            _MSG_UNKNOWN_KEY, detail=f"unknown access key id {access_key_id!r}"
        )

    payload_hash = _payload_hash(header_map, query, body)
    canonical_request = "\n".join(
        [
            method.upper(),
            _canonical_uri(path),
            _canonical_query(signed_query),
            _canonical_headers(signed_names, header_map),
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
    signing_key = _signing_key(key.secret_access_key, scope_date, region, service)
    expected = hmac.new(signing_key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    # Constant-time comparison so response timing reveals nothing about how much of
    # a forged signature was right. Bytes, because compare_digest refuses non-ASCII str.
    provided = parts.signature.encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(expected.encode("ascii"), provided):
        raise InvalidSignatureException(
            _MSG_MISMATCH,
            detail=(
                f"access key {access_key_id!r}; canonical request:\n"
                f"{_redact(canonical_request)}\n---\nstring to sign:\n{string_to_sign}"
            ),
        )
    return key


# --- request pieces -------------------------------------------------------------------


def _header_map(headers: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Group header values by lowercased name, keeping arrival order.

    Order matters: the spec joins repeated headers' values with ',' in the order they
    appear in the request.
    """
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.strip().lower(), []).append(value)
    return grouped


def _parse_query(query_string: str) -> list[tuple[bytes, bytes]]:
    """Split a raw query string into percent-decoded byte pairs.

    Decoding to bytes (not str) keeps arbitrary octets intact for re-encoding. '+'
    decodes to a space because that is how the application's query parser will read
    it; the signature must cover the value the handler sees, so '+' and '%2B' must
    not canonicalise alike.
    """
    pairs: list[tuple[bytes, bytes]] = []
    if not query_string:
        return pairs
    for item in query_string.split("&"):
        name, _, value = item.partition("=")
        pairs.append((_unquote_plus(name), _unquote_plus(value)))
    return pairs


def _unquote_plus(text: str) -> bytes:
    return unquote_to_bytes(text.replace("+", " ").encode("utf-8", "surrogateescape"))


def _is_presigned(query: Sequence[tuple[bytes, bytes]]) -> bool:
    names = {name for name, _ in query}
    return bool(names & {b"X-Amz-Algorithm", b"X-Amz-Credential", b"X-Amz-Signature"})


def _single(values: Sequence[str] | None) -> str | None:
    # Repeated headers are combined as the canonical form would combine them, so a
    # duplicated X-Amz-Date becomes "a,b" and fails the format check below.
    if not values:
        return None
    return ",".join(v.strip() for v in values)


def _parse_authorization(value: str, header_map: Mapping[str, list[str]]) -> _SignatureParts:
    """Parse ``AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...``."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        # Echo only the algorithm token: the rest may be some other scheme's secret
        # (a bearer token sent to the wrong endpoint, say).
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{algorithm[:64]}'.")

    params: dict[str, str] = {}
    for raw in rest.split(","):
        item = raw.strip()
        if not item:
            continue
        name, eq, param = item.partition("=")
        if not eq:
            raise IncompleteSignatureException(
                f"'{name[:64]}' not a valid key=value pair (missing equal-sign) "
                f"in Authorization header."
            )
        name = name.strip()
        if name in params:
            raise IncompleteSignatureException(
                f"Authorization header has more than one '{name[:64]}' parameter."
            )
        params[name] = param.strip()

    # AWS lists every missing element at once, then the algorithm it was reading.
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not params.get(name)
    ]
    amz_date = _single(header_map.get("x-amz-date"))
    http_date = _single(header_map.get("date"))
    if amz_date is None and http_date is None:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        raise IncompleteSignatureException(" ".join([*problems, f"Authorization={algorithm}"]))

    # X-Amz-Date wins over Date: clients add it precisely because proxies may rewrite
    # Date, and the documentation gives it precedence.
    if amz_date is not None:
        timestamp = _check_basic_format(amz_date)
    else:
        timestamp = _http_date_to_basic(http_date or "")
    return _SignatureParts(
        credential=params["Credential"],
        signed_headers=params["SignedHeaders"],
        signature=params["Signature"],
        timestamp=timestamp,
        expires=None,
    )


def _parse_presigned_query(query: Sequence[tuple[bytes, bytes]]) -> _SignatureParts:
    """Read the ``X-Amz-*`` authentication parameters of a presigned URL."""
    wanted = (
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    )
    found: dict[str, str] = {}
    for name_bytes, value_bytes in query:
        name = name_bytes.decode("utf-8", "replace")
        if name not in wanted:
            continue
        if name in found:
            raise IncompleteSignatureException(
                f"AWS query-string parameter '{name}' appears more than once."
            )
        found[name] = value_bytes.decode("utf-8", "replace")

    algorithm = found.get("X-Amz-Algorithm")
    if algorithm is not None and algorithm != ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{algorithm[:64]}'.")
    problems = [
        f"AWS query-string parameters must include '{name}'."
        for name in wanted
        if not found.get(name)
    ]
    if problems:
        raise IncompleteSignatureException(
            " ".join([*problems, "Re-examine the query-string parameters."])
        )

    raw_expires = found["X-Amz-Expires"]
    if not raw_expires.isdigit() or not 1 <= int(raw_expires) <= _MAX_PRESIGN_EXPIRES:
        raise IncompleteSignatureException(
            "X-Amz-Expires must be a whole number of seconds between 1 and "
            f"{_MAX_PRESIGN_EXPIRES} (one week); got '{raw_expires[:32]}'."
        )
    return _SignatureParts(
        credential=found["X-Amz-Credential"],
        signed_headers=found["X-Amz-SignedHeaders"],
        signature=found["X-Amz-Signature"],
        timestamp=_check_basic_format(found["X-Amz-Date"]),
        expires=int(raw_expires),
    )


def _check_basic_format(value: str) -> str:
    if _TIMESTAMP_RE.match(value):
        try:
            datetime.strptime(value, _TIMESTAMP_FORMAT)
        except ValueError:
            pass
        else:
            return value
    raise IncompleteSignatureException(
        f"Date must be in ISO-8601 'basic format'. Got '{value[:64]}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


def _http_date_to_basic(value: str) -> str:
    """Convert an RFC 7231 ``Date`` header to the ISO-8601 basic form used in signing.

    The ``Date`` header enters the canonical headers verbatim, but the string to sign
    and the credential scope use its ISO-8601 basic rendering (what botocore signs).
    """
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise IncompleteSignatureException(
            f"Date header could not be parsed as an HTTP date: '{value[:64]}'."
        ) from None
    # "-0000" yields a naive datetime; RFC 5322 means UTC with unknown local offset.
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return parsed.strftime(_TIMESTAMP_FORMAT)


def _signed_header_names(signed_headers: str) -> list[str]:
    """Normalise the SignedHeaders list and insist on ``host``.

    The spec requires signers to send the list lowercased and sorted; normalising it
    the same way means a well-behaved signer matches and a sloppy one simply fails the
    comparison, rather than us trusting an arbitrary order.
    """
    names = sorted({name.strip().lower() for name in signed_headers.split(";")})
    if "" in names:
        raise IncompleteSignatureException(
            f"SignedHeaders contains an empty header name: '{signed_headers[:256]}'."
        )
    # Signing Host binds the signature to this server; AWS rejects requests without it.
    if "host" not in names:
        raise IncompleteSignatureException(_MSG_HOST_UNSIGNED)
    return names


def _check_time(parts: _SignatureParts, now: datetime, max_skew: timedelta) -> None:
    """Refuse requests signed too far from ``now``, with AWS's wording.

    Header-signed requests may be ``max_skew`` old; presigned URLs live for their
    ``X-Amz-Expires`` instead. Both may run at most ``max_skew`` ahead of our clock.
    """
    signed_at = datetime.strptime(parts.timestamp, _TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    now_text = now.strftime(_TIMESTAMP_FORMAT)
    skew_text = _minutes(max_skew)

    # The future check comes first: once it passes, adding X-Amz-Expires to the signing
    # time cannot overflow datetime (a year-9999 timestamp would otherwise crash us).
    latest = now + max_skew
    if signed_at > latest:
        raise InvalidSignatureException(
            f"Signature not yet current: {parts.timestamp} is still later than "
            f"{latest.strftime(_TIMESTAMP_FORMAT)} ({now_text} + {skew_text})"
        )

    if parts.expires is None:
        earliest = now - max_skew
        if signed_at < earliest:
            raise InvalidSignatureException(
                f"Signature expired: {parts.timestamp} is now earlier than "
                f"{earliest.strftime(_TIMESTAMP_FORMAT)} ({now_text} - {skew_text})"
            )
    else:
        expires_at = signed_at + timedelta(seconds=parts.expires)
        if now > expires_at:
            raise InvalidSignatureException(
                f"Request has expired: signed at {parts.timestamp} for {parts.expires} "
                f"seconds, so it expired at {expires_at.strftime(_TIMESTAMP_FORMAT)}; "
                f"it is now {now_text}."
            )


def _minutes(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds % 60 == 0:
        return f"{int(seconds // 60)} min."
    return f"{seconds:g} sec."


def _check_credential(parts: _SignatureParts, service: str) -> tuple[str, str, str]:
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
    if not region:
        problems.append(f"Credential should be scoped to a valid region, not '{region}'.")
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
    claimed = _single(header_map.get("x-amz-content-sha256"))
    if claimed is None:
        for name, value in query:
            if name == b"X-Amz-Content-Sha256":
                claimed = value.decode("utf-8", "replace")
    if claimed is None:
        return actual
    if not _HEX_SHA256_RE.match(claimed):
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


# --- canonical forms --------------------------------------------------------------------


def _canonical_uri(raw_path: str) -> str:
    """Canonical URI of a non-S3 request, as botocore computes it.

    botocore removes dot segments and empty segments from the path it sends (which is
    already percent-encoded) and URI-encodes the result once more, leaving '/' and '~'.
    Relative to the decoded path that is the spec's "encode each segment twice" for
    services other than S3. Doing the same to the raw path we received reproduces the
    signer's string byte for byte.
    """
    return quote(_remove_dot_segments(raw_path), safe="/~", errors="surrogateescape")


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, plus dropping empty segments ("//"), which AWS services
    # normalise away too; mirrors botocore.utils.remove_dot_segments.
    if not path:
        return "/"
    output: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
        else:
            output.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and output else ""
    return first + "/".join(output) + last


def _canonical_query(pairs: Sequence[tuple[bytes, bytes]]) -> str:
    """RFC 3986-encode each name and value, then sort by name, then by value."""
    encoded = sorted((quote(k, safe=_UNRESERVED), quote(v, safe=_UNRESERVED)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _canonical_headers(names: Sequence[str], header_map: Mapping[str, list[str]]) -> str:
    """``name:value\\n`` for each signed header, values trimmed and spaces collapsed.

    The trailing newline is part of the canonical request. A signed header that is
    absent canonicalises as an empty value, which then fails the comparison.
    """
    lines = []
    for name in names:
        # str.split() with no argument trims and collapses runs of whitespace, the
        # spec's Trimall, exactly as botocore does it.
        value = ",".join(" ".join(v.split()) for v in header_map.get(name, []))
        lines.append(f"{name}:{value}\n")
    return "".join(lines)


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), term)."""
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def _redact(canonical_request: str) -> str:
    """Hide a signed session token from the log copy of the canonical request."""
    return re.sub(
        r"^(x-amz-security-token:).*$", r"\1<redacted>", canonical_request, flags=re.MULTILINE
    )
