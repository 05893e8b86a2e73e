"""SigV4 verification against requests signed by botocore itself.

Signing with the real client library (rather than a hand-rolled signer) is the point:
what must verify is whatever boto3 and the AWS CLI actually send.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from poolgate.awsjson.sigv4 import AdminKey, verify_sigv4
from poolgate.core.errors import (
    AuthError,
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

AK = "AKIAPOOLGATEADMIN001"
SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEY = AdminKey(AK, SK)
KEYS = {AK: KEY, "AKIAOTHERADMIN000002": AdminKey("AKIAOTHERADMIN000002", "other-secret")}
ENDPOINT = "http://127.0.0.1:9229"
BODY = json.dumps({"PoolName": "staff"}).encode()
SIGNED_AT = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)

MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


def sign(
    *,
    url: str = ENDPOINT + "/",
    body: bytes = BODY,
    secret: str = SK,
    access_key: str = AK,
    region: str = "us-east-1",
    service: str = "cognito-idp",
    extra_headers: dict[str, str] | None = None,
    at: datetime = SIGNED_AT,
) -> AWSRequest:
    """Sign a Cognito-style JSON request with botocore at a fixed time."""
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.CreateUserPool",
        **(extra_headers or {}),
    }
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    with patch("botocore.auth.get_current_datetime", return_value=at.replace(tzinfo=None)):
        SigV4Auth(Credentials(access_key, secret), service, region).add_auth(request)
    return request


def wire_headers(request: AWSRequest) -> list[tuple[str, str]]:
    """The headers as they reach the server: botocore's, plus the Host the HTTP client adds."""
    return [*request.headers.items(), ("Host", urlsplit(request.url).netloc)]


def verify(
    request: AWSRequest,
    *,
    body: bytes | None = None,
    headers: list[tuple[str, str]] | None = None,
    now: datetime | None = None,
) -> AdminKey:
    """Feed a botocore request to the verifier the way the HTTP layer would."""
    parts = urlsplit(request.url)
    return verify_sigv4(
        method=request.method,
        path=parts.path,
        query_string=parts.query,
        headers=wire_headers(request) if headers is None else headers,
        body=request.body if body is None else body,
        keys=KEYS,
        now=now or SIGNED_AT,
    )


def replace_header(headers: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(n, value if n.lower() == name.lower() else v) for n, v in headers]


# --- accepted ---------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3"])
def test_valid_signature_returns_the_signing_key(region: str) -> None:
    request = sign(region=region)
    assert f"/{region}/cognito-idp/aws4_request" in request.headers["Authorization"]
    assert verify(request) is KEY


def test_other_configured_key_is_recognised() -> None:
    request = sign(access_key="AKIAOTHERADMIN000002", secret="other-secret")
    assert verify(request) == KEYS["AKIAOTHERADMIN000002"]


def test_path_with_special_characters_and_query_string() -> None:
    # Encoded space, an already-encoded '/', a raw '$', '~', non-ASCII and a
    # repeated, unsorted query key: exercises double-encoding of the path and the
    # sorting of the canonical query by name, then value.
    url = ENDPOINT + "/pools/a%20b/c%2Fd/$x~y/%C3%A9t%C3%A9?z=1&a=2&a=1&b=x%20y&empty="
    request = sign(url=url)
    assert verify(request) is KEY


def test_dot_segments_are_normalised_like_botocore() -> None:
    request = sign(url=ENDPOINT + "/a/./b/../c//d/")
    assert verify(request) is KEY


def test_header_names_any_case_and_extra_unsigned_headers() -> None:
    request = sign()
    headers = [(n.upper(), v) for n, v in wire_headers(request)]
    headers.append(("User-Agent", "not-signed/1.0"))
    assert verify(request, headers=headers) is KEY


def test_header_whitespace_is_trimmed_and_collapsed() -> None:
    request = sign(extra_headers={"X-Custom": "  a   b  c "})
    headers = replace_header(wire_headers(request), "X-Custom", "a b\t  c")
    assert verify(request, headers=headers) is KEY


def test_repeated_signed_header_is_joined_with_commas() -> None:
    # botocore would sign the two values joined by ','; a server receiving them as
    # two header lines must rebuild the same string.
    request = sign(extra_headers={"X-Custom": "one,two"})
    headers = [(n, v) for n, v in wire_headers(request) if n != "X-Custom"]
    headers += [("x-custom", "one"), ("X-CUSTOM", "two")]
    assert verify(request, headers=headers) is KEY


