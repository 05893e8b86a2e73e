"""USER_SRP_AUTH server side against pycognito's client (no network).

pycognito's ``AWSSRP`` is the reference: it is the client Python users already point at
Cognito. Its ``process_challenge`` produces PASSWORD_CLAIM_SIGNATURE from our SALT/SRP_B,
and we check the server computes the same HMAC. Padding bugs only bite when a value's hex
has odd length or starts with 8-f, so besides random loops there are targeted cases that
force each such shape for salt, A, B and u.
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import gmpy2
import pytest
from pycognito import aws_srp

from poolgate.core.auth import srp

POOL_ID = "us-east-1_AbCdEf123"
POOL_NAME = "AbCdEf123"

RandomBytes = Callable[[int], bytes]


def _rng(seed: object) -> RandomBytes:
    return random.Random(str(seed)).randbytes


def _fixed(data: bytes) -> RandomBytes:
    """A random_bytes that returns ``data`` once (for choosing an exact salt)."""

    def take(n: int) -> bytes:
        assert n == len(data)
        return data

    return take


@pytest.fixture
def client_random(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[object], None]]:
    """Make pycognito's secret ``a`` deterministic: call with a seed before building AWSSRP."""
    state: dict[str, RandomBytes] = {"rb": _rng("default")}

    def get_random(nbytes: int) -> int:
        return int.from_bytes(state["rb"](nbytes), "big")

    monkeypatch.setattr(aws_srp, "get_random", get_random)

    def seed(s: object) -> None:
        state["rb"] = _rng(s)

    yield seed


