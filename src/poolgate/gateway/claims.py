"""Token claims as API Gateway hands them to an integration: every value a string.

Handlers written for AWS parse these strings (``claims['email_verified'] == 'true'``,
``claims['cognito:groups'].split(',')``), so the shapes are AWS's own, not JSON's:

- REST APIs (``COGNITO_USER_POOLS``, ``requestContext.authorizer.claims``): booleans
  ``"true"``/``"false"``, numbers in decimal, ``exp`` and ``iat`` as dates
  (``"Thu Nov 28 04:24:11 UTC 2019"``), arrays joined with commas
  (``"cognito:groups": "admin,editors"``).
- HTTP APIs (``JWT``, ``requestContext.authorizer.jwt.claims``): booleans and numbers
  likewise, ``exp``/``iat`` stay numbers, arrays as ``"[admin editors]"``.

The documentation only says claims are passed "as strings"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html,
``$context.authorizer.claims.property``); the exact forms above are those API Gateway
produces in events recorded from AWS. Objects (rare in Cognito's tokens) become
compact JSON.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

__all__ = ["http_api_claims", "rest_api_claims"]

# REST APIs render these as java.util.Date.toString() in UTC.
_DATE_CLAIMS = ("exp", "iat")


def rest_api_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in claims.items():
        if value is None:
            continue
        if name in _DATE_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
        elif isinstance(value, list):
            out[name] = ",".join(_scalar(item) for item in value)
        else:
            out[name] = _scalar(value)
    return out


def http_api_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in claims.items():
        if value is None:
            continue
        if isinstance(value, list):
            out[name] = "[" + " ".join(_scalar(item) for item in value) + "]"
        else:
            out[name] = _scalar(value)
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return json.dumps(value, separators=(",", ":"))