def test_security_token_and_content_sha256_headers() -> None:
    request = AWSRequest(
        method="POST",
        url=ENDPOINT + "/",
        data=BODY,
        headers={"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()},
    )
    with patch("botocore.auth.get_current_datetime", return_value=SIGNED_AT.replace(tzinfo=None)):
        SigV4Auth(Credentials(AK, SK, token="session-token"), "cognito-idp", "us-east-1").add_auth(
            request
        )
    assert "x-amz-security-token" in request.headers["Authorization"]
    assert verify(request) is KEY


def test_date_header_instead_of_x_amz_date() -> None:
    request = sign(extra_headers={"Date": "placeholder"})
    assert "X-Amz-Date" not in request.headers
    assert verify(request) is KEY


def test_empty_body() -> None:
    request = sign(body=b"")
    assert verify(request, body=b"") is KEY


def test_naive_now_is_taken_as_utc() -> None:
    request = sign()
    assert verify(request, now=SIGNED_AT.replace(tzinfo=None)) is KEY


def test_skew_boundary_is_inclusive() -> None:
    request = sign()
    assert verify(request, now=SIGNED_AT + timedelta(minutes=15)) is KEY
    assert verify(request, now=SIGNED_AT - timedelta(minutes=15)) is KEY


def test_presigned_query_string() -> None:
    request = AWSRequest(method="GET", url=ENDPOINT + "/admin?Action=Ping&x=a%20b")
    with patch("botocore.auth.get_current_datetime", return_value=SIGNED_AT.replace(tzinfo=None)):
        SigV4QueryAuth(Credentials(AK, SK), "cognito-idp", "us-east-1", expires=300).add_auth(
            request
        )
    assert "X-Amz-Signature=" in request.url
    assert "Authorization" not in request.headers
    assert verify(request, body=b"", now=SIGNED_AT + timedelta(minutes=4)) is KEY

    with pytest.raises(InvalidSignatureException, match="Request has expired"):
        verify(request, body=b"", now=SIGNED_AT + timedelta(minutes=6))

    tampered = AWSRequest(method="GET", url=request.url.replace("Action=Ping", "Action=Pong"))
    with pytest.raises(InvalidSignatureException) as caught:
        verify(tampered, body=b"", headers=wire_headers(request))
    assert caught.value.message == MISMATCH


# --- refused: credentials -----------------------------------------------------------------


def test_wrong_secret_is_invalid_signature() -> None:
    request = sign(secret="not-the-secret")
    with pytest.raises(InvalidSignatureException) as caught:
        verify(request)
    assert caught.value.message == MISMATCH
    # The diagnostic is private, holds the canonical request, and never the secret.
    assert caught.value.detail is not None
    assert "x-amz-target:AWSCognitoIdentityProviderService.CreateUserPool" in caught.value.detail
    assert SK not in caught.value.detail
    assert SK not in caught.value.message


def test_unknown_access_key_is_unrecognized_client() -> None:
    request = sign(access_key="AKIANOBODY0000000000")
    with pytest.raises(UnrecognizedClientException) as caught:
        verify(request)
    assert caught.value.message == "The security token included in the request is invalid."


def test_missing_authorization_is_missing_token() -> None:
    request = sign()
    headers = [(n, v) for n, v in wire_headers(request) if n.lower() != "authorization"]
    with pytest.raises(MissingAuthenticationTokenException) as caught:
        verify(request, headers=headers)
    assert caught.value.message == "Missing Authentication Token"


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        ("garbage", "Unsupported AWS 'algorithm': 'garbage'."),
        ("Bearer eyJhbGciOi.secret.token", "Unsupported AWS 'algorithm': 'Bearer'."),
        (
            "AWS4-HMAC-SHA256 FooBar, BazBurp",
            "'FooBar' not a valid key=value pair (missing equal-sign) in Authorization header.",
        ),
        (
            "AWS4-HMAC-SHA256 Foo=Bar",
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization=AWS4-HMAC-SHA256",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIA/20261127/us-east-1/cognito-idp/aws4_request, "
            "Signature=abc",
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization=AWS4-HMAC-SHA256",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIA, SignedHeaders=host;x-amz-date, Signature=abc",
            "Credential must have exactly 5 slash-delimited elements, "
            "e.g. keyid/date/region/service/term, got 'AKIA'",
        ),
    ],
)
def test_malformed_authorization_is_incomplete_signature(authorization: str, expected: str) -> None:
    request = sign()
    headers = replace_header(wire_headers(request), "Authorization", authorization)
    with pytest.raises(IncompleteSignatureException) as caught:
        verify(request, headers=headers)
    assert caught.value.message == expected
    assert "secret.token" not in caught.value.message


def test_missing_date_header_is_incomplete_signature() -> None:
    request = sign()
    headers = [(n, v) for n, v in wire_headers(request) if n.lower() != "x-amz-date"]
    with pytest.raises(IncompleteSignatureException) as caught:
        verify(request, headers=headers)
    assert caught.value.message == (
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-HMAC-SHA256"
    )