@pytest.fixture
def fast_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Swap pycognito's builtin ``pow`` for gmpy2's in its module only.

    Same arithmetic (Python's 3-arg pow and gmpy2.powmod agree, negative bases included);
    all of pycognito's padding/hashing code still runs. Cuts a round from ~50 ms to ~5 ms.
    """

    def fast_pow(base: int, exp: int, mod: int) -> int:
        return int(gmpy2.powmod(base, exp, mod))

    monkeypatch.setattr(aws_srp, "pow", fast_pow, raising=False)


def _client(username: str, password: str) -> aws_srp.AWSSRP:
    # client=object(): AWSSRP only needs a boto client for authenticate_user(), which we
    # never call; passing one stops it from constructing a real boto3 client.
    return aws_srp.AWSSRP(
        username=username,
        password=password,
        pool_id=POOL_ID,
        client_id="x",
        client=object(),
    )


def _round_trip(
    verifier: srp.Verifier,
    user_id_for_srp: str,
    password: str,
    *,
    server_random: RandomBytes,
    client: aws_srp.AWSSRP | None = None,
) -> tuple[bytes, bytes, dict[str, Any]]:
    """One InitiateAuth/RespondToAuthChallenge exchange.

    Returns (client's signature, server's expected signature, challenge parameters).
    """
    c = client or _client(user_id_for_srp, password)
    auth_params = c.get_auth_params()
    srp_a = auth_params["SRP_A"]
    challenge = srp.start_challenge(verifier, srp_a, random_bytes=server_random)
    secret_block = base64.b64encode(server_random(64)).decode()
    params = {
        "USER_ID_FOR_SRP": user_id_for_srp,
        "SALT": srp.salt_hex(verifier),
        "SRP_B": srp.hex_of(challenge.B),
        "SECRET_BLOCK": secret_block,
        "USERNAME": user_id_for_srp,
    }
    response = c.process_challenge(params, auth_params)
    assert response["PASSWORD_CLAIM_SECRET_BLOCK"] == secret_block
    got = base64.b64decode(response["PASSWORD_CLAIM_SIGNATURE"])
    want = srp.expected_signature(
        verifier=verifier,
        challenge=challenge,
        srp_a_hex=srp_a,
        pool_name=POOL_NAME,
        user_id_for_srp=user_id_for_srp,
        secret_block_b64=secret_block,
        timestamp=response["TIMESTAMP"],
    )
    return got, want, params


def _random_text(r: random.Random, lo: int, hi: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@+!:é日本🔑 "
    return "".join(r.choice(alphabet) for _ in range(r.randint(lo, hi)))


# --- building blocks vs pycognito --------------------------------------------------------


def test_group_constants_match_pycognito() -> None:
    c = _client("u", "p")
    assert c.big_n == srp.N
    assert c.val_g == srp.G
    assert c.val_k == int(srp._K_MPZ)


@pytest.mark.parametrize(
    "n",
    [0, 1, 0x7, 0xF, 0x10, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xABC, 0x1ABC, srp.N - 1],
)
def test_pad_matches_pad_hex_edges(n: int) -> None:
    assert srp._pad(n) == bytes.fromhex(aws_srp.pad_hex(n))


def test_pad_matches_pad_hex_random() -> None:
    r = random.Random(1)
    for _ in range(2000):
        n = r.getrandbits(r.randint(1, 3072))
        assert srp._pad(n) == bytes.fromhex(aws_srp.pad_hex(n))


def test_hex_of_is_what_clients_parse() -> None:
    for n in (0, 5, 0x80, 0xABC, srp.N - 1):
        h = srp.hex_of(n)
        assert aws_srp.hex_to_long(h) == n
        assert h == aws_srp.long_to_hex(n)  # lowercase, minimal, like the clients emit
    with pytest.raises(ValueError):
        srp.hex_of(-1)


@pytest.mark.parametrize(
    "salt",
    [
        bytes.fromhex("00" * 16),
        bytes.fromhex("00" + "11" * 15),
        bytes.fromhex("0000ff" + "22" * 13),
        bytes.fromhex("0f" + "33" * 15),
        bytes.fromhex("7f" + "44" * 15),
        bytes.fromhex("80" + "55" * 15),
        bytes.fromhex("ff" * 16),
    ],
    ids=["zero", "lead00", "lead0000ff", "lead0f", "lead7f", "lead80", "ff"],
)
def test_salt_wire_form_hashes_the_same_in_both_clients(salt: bytes) -> None:
    v = srp.make_verifier(POOL_NAME, "u", "p", random_bytes=_fixed(salt))
    wire = srp.salt_hex(v)
    # pycognito pads the SALT *string*; amazon-cognito-identity-js parses it into a
    # BigInteger and pads that. Both must equal what the server hashed.
    assert aws_srp.pad_hex(wire) == aws_srp.pad_hex(aws_srp.hex_to_long(wire))
    assert bytes.fromhex(aws_srp.pad_hex(wire)) == srp._pad(int.from_bytes(salt, "big"))


def _pycognito_verifier(salt_hex: str, username: str, password: str) -> int:
    # Copied from AWSSRP.get_password_authentication_key's x computation.
    username_password_hash = aws_srp.hash_sha256(f"{POOL_NAME}{username}:{password}".encode())
    x = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(salt_hex) + username_password_hash))
    return pow(2, x, srp.N)


def test_verifier_matches_pycognito_x() -> None:
    r = random.Random(2)
    for i in range(50):
        user, pw = _random_text(r, 1, 20), _random_text(r, 0, 40)
        v = srp.make_verifier(POOL_NAME, user, pw, random_bytes=_rng(i))
        assert len(v.salt) == srp.SALT_BYTES
        assert v.verifier == _pycognito_verifier(srp.salt_hex(v), user, pw)


def test_password_matches() -> None:
    v = srp.make_verifier(POOL_NAME, "alice", "correct horse", random_bytes=_rng("pm"))
    assert srp.password_matches(v, POOL_NAME, "alice", "correct horse")
    assert not srp.password_matches(v, POOL_NAME, "alice", "correct horse ")
    assert not srp.password_matches(v, POOL_NAME, "alice", "Correct horse")
    assert not srp.password_matches(v, POOL_NAME, "alicE", "correct horse")
    assert not srp.password_matches(v, "OtherPool", "alice", "correct horse")
    # The salt is part of the credential.
    other = srp.Verifier(salt=v.salt[::-1], verifier=v.verifier)
    assert not srp.password_matches(other, POOL_NAME, "alice", "correct horse")


def test_salts_are_random_by_default() -> None:
    a = srp.make_verifier(POOL_NAME, "u", "p")
    b = srp.make_verifier(POOL_NAME, "u", "p")
    assert a.salt != b.salt and a.verifier != b.verifier


def test_verifier_validation() -> None:
    with pytest.raises(ValueError):
        srp.Verifier(salt=b"", verifier=5)
    for bad in (0, srp.N, srp.N + 1, -1):
        with pytest.raises(ValueError):
            srp.Verifier(salt=b"s", verifier=bad)


def test_short_random_source_is_refused() -> None:
    with pytest.raises(ValueError):
        srp.make_verifier(POOL_NAME, "u", "p", random_bytes=lambda n: b"\x01" * (n - 1))
    v = srp.make_verifier(POOL_NAME, "u", "p", random_bytes=_rng(3))
    with pytest.raises(ValueError):
        srp.start_challenge(v, "abcd", random_bytes=lambda n: b"\x01" * (n - 1))


def test_server_exponent_is_256_bits() -> None:
    # 256 bits match the 3072-bit group's ~128-bit security (docs/decisions.md); the
    # exponent is drawn whole from the source, never widened or reduced.
    asked: list[int] = []

    def recording(n: int) -> bytes:
        asked.append(n)
        return b"\xff" * n

    v = srp.make_verifier(POOL_NAME, "u", "p", random_bytes=_rng(12))
    ch = srp.start_challenge(v, "abcd", random_bytes=recording)
    assert asked == [32]
    assert ch.b == 2**256 - 1


def test_challenge_repr_hides_b() -> None:
    v = srp.make_verifier(POOL_NAME, "u", "p", random_bytes=_rng(4))
    ch = srp.start_challenge(v, "abcdef", random_bytes=_rng(5))
    assert str(ch.b) not in repr(ch) and format(ch.b, "x") not in repr(ch)
    assert str(v.verifier) not in repr(v) and format(v.verifier, "x") not in repr(v)


def test_pool_name_from_id() -> None:
    assert srp.pool_name_from_id(POOL_ID) == POOL_NAME
    assert srp.pool_name_from_id(POOL_ID) == POOL_ID.split("_")[1]
    for bad in ("nounderscore", "us-east-1_", ""):
        with pytest.raises(ValueError):
            srp.pool_name_from_id(bad)


# --- A validation (RFC 5054 2.5.4) -------------------------------------------------------


@pytest.mark.parametrize(
    "srp_a",
    [
        "0",
        "00",
        srp.hex_of(srp.N),
        srp.hex_of(2 * srp.N),
        "0" * 10 + srp.hex_of(srp.N),
        "",
        "0x1234",
        "-1234",
        "+1234",
        "12_34",
        " 1234",
        "1234\n",
        "xyz",
        "1" * (2 * 768 + 1),
    ],
    ids=lambda s: s[:12] or "empty",
)
def test_bad_srp_a_is_rejected(srp_a: str) -> None:
    v = srp.make_verifier(POOL_NAME, "u", "p", random_bytes=_rng(6))
    with pytest.raises(ValueError):
        srp.start_challenge(v, srp_a, random_bytes=_rng(7))
    ch = srp.start_challenge(v, "abcd", random_bytes=_rng(7))
    with pytest.raises(ValueError):
        srp.expected_signature(
            verifier=v,
            challenge=ch,
            srp_a_hex=srp_a,
            pool_name=POOL_NAME,
            user_id_for_srp="u",
            secret_block_b64="AAAA",
            timestamp="Fri Nov 27 15:48:43 UTC 2026",
        )


def test_uppercase_a_is_accepted() -> None:
    v = srp.make_verifier(POOL_NAME, "u", "p", random_bytes=_rng(8))
    ch = srp.start_challenge(v, "ABCDEF", random_bytes=_rng(9))
    assert 0 < ch.B < srp.N


def test_bad_secret_block_is_rejected() -> None:
    v = srp.make_verifier(POOL_NAME, "u", "p", random_bytes=_rng(10))
    ch = srp.start_challenge(v, "abcd", random_bytes=_rng(11))
    with pytest.raises(ValueError):
        srp.expected_signature(
            verifier=v,
            challenge=ch,
            srp_a_hex="abcd",
            pool_name=POOL_NAME,
            user_id_for_srp="u",
            secret_block_b64="not base64!",
            timestamp="Fri Nov 27 15:48:43 UTC 2026",
        )


# --- full exchanges with pycognito -------------------------------------------------------


def test_round_trip_real_pycognito() -> None:
    """~20 logins with pycognito unmodified (its own os.urandom ``a``, builtin pow)."""
    r = random.Random(12)
    for i in range(20):
        user, pw = _random_text(r, 1, 24), _random_text(r, 1, 40)
        v = srp.make_verifier(POOL_NAME, user, pw)
        got, want, _ = _round_trip(v, user, pw, server_random=_rng(("real", i)))
        assert got == want, (i, user, pw)


def test_round_trip_many(client_random: Callable[[object], None], fast_client: None) -> None:
    """300 deterministic logins: catches padding bugs that fail ~1/256 of the time."""
    r = random.Random(13)
    shapes = {"B_odd": 0, "B_hi": 0, "A_odd": 0, "u_odd": 0, "u_hi": 0, "salt_odd": 0}
    for i in range(300):
        user, pw = _random_text(r, 1, 24), _random_text(r, 0, 40)
        v = srp.make_verifier(POOL_NAME, user, pw, random_bytes=_rng(("v", i)))
        client_random(("a", i))
        c = _client(user, pw)
        got, want, params = _round_trip(v, user, pw, server_random=_rng(("b", i)), client=c)
        assert got == want, (i, user, pw)
        u = aws_srp.calculate_u(c.large_a_value, int(params["SRP_B"], 16))
        shapes["B_odd"] += len(params["SRP_B"]) % 2
        shapes["B_hi"] += params["SRP_B"][0] in "89abcdef"
        shapes["A_odd"] += len(aws_srp.long_to_hex(c.large_a_value)) % 2
        shapes["u_odd"] += len(aws_srp.long_to_hex(u)) % 2
        shapes["u_hi"] += aws_srp.long_to_hex(u)[0] in "89abcdef"
        shapes["salt_odd"] += len(params["SALT"]) % 2
    # The loop really exercised both padding branches for every padded value.
    assert all(count > 0 for count in shapes.values()), shapes


def test_wrong_credentials_give_a_different_signature(
    client_random: Callable[[object], None], fast_client: None
) -> None:
    v = srp.make_verifier(POOL_NAME, "alice", "s3cret", random_bytes=_rng("w"))
    client_random("right")
    got, want, _ = _round_trip(v, "alice", "s3cret", server_random=_rng("w1"))
    assert got == want
    for user, pw in [("alice", "s3creT"), ("alice", ""), ("alice", "s3cret ")]:
        got, want, _ = _round_trip(v, user, pw, server_random=_rng("w2"))
        assert got != want, (user, pw)


def test_signature_binds_block_timestamp_and_identity() -> None:
    v = srp.make_verifier(POOL_NAME, "alice", "pw", random_bytes=_rng("bind"))
    ch = srp.start_challenge(v, "abcdef0123", random_bytes=_rng("bind2"))
    base: dict[str, Any] = dict(
        verifier=v,
        challenge=ch,
        srp_a_hex="abcdef0123",
        pool_name=POOL_NAME,
        user_id_for_srp="alice",
        secret_block_b64="AAAA",
        timestamp="Fri Nov 7 15:48:43 UTC 2026",
    )
    ref = srp.expected_signature(**base)
    assert len(ref) == 32
    for key, value in [
        ("secret_block_b64", "AAAB"),
        ("timestamp", "Fri Nov 07 15:48:43 UTC 2026"),
        ("user_id_for_srp", "bob"),
        ("pool_name", "Other"),
        ("srp_a_hex", "abcdef0124"),
    ]:
        assert srp.expected_signature(**{**base, key: value}) != ref, key


@pytest.mark.parametrize("salt_first", ["00", "0f", "80", "ff"])
def test_round_trip_salt_edges(
    salt_first: str, client_random: Callable[[object], None], fast_client: None
) -> None:
    salt = bytes.fromhex(salt_first) + random.Random(salt_first).randbytes(15)
    v = srp.make_verifier(POOL_NAME, "edge", "pw", random_bytes=_fixed(salt))
    for i in range(5):
        client_random((salt_first, i))
        got, want, _ = _round_trip(v, "edge", "pw", server_random=_rng((salt_first, i)))
        assert got == want


def _search_challenge(
    v: srp.Verifier, srp_a: str, want: Callable[[int, int], bool], tries: int = 5000
) -> RandomBytes:
    """Find a server random source whose B (and so u) has a given shape."""
    a = int(srp_a, 16)
    for i in range(tries):
        ch = srp.start_challenge(v, srp_a, random_bytes=_rng(("search", i)))
        if want(ch.B, aws_srp.calculate_u(a, ch.B)):
            return _rng(("search", i))
    raise AssertionError("no such challenge found")


@pytest.mark.parametrize(
    "shape",
    ["u_lead_zero_byte", "u_odd_hex", "u_hi", "B_odd_hex", "B_hi"],
)
def test_round_trip_forced_shapes(
    shape: str, client_random: Callable[[object], None], fast_client: None
) -> None:
    predicates: dict[str, Callable[[int, int], bool]] = {
        # u < 2^248: its hex is 62 digits or fewer, i.e. the hash's first byte was 00.
        "u_lead_zero_byte": lambda b, u: u.bit_length() <= 248,
        "u_odd_hex": lambda b, u: len(f"{u:x}") % 2 == 1,
        "u_hi": lambda b, u: f"{u:x}"[0] in "89abcdef",
        "B_odd_hex": lambda b, u: len(f"{b:x}") % 2 == 1,
        "B_hi": lambda b, u: f"{b:x}"[0] in "89abcdef",
    }
    v = srp.make_verifier(POOL_NAME, "shape", "pw", random_bytes=_rng(shape))
    client_random(shape)
    c = _client("shape", "pw")
    srp_a = c.get_auth_params()["SRP_A"]
    server_random = _search_challenge(v, srp_a, predicates[shape])
    got, want, _ = _round_trip(v, "shape", "pw", server_random=server_random, client=c)
    assert got == want


def test_round_trip_odd_length_a(
    client_random: Callable[[object], None], fast_client: None
) -> None:
    v = srp.make_verifier(POOL_NAME, "odd", "pw", random_bytes=_rng("odd"))
    for i in range(2000):
        client_random(("odd-a", i))
        c = _client("odd", "pw")
        if len(c.get_auth_params()["SRP_A"]) % 2 == 1:
            break
    else:
        raise AssertionError("no odd-length A found")
    got, want, _ = _round_trip(v, "odd", "pw", server_random=_rng("odd-b"), client=c)
    assert got == want


def test_client_side_secrets_are_deterministic(
    client_random: Callable[[object], None],
) -> None:
    client_random("same")
    a1 = _client("u", "p").large_a_value
    client_random("same")
    assert _client("u", "p").large_a_value == a1
    v = srp.make_verifier(POOL_NAME, "u", "p", random_bytes=_rng("same"))
    assert v == srp.make_verifier(POOL_NAME, "u", "p", random_bytes=_rng("same"))
    ch = srp.start_challenge(v, "abcd", random_bytes=_rng("b"))
    assert ch == srp.start_challenge(v, "abcd", random_bytes=_rng("b"))


# --- timestamp ---------------------------------------------------------------------------


def test_parse_timestamp_reads_client_format() -> None:
    import datetime as dt

    for when in [
        dt.datetime(2026, 11, 7, 5, 4, 3),
        dt.datetime(2026, 11, 27, 15, 48, 43),
        dt.datetime(2024, 2, 29, 23, 59, 59),
        dt.datetime(2025, 1, 1, 0, 0, 0),
    ]:
        wire = aws_srp.AWSSRP.get_cognito_formatted_timestamp(when)
        assert srp.parse_timestamp(wire) == when.replace(tzinfo=dt.UTC)
    # The clients do not zero-pad the day of month.
    sat = aws_srp.AWSSRP.get_cognito_formatted_timestamp(dt.datetime(2026, 11, 7, 5, 4, 3))
    assert sat == "Sat Nov 7 05:04:03 UTC 2026"
    assert srp.parse_timestamp("Sat Nov 07 05:04:03 UTC 2026").day == 7


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "Sat Nov 7 05:04:03 GMT 2026",
        "Sat Nov 7 5:04:03 UTC 2026",
        "sat nov 7 05:04:03 UTC 2026",
        "Sam Nov 7 05:04:03 UTC 2026",
        "Sat Foo 7 05:04:03 UTC 2026",
        "Sat Feb 30 05:04:03 UTC 2026",
        "Sat Nov 7 25:04:03 UTC 2026",
        "Sat Nov 7 05:04:03 UTC 2026 ",
        "2026-11-07T05:04:03Z",
    ],
)
def test_parse_timestamp_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        srp.parse_timestamp(bad)


# --- timing (informational) --------------------------------------------------------------


def test_timing(capsys: pytest.CaptureFixture[str]) -> None:
    a_hex = _client("u", "p").get_auth_params()["SRP_A"]
    rounds = 20
    totals = {"make_verifier": 0.0, "start_challenge": 0.0, "expected_signature": 0.0}
    for _ in range(rounds):
        t0 = time.perf_counter()
        v = srp.make_verifier(POOL_NAME, "user", "password")
        t1 = time.perf_counter()
        ch = srp.start_challenge(v, a_hex)
        t2 = time.perf_counter()
        srp.expected_signature(
            verifier=v,
            challenge=ch,
            srp_a_hex=a_hex,
            pool_name=POOL_NAME,
            user_id_for_srp="user",
            secret_block_b64="AAAA",
            timestamp="Fri Nov 27 15:48:43 UTC 2026",
        )
        t3 = time.perf_counter()
        totals["make_verifier"] += t1 - t0
        totals["start_challenge"] += t2 - t1
        totals["expected_signature"] += t3 - t2
    with capsys.disabled():
        print(
            f"\nsrp timings (mean of {rounds}): "
            + ", ".join(f"{k} {v / rounds * 1000:.2f} ms" for k, v in totals.items())
            + f", total {sum(totals.values()) / rounds * 1000:.2f} ms"
        )


def test_fixed_base_power_agrees_with_powmod() -> None:
    # g^b through the precomputed table (start_challenge's B) must be exactly powmod's,
    # for the edge exponents (one digit, every digit nonzero, the window boundary) and
    # beyond the table's width (the fallback).
    r = random.Random("g_pow")
    exponents = [1, 2, 63, 64, 65, 2**256 - 1, 2**255, 2**6 * 5, 2**257 + 3]
    exponents += [r.getrandbits(256) for _ in range(50)]
    for e in exponents:
        assert int(srp._g_pow(e)) == pow(srp.G, e, srp.N)
