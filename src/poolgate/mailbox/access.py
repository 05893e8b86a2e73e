"""Who may read the mailbox when it is served beyond local development (setting
``mailbox = true`` on a server others can reach): the holder of the admin key, proving
it with HTTP Basic (the key id as user name, the secret as password, over HTTPS) or
with a SigV4 signature (service ``cognito-idp``, the server's region), as the AWS
JSON API takes it. Anyone else is answered 403.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

from starlette.requests import Request

from poolgate.awsjson.sigv4 import AdminKey, verify_sigv4
from poolgate.core.errors import CognitoError


class AdminKeyGuard:
    def __init__(self, keys: Mapping[str, AdminKey], region: str) -> None:
        self.keys = keys
        self.region = region

    def allows(self, request: Request) -> bool:
        authorization = request.headers.get("authorization", "")
        if authorization[:6].lower() == "basic ":
            return self._basic(authorization[6:].strip())
        if not authorization and "X-Amz-Signature" not in request.query_params:
            return False
        raw_headers = request.headers.raw
        try:
            verify_sigv4(
                method=request.method,
                path=request.scope.get("raw_path", b"/").decode("utf-8", "replace"),
                query_string=request.scope.get("query_string", b"").decode("utf-8", "replace"),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers],
                body=b"",
                keys=self.keys,
                now=datetime.now(UTC),
                region=self.region,
            )
        except CognitoError:
            return False
        return True

    def _basic(self, encoded: str) -> bool:
        try:
            key_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        key = self.keys.get(key_id)
        return key is not None and hmac.compare_digest(
            key.secret_access_key.encode(), secret.encode()
        )