def test_badly_formatted_date_is_incomplete_signature() -> None:
    request = sign()
    headers = replace_header(wire_headers(request), "X-Amz-Date", "2026-11-27T12:00:00Z")
    with pytest.raises(IncompleteSignatureException, match="ISO-8601 'basic format'"):
        verify(request, headers=headers)


def test_host_must_be_signed() -> None:
    request = sign()
    auth = request.headers["Authorization"].replace("host;", "")
    assert "host" not in auth
    headers = replace_header(wire_headers(request), "Authorization", auth)
    with pytest.raises(IncompleteSignatureException) as caught:
        verify(request, headers=headers)
    assert caught.value.message == (
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    )


def test_wrong_service_scope_is_invalid_signature() -> None:
    request = sign(service="cognito-identity")
    with pytest.raises(InvalidSignatureException) as caught:
        verify(request)
    assert caught.value.message == "Credential should be scoped to correct service: 'cognito-idp'."


def test_scope_date_must_match_request_date() -> None:
    request = sign()
    headers = replace_header(wire_headers(request), "X-Amz-Date", "20261128T000500Z")
    with pytest.raises(InvalidSignatureException) as caught:
        verify(request, headers=headers, now=datetime(2026, 11, 28, 0, 5, tzinfo=UTC))
    assert caught.value.message == (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '20261127' != '20261128', from '20261128T000500Z'."
    )


# --- refused: tampering -------------------------------------------------------------------


def test_body_tampered_after_signing() -> None:
    request = sign()
    with pytest.raises(InvalidSignatureException) as caught:
        verify(request, body=BODY.replace(b"staff", b"admin"))
    assert caught.value.message == MISMATCH


def test_body_tampered_with_content_sha256_header() -> None:
    # The header's value enters the canonical request in place of the body hash, so
    # it must be checked against the body or the body could be swapped freely.
    request = sign(extra_headers={"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()})
    assert verify(request) is KEY
    with pytest.raises(InvalidSignatureException, match="x-amz-content-sha256"):
        verify(request, body=b'{"PoolName": "admin"}')


def test_unsigned_payload_is_refused() -> None:
    request = sign(extra_headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    with pytest.raises(InvalidSignatureException, match="Unsigned"):
        verify(request)


def test_signed_header_tampered() -> None:
    request = sign()
    headers = replace_header(
        wire_headers(request), "X-Amz-Target", "AWSCognitoIdentityProviderService.DeleteUserPool"
    )
    with pytest.raises(InvalidSignatureException) as caught:
        verify(request, headers=headers)
    assert caught.value.message == MISMATCH


def test_path_and_query_tampered() -> None:
    request = sign(url=ENDPOINT + "/a?x=1")
    for url in (ENDPOINT + "/b?x=1", ENDPOINT + "/a?x=2", ENDPOINT + "/a?x=1&y=2"):
        parts = urlsplit(url)
        with pytest.raises(InvalidSignatureException):
            verify_sigv4(
                method="POST",
                path=parts.path,
                query_string=parts.query,
                headers=wire_headers(request),
                body=BODY,
                keys=KEYS,
                now=SIGNED_AT,
            )


def test_method_tampered() -> None:
    request = sign()
    parts = urlsplit(request.url)
    with pytest.raises(InvalidSignatureException):
        verify_sigv4(
            method="PUT",
            path=parts.path,
            query_string=parts.query,
            headers=wire_headers(request),
            body=BODY,
            keys=KEYS,
            now=SIGNED_AT,
        )


# --- refused: time ----------------------------------------------------------------------


def test_expired_signature() -> None:
    request = sign()
    with pytest.raises(InvalidSignatureException) as caught:
        verify(request, now=SIGNED_AT + timedelta(minutes=16))
    assert caught.value.message == (
        "Signature expired: 20261127T120000Z is now earlier than 20261127T120100Z "
        "(20261127T121600Z - 15 min.)"
    )


def test_signature_from_the_future() -> None:
    request = sign()
    with pytest.raises(InvalidSignatureException) as caught:
        verify(request, now=SIGNED_AT - timedelta(minutes=16))
    assert caught.value.message == (
        "Signature not yet current: 20261127T120000Z is still later than 20261127T115900Z "
        "(20261127T114400Z + 15 min.)"
    )


def test_all_auth_errors_are_auth_errors() -> None:
    for exc in (
        MissingAuthenticationTokenException,
        IncompleteSignatureException,
        UnrecognizedClientException,
        InvalidSignatureException,
    ):
        assert issubclass(exc, AuthError)


def test_admin_key_repr_hides_the_secret() -> None:
    assert SK not in repr(KEY)
    assert AK in repr(KEY)
