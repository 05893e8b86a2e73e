"""The crypto floor: CPU time of the cryptography one operation needs on the server.

Timed in the benchmark's own process with ``time.process_time()`` (CPU time, so other
load on the machine barely moves it), over ``repetitions`` calls of each primitive,
through the server's own code paths where there is one:

* ``rs256_sign``: PyJWT ``jwt.encode(..., algorithm="RS256")`` with a 2048-bit
  ``cryptography`` RSA key and access-token-like claims, as ``poolgate.core.auth.tokens.mint``;
* ``rs256_verify``: ``jwt.decode`` of such a token with the public key, as
  ``poolgate.core.auth.tokens`` verifies an access token it has not seen yet;
* ``es256_verify``: ``cryptography``'s ECDSA P-256 verification of a WebAuthn assertion
  (authenticator data and the client data's hash), what py_webauthn does for a passkey
  sign-in;
* ``password_check``: ``poolgate.core.auth.srp.password_matches`` (one 3072-bit modexp, 256-bit
  exponent, gmpy2);
* ``srp_start_challenge`` and ``srp_expected_signature``: the server's two halves of one
  USER_SRP_AUTH sign-in (``start_challenge``: ``g^b``; ``expected_signature``: ``v^u`` and
  ``(A v^u)^b``);
* ``make_verifier``: ``poolgate.core.auth.srp.make_verifier`` (one modexp), what SignUp derives;
* ``modexp_g_256``: one gmpy2 ``powmod`` of the group's generator (``g = 2``) with a
  random 256-bit exponent, in the 3072-bit SRP group (GMP is about twice as fast with
  base 2 as with a random base);
* ``modexp_3072_256``: one gmpy2 ``powmod`` in that group with a random base and a random
  256-bit exponent.

The floors of ``password`` and ``srp`` are counted in these modexps, as issue 18 defines
them: a password check is one ``g^x``; an SRP sign-in is ``g^b``, ``v^u`` and
``(A v^u)^b``. Not in the server's own SRP calls: the server computes ``g^b`` from a
precomputed table for less than a modexp, and a floor that shrank with every such
saving would hide it.

Each scenario's floor is a sum of these (``RECIPES``). Crypto efficiency is that floor over
the server's CPU time per operation (see ``bench/README.md``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import gmpy2
import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bench.srp_client import SrpClient, timestamp
from poolgate.core.auth import srp

POOL_ID = "us-east-1_BenchFloor"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"

PRIMITIVES = (
    "rs256_sign",
    "rs256_verify",
    "es256_verify",
    "password_check",
    "srp_start_challenge",
    "srp_expected_signature",
    "make_verifier",
    "modexp_g_256",
    "modexp_3072_256",
)

# How many of each primitive one operation of the scenario needs on the server.
RECIPES: dict[str, dict[str, int]] = {
    "password": {"modexp_g_256": 1, "rs256_sign": 2},
    "srp": {"modexp_g_256": 1, "modexp_3072_256": 2, "rs256_sign": 2},
    "refresh": {"rs256_sign": 2},
    # Poolgate remembers a verified access token's claims until it expires, so a GetUser
    # with a token already seen (every one in the benchmark after its warm-up) does no RSA
    # at all; the uncached cost would be one rs256_verify.
    "get_user": {},
    "sign_up": {"make_verifier": 1},
    # The TOTP check is one HMAC-SHA1 per candidate step: microseconds, not counted.
    "totp": {"modexp_g_256": 1, "rs256_sign": 2},
    "triggers": {"modexp_g_256": 1, "rs256_sign": 2},
    # No password: the code's HMAC is negligible.
    "email_otp": {"rs256_sign": 2},
    "passkey": {"es256_verify": 1, "rs256_sign": 2},
    # Upstream: the hosted login's password check, its id and access tokens, and the
    # access token verified at its userInfo; downstream: the upstream's id token
    # verified, its own id and access tokens. Counted from the protocol, not traced.
    "federated": {"modexp_g_256": 1, "rs256_sign": 4, "rs256_verify": 2},
}
NOTES = {
    "password": "1 modexp g^x (3072-bit, 256-bit exponent) + 2 RS256 signatures (id, access)",
    "srp": "3 modexps g^b, v^u, (A v^u)^b (3072-bit, 256-bit exponents) + 2 RS256 signatures "
    "(per full sign-in)",
    "refresh": "2 RS256 signatures (id and access token)",
    "get_user": "0: verified access tokens are cached by the server "
    "(uncached it would be 1 RS256 verification)",
    "sign_up": "1 make_verifier (one modexp)",
    "totp": "1 modexp (the password) + 2 RS256 signatures; the TOTP code's HMAC is negligible",
    "triggers": "as password: the two trigger invocations add no cryptography",
    "email_otp": "2 RS256 signatures (the code's HMAC is negligible; no password)",
    "passkey": "1 ES256 (P-256) assertion verification + 2 RS256 signatures",
    "federated": "upstream: 1 modexp (the password) + 2 RS256 signatures + 1 RS256 "
    "verification (userInfo); downstream: 1 RS256 verification (the upstream's id token) "
    "+ 2 RS256 signatures",
}


def _claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": str(uuid.uuid4()),
        "cognito:groups": ["bench"],
        "iss": ISSUER,
        "client_id": "benchfloorclient0000000000",
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "username": "bench-floor-user",
    }


def _primitives() -> dict[str, Callable[[], object]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key()
    claims = _claims()
    headers = {"kid": "bench-floor-kid", "typ": None}
    token = jwt.encode(claims, private, algorithm="RS256", headers=headers)

    pool_name = srp.pool_name_from_id(POOL_ID)
    username, password = "bench-floor-user", "Bench!Floor123"
    verifier = srp.make_verifier(pool_name, username, password)
    client = SrpClient(POOL_ID)
    srp_a = client.start().srp_a
    challenge = srp.start_challenge(verifier, srp_a)
    secret_block = base64.standard_b64encode(os.urandom(64)).decode()
    stamp = timestamp()

    def sign() -> object:
        return jwt.encode(claims, private, algorithm="RS256", headers=headers)

    def verify() -> object:
        return jwt.decode(
            token,
            public,
            algorithms=["RS256"],
            issuer=ISSUER,
            options={"verify_aud": False, "require": ["exp", "iat", "sub", "token_use"]},
        )

    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_public = ec_key.public_key()
    signed = os.urandom(37) + hashlib.sha256(os.urandom(100)).digest()
    ec_signature = ec_key.sign(signed, ec.ECDSA(hashes.SHA256()))

    def es256_verify() -> object:
        ec_public.verify(ec_signature, signed, ec.ECDSA(hashes.SHA256()))
        return True

    def password_check() -> object:
        if not srp.password_matches(verifier, pool_name, username, password):
            raise AssertionError("floor: password_matches refused the right password")
        return True

    def start_challenge() -> object:
        return srp.start_challenge(verifier, srp_a)

    def expected_signature() -> object:
        return srp.expected_signature(
            verifier=verifier,
            challenge=challenge,
            srp_a_hex=srp_a,
            pool_name=pool_name,
            user_id_for_srp=username,
            secret_block_b64=secret_block,
            timestamp=stamp,
        )

    def make_verifier() -> object:
        return srp.make_verifier(pool_name, username, password)

    modulus = gmpy2.mpz(srp.N)
    modexp_base = gmpy2.mpz(int.from_bytes(os.urandom(384), "big") % srp.N)
    modexp_exponent = gmpy2.mpz(int.from_bytes(os.urandom(32), "big") | (1 << 255))

    def modexp() -> object:
        return gmpy2.powmod(modexp_base, modexp_exponent, modulus)

    generator = gmpy2.mpz(srp.G)

    def modexp_g() -> object:
        return gmpy2.powmod(generator, modexp_exponent, modulus)

    return {
        "rs256_sign": sign,
        "rs256_verify": verify,
        "es256_verify": es256_verify,
        "password_check": password_check,
        "srp_start_challenge": start_challenge,
        "srp_expected_signature": expected_signature,
        "make_verifier": make_verifier,
        "modexp_g_256": modexp_g,
        "modexp_3072_256": modexp,
    }


def _cpu_ms(call: Callable[[], object], repetitions: int) -> float:
    for _ in range(min(5, repetitions)):  # warm caches and lazy imports
        call()
    started = time.process_time()
    for _ in range(repetitions):
        call()
    return (time.process_time() - started) / repetitions * 1000.0


def recipe_ms(scenario: str, repetitions: int = 200) -> float | None:
    """The scenario's floor timed again now, only its own primitives: on a shared
    machine the primitives' cost drifts by tens of percent within minutes, so each
    level's efficiency is computed against a floor timed right after its load."""
    recipe = RECIPES.get(scenario)
    if not recipe:
        return None
    calls = _primitives_once()
    return float(sum(_cpu_ms(calls[name], repetitions) * count for name, count in recipe.items()))


@functools.cache
def _primitives_once() -> dict[str, Callable[[], object]]:
    return _primitives()


def measure(repetitions: int = 200) -> dict[str, Any]:
    """Each primitive's CPU ms and each scenario's floor CPU ms per operation."""
    calls = _primitives()
    primitives_ms = {name: _cpu_ms(calls[name], repetitions) for name in PRIMITIVES}
    scenarios = {
        scenario: {
            "floor_ms": float(sum(primitives_ms[name] * count for name, count in recipe.items())),
            "recipe": recipe,
            "note": NOTES[scenario],
        }
        for scenario, recipe in RECIPES.items()
    }
    return {
        "repetitions": repetitions,
        "timer": "time.process_time() in the benchmark process",
        "primitives_ms": primitives_ms,
        "scenarios": scenarios,
    }


def floor_ms(floor: dict[str, Any] | None, scenario: str) -> float | None:
    if floor is None or scenario not in floor["scenarios"]:
        return None
    value: float = floor["scenarios"][scenario]["floor_ms"]
    return value
