"""Server side of Cognito's USER_SRP_AUTH (SRP-6a as Cognito's clients speak it).

Poolgate stores no passwords. What it keeps per user is an SRP verifier, ``v = g^x mod N``,
and the salt that went into ``x``; the password itself never reaches the server during
USER_SRP_AUTH. Everything here must agree bit for bit with the clients that already talk
to Amazon Cognito:

* amazon-cognito-identity-js ``src/AuthenticationHelper.js`` (and ``CognitoUser.js`` for how
  the challenge parameters are parsed, ``DateHelper.js`` for the timestamp);
* pycognito ``aws_srp.py`` (``pad_hex``, ``hex_hash``, ``compute_hkdf``, ``calculate_u``,
  ``get_password_authentication_key``, ``process_challenge``).

The protocol is SRP-6a from RFC 5054 (section 2.5/2.6) with Cognito's choices:

* group: the 3072-bit group of RFC 5054 appendix A (= RFC 3526 group 15), ``g = 2``;
* hash: SHA-256; ``k = H(PAD(N) | PAD(g))``;
* ``x = H(PAD(salt) | H(poolName | userIdForSrp | ":" | password))``, where ``poolName`` is
  the part of the pool id after the underscore (``us-east-1_AbCdEf123`` -> ``AbCdEf123``);
* ``u = H(PAD(A) | PAD(B))``; server ``S = (A * v^u)^b mod N``;
* the session key is not ``H(S)`` but 16 bytes of HKDF-SHA256 with ikm ``PAD(S)``,
  salt ``PAD(u)`` and info ``"Caldera Derived Key"``;
* the client proves the key with ``HMAC-SHA256(K, poolName | userIdForSrp | secretBlock |
  timestamp)`` (PASSWORD_CLAIM_SIGNATURE).

``PAD`` is *not* RFC 5054's left-pad-to-``len(N)``: the clients hash the shortest big-endian
encoding of the (positive) integer that still reads as positive in two's complement, i.e.
its hex with one ``0`` prepended for odd length or ``00`` prepended when the first hex
digit is 8-f (``pad_hex`` / ``padHex``). Getting this wrong fails about once every few
hundred logins, which is why the tests loop.

Pure code: no I/O, no clock. Randomness is injected (``random_bytes``) so tests can be
deterministic; production callers use the ``os.urandom`` default.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import gmpy2

__all__ = [
    "SALT_BYTES",
    "G",
    "N",
    "ServerChallenge",
    "Verifier",
    "expected_signature",
    "hex_of",
    "make_verifier",
    "parse_timestamp",
    "password_matches",
    "pool_name_from_id",
    "salt_hex",
    "start_challenge",
]

RandomBytes = Callable[[int], bytes]

# RFC 5054 appendix A, 3072-bit group; the same constant as AuthenticationHelper.js's
# initN and pycognito's N_HEX.
_N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N: int = int(_N_HEX, 16)
G: int = 2

_N_BYTES = (N.bit_length() + 7) // 8  # 384: fixed width for constant-time comparison

# Salt length the clients' own verifier generation uses (pycognito generate_hash_device,
# AuthenticationHelper.generateHashDevice: 16 random bytes).
SALT_BYTES = 16
# Server secret exponent size: 256 bits. The 3072-bit group gives about 128-bit security
# (discrete log by the number field sieve), and the best generic attack on a 256-bit
# exponent (Pollard's lambda / baby-step giant-step, ~2^128 steps) matches it; a longer
# ``b`` adds nothing but time (the clients' 1,024-bit ``a`` makes each of our two
# exponentiations by ``b`` four times as costly). RFC 5054 section 3.1 asks for at least
# 256 bits. The argument is in docs/decisions.md ("SRP: a 256-bit server exponent").
# Below N, so ``b`` needs no reduction.
_EPHEMERAL_BYTES = 32
# A is at most 768 hex digits for a well-behaved client; allow generous leading zeros but
# bound the work an attacker can make us do parsing and hashing it.
_MAX_A_HEX = 2 * 768

_INFO = b"Caldera Derived Key"

_N_MPZ = gmpy2.mpz(N)
_G_MPZ = gmpy2.mpz(G)


def _powmod(base: Any, exponent: Any, modulus: Any) -> Any:
    """gmpy2's powmod, letting other threads run while it computes.

    Callers run the exponentiations in a worker thread so that the event loop keeps
    serving other requests meanwhile; gmpy2 holds the GIL through them unless the
    calling thread's context allows releasing it, which would make the thread useless.
    """
    context = gmpy2.get_context()
    if not context.allow_release_gil:
        context.allow_release_gil = True
    return gmpy2.powmod(base, exponent, modulus)


def _pad(n: int) -> bytes:
    """The clients' ``pad_hex(n)`` as bytes: shortest big-endian form with a clear top bit.

    Equal to ``bytes.fromhex(pad_hex(n))`` for every ``n >= 0`` (odd hex length gets one
    ``0``; a first hex digit of 8-f gets ``00``; zero becomes ``00``). This is also Java's
    ``BigInteger.toByteArray()`` for positive numbers.
    """
    if n < 0:
        raise ValueError("SRP values are non-negative")
    return n.to_bytes(n.bit_length() // 8 + 1, "big")


def _h(*parts: bytes) -> int:
    """SHA-256 of the concatenation, read as a big-endian integer (the clients' hexHash)."""
    return int.from_bytes(hashlib.sha256(b"".join(parts)).digest(), "big")


# k = H(PAD(N) | PAD(g)); pycognito spells it hex_hash("00" + N_HEX + "0" + G_HEX).
_K_MPZ = gmpy2.mpz(_h(_pad(N), _pad(G)))


# g^b by a fixed-base table: g^(d * 2^(w*i)) mod N for every window i of the exponent and
# digit d, so g^b costs one multiplication per nonzero w-bit digit of b (43 for a 256-bit
# b) instead of powmod's ~256 squarings. Measured 0.13 ms against powmod's 0.75 ms for a
# 256-bit exponent; the table is 43 * 64 values of 384 bytes (~1 MB), built on first use
# (~10 ms) so that processes that never see USER_SRP_AUTH do not pay for it. Like GMP's
# powmod it is not constant time (b is fresh per sign-in and used once).
_G_WINDOW_BITS = 6
_G_TABLE: list[list[Any]] | None = None


def _g_table() -> list[list[Any]]:
    global _G_TABLE
    table = _G_TABLE
    if table is None:
        table = []
        base = _G_MPZ
        for _ in range(-(-8 * _EPHEMERAL_BYTES // _G_WINDOW_BITS)):
            row = [gmpy2.mpz(1)]
            for _ in range((1 << _G_WINDOW_BITS) - 1):
                row.append(row[-1] * base % _N_MPZ)
            table.append(row)
            base = row[-1] * base % _N_MPZ  # base^(2^w)
        # Assigned whole: a thread racing the first build builds its own copy, never
        # reads a half-built one.
        _G_TABLE = table
    return table


def _g_pow(exponent: int) -> Any:
    """``g^exponent mod N``, equal to ``powmod(g, exponent, N)``; fast for exponents of
    up to ``8 * _EPHEMERAL_BYTES`` bits, falls back to powmod beyond."""
    if exponent.bit_length() > 8 * _EPHEMERAL_BYTES:
        return _powmod(_G_MPZ, exponent, _N_MPZ)
    table = _g_table()
    mask = (1 << _G_WINDOW_BITS) - 1
    result = gmpy2.mpz(1)
    i = 0
    while exponent:
        digit = exponent & mask
        if digit:
            result = result * table[i][digit] % _N_MPZ
        exponent >>= _G_WINDOW_BITS
        i += 1
    return result


def _random_int(random_bytes: RandomBytes, n: int) -> int:
    data = random_bytes(n)
    # A short read from an injected source would silently shrink the secret.
    if len(data) != n:
        raise ValueError(f"random_bytes returned {len(data)} bytes, wanted {n}")
    return int.from_bytes(data, "big")


def hex_of(n: int) -> str:
    """The wire hex of a non-negative integer, as Cognito sends SRP_B and SALT.

    Lowercase, no prefix, no padding. Clients parse it as a number (pycognito
    ``hex_to_long``; the JS SDK ``new BigInteger(hex, 16)``) and re-pad it themselves with
    ``pad_hex`` before hashing. Sending the minimal form matters for SALT: pycognito hashes
    ``pad_hex(<the SALT string>)`` while the JS SDK hashes ``padHex(<the parsed number>)``;
    those only agree when the string has no redundant leading zeros.
    """
    if n < 0:
        raise ValueError("SRP values are non-negative")
    return format(n, "x")


def pool_name_from_id(pool_id: str) -> str:
    """The pool name that goes into ``x`` and the signature: ``pool_id.split("_")[1]``.

    Exactly what both clients do (``getUserPoolName()``; ``pool_id.split('_')[1]``).
    """
    parts = pool_id.split("_")
    if len(parts) < 2 or not parts[1]:
        raise ValueError(f"not a user pool id: {pool_id!r}")
    return parts[1]


@dataclass(frozen=True)
class Verifier:
    """What Poolgate stores instead of a password.

    ``salt`` is the random bytes; what gets hashed (and sent as SALT) is the *integer*
    they encode, re-padded by the clients' rule. So a salt starting with ``00`` or with a
    byte >= 0x80 hashes differently from the raw bytes; see :func:`salt_hex`.
    """

    salt: bytes
    verifier: int  # v = g^x mod N

    def __post_init__(self) -> None:
        if not self.salt:
            raise ValueError("empty salt")
        if not 0 < self.verifier < N:
            raise ValueError("verifier out of range")

    def __repr__(self) -> str:
        # v permits an offline dictionary attack on the password; keep it out of logs.
        return f"Verifier(salt={self.salt.hex()}, verifier=<secret>)"


@dataclass(frozen=True)
class ServerChallenge:
    """One USER_SRP_AUTH attempt's server ephemeral.

    ``b`` is secret: keep it server-side between InitiateAuth and RespondToAuthChallenge
    (encrypted at rest by the caller) and use it once. ``B`` goes out as SRP_B.
    """

    b: int
    B: int

    def __repr__(self) -> str:
        # Keep the secret exponent out of logs and tracebacks.
        return f"ServerChallenge(b=<secret>, B={self.B:#x})"


def _salt_int(verifier: Verifier) -> int:
    return int.from_bytes(verifier.salt, "big")


def salt_hex(verifier: Verifier) -> str:
    """The SALT challenge parameter for this verifier (see :func:`hex_of`)."""
    return hex_of(_salt_int(verifier))


def _x(salt: int, pool_name: str, username: str, password: str) -> int:
    # x = H(PAD(salt) | H(poolName | username | ":" | password)); the inner hash is the
    # raw 32-byte digest (the clients concatenate its 64 hex digits, then unhex).
    inner = hashlib.sha256(f"{pool_name}{username}:{password}".encode()).digest()
    return _h(_pad(salt), inner)


def _v(salt: int, pool_name: str, username: str, password: str) -> int:
    return int(_powmod(_G_MPZ, _x(salt, pool_name, username, password), _N_MPZ))


def make_verifier(
    pool_name: str,
    username: str,
    password: str,
    *,
    random_bytes: RandomBytes = os.urandom,
) -> Verifier:
    """Derive the stored credential for a new or changed password.

    ``pool_name`` is :func:`pool_name_from_id` of the pool id. ``username`` must be the
    exact string the server will later send as the challenge's USER_ID_FOR_SRP, because
    that (not what the user typed as USERNAME) is what the clients feed into ``x``. For
    Cognito that is the user's internal username (a UUID in pools that sign in by
    email/phone alias), in its stored case. If that identifier ever changed the verifier
    would have to be re-derived, which needs the password, so it must be immutable.
    """
    salt = random_bytes(SALT_BYTES)
    if len(salt) != SALT_BYTES:
        raise ValueError(f"random_bytes returned {len(salt)} bytes, wanted {SALT_BYTES}")
    v = _v(int.from_bytes(salt, "big"), pool_name, username, password)
    return Verifier(salt=salt, verifier=v)


def password_matches(verifier: Verifier, pool_name: str, username: str, password: str) -> bool:
    """True if ``password`` is the one ``verifier`` was made from.

    For flows where the server does see the password (USER_PASSWORD_AUTH, admin flows,
    ChangePassword's previous password). The final comparison is constant time over the
    fixed 384-byte encoding so timing does not leak how much of ``v`` matched.
    """
    candidate = _v(_salt_int(verifier), pool_name, username, password)
    return hmac.compare_digest(
        candidate.to_bytes(_N_BYTES, "big"), verifier.verifier.to_bytes(_N_BYTES, "big")
    )


_HEX_RE = re.compile(r"[0-9a-fA-F]+")


def _parse_a(srp_a_hex: str) -> int:
    # int(s, 16) alone would also take "0x", "_", whitespace and a sign; a client never
    # sends those, so refuse them rather than hash something the client did not.
    if len(srp_a_hex) > _MAX_A_HEX or not _HEX_RE.fullmatch(srp_a_hex):
        raise ValueError("SRP_A is not a hex number")
    a = int(srp_a_hex, 16)
    # RFC 5054 2.5.4: the host MUST abort if A % N is zero (otherwise S is predictable).
    if a % N == 0:
        raise ValueError("SRP_A % N == 0")
    return a


def _u(a: int, b_pub: int) -> int:
    return _h(_pad(a), _pad(b_pub))


def start_challenge(
    verifier: Verifier,
    srp_a_hex: str,
    *,
    random_bytes: RandomBytes = os.urandom,
) -> ServerChallenge:
    """Answer InitiateAuth(USER_SRP_AUTH): pick ``b`` and compute ``B = k*v + g^b mod N``.

    Raises ``ValueError`` if SRP_A is malformed or ``A % N == 0``; the caller answers
    NotAuthorizedException. Send ``hex_of(challenge.B)`` as SRP_B and
    ``salt_hex(verifier)`` as SALT.
    """
    a = _parse_a(srp_a_hex)
    v = gmpy2.mpz(verifier.verifier)
    while True:
        b = _random_int(random_bytes, _EPHEMERAL_BYTES)
        if b == 0:
            continue
        b_pub = int((_K_MPZ * v + _g_pow(b)) % _N_MPZ)
        # Both clients throw on B % N == 0 and on u == 0; redraw instead of handing out a
        # challenge no client can answer (each has probability ~2^-256 or less).
        if b_pub == 0 or _u(a, b_pub) == 0:
            continue
        return ServerChallenge(b=b, B=b_pub)


def _session_key(verifier: Verifier, challenge: ServerChallenge, a: int) -> bytes:
    u = _u(a, challenge.B)
    # S = (A * v^u)^b mod N: equals the client's (B - k*g^x)^(a + u*x) mod N.
    base = (gmpy2.mpz(a) * _powmod(gmpy2.mpz(verifier.verifier), u, _N_MPZ)) % _N_MPZ
    s = int(_powmod(base, challenge.b, _N_MPZ))
    # Cognito's "HKDF": one HMAC-SHA256 extract with salt PAD(u), one expand block with
    # info "Caldera Derived Key" || 0x01, truncated to 16 bytes.
    prk = hmac.new(_pad(u), _pad(s), hashlib.sha256).digest()
    return hmac.new(prk, _INFO + b"\x01", hashlib.sha256).digest()[:16]


def expected_signature(
    *,
    verifier: Verifier,
    challenge: ServerChallenge,
    srp_a_hex: str,
    pool_name: str,
    user_id_for_srp: str,
    secret_block_b64: str,
    timestamp: str,
) -> bytes:
    """The raw 32-byte PASSWORD_CLAIM_SIGNATURE a client holding the password sends.

    ``timestamp`` is the client's TIMESTAMP string verbatim (it is signed as sent; check
    its freshness separately, e.g. with :func:`parse_timestamp`). ``secret_block_b64`` is
    the SECRET_BLOCK the server issued (and the client echoes as
    PASSWORD_CLAIM_SECRET_BLOCK). The caller base64-decodes the client's signature and
    compares with ``hmac.compare_digest``.
    """
    a = _parse_a(srp_a_hex)
    try:
        secret_block = base64.b64decode(secret_block_b64, validate=True)
    except binascii.Error as exc:
        raise ValueError("SECRET_BLOCK is not base64") from exc
    key = _session_key(verifier, challenge, a)
    msg = pool_name.encode() + user_id_for_srp.encode() + secret_block + timestamp.encode()
    return hmac.new(key, msg, hashlib.sha256).digest()


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIMESTAMP_RE = re.compile(
    r"(?P<wd>[A-Z][a-z]{2}) (?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2}) "
    r"(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2}) UTC (?P<y>\d{4})"
)


def parse_timestamp(timestamp: str) -> datetime:
    """Parse the TIMESTAMP clients sign, e.g. ``"Fri Nov 7 15:48:43 UTC 2026"``.

    Both clients write the day of month without zero padding (JS ``DateHelper``:
    ``getUTCDate()``; pycognito ``{day:d}``); a zero-padded day is accepted too. English
    names are matched literally rather than via ``strptime``'s locale-dependent ``%a %b``.
    Returns an aware UTC datetime; raises ``ValueError`` on anything else.
    """
    m = _TIMESTAMP_RE.fullmatch(timestamp)
    if m is None or m["wd"] not in _WEEKDAYS or m["mon"] not in _MONTHS:
        raise ValueError(f"bad SRP timestamp: {timestamp!r}")
    return datetime(
        int(m["y"]),
        _MONTHS.index(m["mon"]) + 1,
        int(m["day"]),
        int(m["h"]),
        int(m["m"]),
        int(m["s"]),
        tzinfo=UTC,
    )
