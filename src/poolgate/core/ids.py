"""Identifiers in Cognito's formats.

Pool ids are ``{region}_{9 alphanumerics}``, client ids 26 lowercase alphanumerics,
client secrets 51 lowercase alphanumerics, subs UUIDs.
"""

from __future__ import annotations

import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def _pick(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def new_pool_id(region: str) -> str:
    return f"{region}_{_pick(_ALNUM, 9)}"


def new_client_id() -> str:
    return _pick(_LOWER_ALNUM, 26)


def new_client_secret() -> str:
    return _pick(_LOWER_ALNUM, 51)


def new_sub() -> str:
    return str(uuid.uuid4())


def pool_arn(region: str, account_id: str, pool_id: str) -> str:
    return f"arn:aws:cognito-idp:{region}:{account_id}:userpool/{pool_id}"


def pool_id_from_arn(arn: str) -> str | None:
    prefix, _, pool_id = arn.rpartition(":userpool/")
    if not prefix.startswith("arn:aws:cognito-idp:") or not pool_id:
        return None
    return pool_id
