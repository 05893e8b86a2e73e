"""The benchmark's SRP client signs exactly what pycognito signs."""

from __future__ import annotations

import base64
import os
import secrets

import boto3
import pytest
from bench.srp_client import SrpClient, pad_hex
from pycognito.aws_srp import AWSSRP

from poolgate.core.auth.srp import N

POOL_ID = "us-east-1_AbCdEf123"


@pytest.mark.parametrize("round_", range(20))
def test_signature_matches_pycognito(round_: int) -> None:
    client = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )
    password = "Bench!Pass123"
    ref = AWSSRP("bench-user", password, POOL_ID, "client", client=client)
    ours = SrpClient(POOL_ID)
    eph = ours.start(a=ref.small_a_value)
    assert ref.large_a_value == eph.A
    assert eph.srp_a == ref.get_auth_params()["SRP_A"]
    challenge = {
        "USER_ID_FOR_SRP": "bench-user",
        "USERNAME": "bench-user",
        # Salts with a top bit set or an odd length exercise pad_hex.
        "SALT": format(int.from_bytes(os.urandom(16), "big"), "x"),
        "SRP_B": format(secrets.randbelow(N - 1) + 1, "x"),
        "SECRET_BLOCK": base64.standard_b64encode(os.urandom(64)).decode(),
    }
    expected = ref.process_challenge(challenge, {"USERNAME": "bench-user"})
    got = ours.respond(eph, "bench-user", password, challenge, now=expected["TIMESTAMP"])
    assert got == expected


def test_pad_hex() -> None:
    assert pad_hex(0) == "00"
    assert pad_hex(0xF) == "0f"
    assert pad_hex(0x80) == "0080"
    assert pad_hex("7f") == "7f"
