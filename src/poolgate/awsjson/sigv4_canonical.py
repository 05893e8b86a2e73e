"""SigV4 canonical forms (see ``sigv4``): the canonical URI, query and headers, the
signing key, and a canonical request with its secrets redacted for the log."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from poolgate.awsjson.sigv4_request import TERMINATOR, UNRESERVED

# --- canonical forms --------------------------------------------------------------------


def canonical_uri(raw_path: str) -> str:
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


def canonical_query(pairs: Sequence[tuple[bytes, bytes]]) -> str:
    """RFC 3986-encode each name and value, then sort by name, then by value."""
    encoded = sorted((quote(k, safe=UNRESERVED), quote(v, safe=UNRESERVED)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_headers(names: Sequence[str], header_map: Mapping[str, list[str]]) -> str:
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


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), term)."""
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def redact(canonical_request: str) -> str:
    """Hide a signed session token from the log copy of the canonical request."""
    return re.sub(
        r"^(x-amz-security-token:).*$", r"\1<redacted>", canonical_request, flags=re.MULTILINE
    )
