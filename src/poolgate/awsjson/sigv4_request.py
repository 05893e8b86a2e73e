"""What a request says about its own SigV4 signature (see ``sigv4``): the
``Authorization`` header or the presigned query, the dates, and the signed headers,
parsed with AWS's error messages."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote_to_bytes

from poolgate.core.errors import IncompleteSignatureException

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_TIMESTAMP_RE = re.compile(r"\A\d{8}T\d{6}Z\Z")
HEX_SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")
# AWS caps presigned URLs at seven days.
_MAX_PRESIGN_EXPIRES = 604800
# RFC 3986 unreserved characters stay as they are; everything else is %XX-encoded.
UNRESERVED = "-_.~"

MSG_MISSING_TOKEN = "Missing Authentication Token"
MSG_UNKNOWN_KEY = "The security token included in the request is invalid."
MSG_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
_MSG_HOST_UNSIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."


@dataclass(frozen=True)
class SignatureParts:
    """What a request claims about its own signature, from header or query."""

    credential: str
    signed_headers: str
    signature: str
    timestamp: str  # ISO-8601 basic format, as it enters the string to sign
    expires: int | None  # presigned requests only


# --- request pieces -------------------------------------------------------------------


def header_map(headers: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Group header values by lowercased name, keeping arrival order.

    Order matters: the spec joins repeated headers' values with ',' in the order they
    appear in the request.
    """
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.strip().lower(), []).append(value)
    return grouped


def parse_query(query_string: str) -> list[tuple[bytes, bytes]]:
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


def is_presigned(query: Sequence[tuple[bytes, bytes]]) -> bool:
    names = {name for name, _ in query}
    return bool(names & {b"X-Amz-Algorithm", b"X-Amz-Credential", b"X-Amz-Signature"})


def single(values: Sequence[str] | None) -> str | None:
    # Repeated headers are combined as the canonical form would combine them, so a
    # duplicated X-Amz-Date becomes "a,b" and fails the format check below.
    if not values:
        return None
    return ",".join(v.strip() for v in values)


def parse_authorization(value: str, header_map: Mapping[str, list[str]]) -> SignatureParts:
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
    amz_date = single(header_map.get("x-amz-date"))
    http_date = single(header_map.get("date"))
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
    return SignatureParts(
        credential=params["Credential"],
        signed_headers=params["SignedHeaders"],
        signature=params["Signature"],
        timestamp=timestamp,
        expires=None,
    )


def parse_presigned_query(query: Sequence[tuple[bytes, bytes]]) -> SignatureParts:
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
    return SignatureParts(
        credential=found["X-Amz-Credential"],
        signed_headers=found["X-Amz-SignedHeaders"],
        signature=found["X-Amz-Signature"],
        timestamp=_check_basic_format(found["X-Amz-Date"]),
        expires=int(raw_expires),
    )


def _check_basic_format(value: str) -> str:
    if _TIMESTAMP_RE.match(value):
        try:
            datetime.strptime(value, TIMESTAMP_FORMAT)
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
    return parsed.strftime(TIMESTAMP_FORMAT)


def signed_header_names(signed_headers: str) -> list[str]:
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


# Headers that decide what the request does: when present they must be signed, or a
# captured signature could be replayed with another operation, body type or date.
MUST_SIGN_WHEN_PRESENT = ("x-amz-target", "content-type", "x-amz-date")
_HEADER_NAMES = {"x-amz-target": "X-Amz-Target", "content-type": "Content-Type",
                 "x-amz-date": "X-Amz-Date"}  # fmt: skip


def require_signed(signed_names: Sequence[str], header_map: Mapping[str, list[str]]) -> None:
    """Refuse a signature that leaves out a header of ``MUST_SIGN_WHEN_PRESENT`` the
    request carries, in the words AWS uses for an unsigned Host."""
    for name in MUST_SIGN_WHEN_PRESENT:
        if name in header_map and name not in signed_names:
            raise IncompleteSignatureException(
                f"'{_HEADER_NAMES[name]}' must be a 'SignedHeader' in the AWS Authorization."
            )
