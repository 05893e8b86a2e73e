"""Client worker processes: each runs an asyncio loop with its share of the concurrency.

The parent hands every worker a :class:`Job` per (scenario, concurrency) level. A worker
opens a keep-alive connection pool (aiohttp), warms every connection with one untimed
operation, reports ready, waits for the common start time, then runs its tasks until the
deadline (or its share of ``--requests``) and sends back raw latency samples, its error
count with the first few error bodies, and its own CPU time over the measured window.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import multiprocessing
import os
import queue
import re
import time
import traceback
from array import array
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import aiohttp
import orjson
import pyotp
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_private_key

from bench.soft_authenticator import SoftAuthenticator
from bench.srp_client import SrpClient

SCENARIOS = (
    "health",
    "sign_up",
    "password",
    "srp",
    "refresh",
    "get_user",
    "totp",
    "triggers",
    "email_otp",
    "passkey",
    "federated",
)
# HTTP requests one operation of the scenario sends (an SRP or TOTP sign-in is two).
HTTP_PER_OP = {
    "health": 1,
    "sign_up": 1,
    "password": 1,
    "srp": 2,
    "refresh": 1,
    "get_user": 1,
    "totp": 2,
    "triggers": 1,
    # InitiateAuth, the mailbox read, RespondToAuthChallenge.
    "email_otp": 3,
    # InitiateAuth USER_AUTH, RespondToAuthChallenge WEB_AUTHN.
    "passkey": 2,
    # The downstream's authorize, the upstream's authorize, its login page and form
    # post, the downstream's idpresponse, the downstream's token endpoint.
    "federated": 6,
}
SIGN_UP_PASSWORD = "Bench!SignUp123"
# The passkey scenario's ceremonies run at this origin (its app client's callback).
PASSKEY_ORIGIN = "http://localhost:5173"
_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
MAX_ERROR_SAMPLES = 5


def _headers(operation: str) -> dict[str, str]:
    return {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
    }


_HEADERS = {
    op: _headers(op) for op in ("SignUp", "InitiateAuth", "RespondToAuthChallenge", "GetUser")
}


@dataclass
class Job:
    """One worker's part of one (scenario, concurrency) level."""

    scenario: str
    url: str
    pool_id: str
    client_id: str
    run_id: str
    level: int
    worker: int
    workers: int
    concurrency: int
    duration: float | None
    requests: int | None
    users: list[tuple[str, str]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    # totp: this worker's users for this level, each signed in once (in order).
    totp_users: list[tuple[str, str, str]] = field(default_factory=list)
    # email_otp: the same, (username, email address).
    email_users: list[tuple[str, str]] = field(default_factory=list)
    # passkey: (username, the credential's private key as DER, credential id, user
    # handle) per user; the worker rebuilds the authenticator (a key does not pickle).
    passkeys: list[tuple[str, bytes, bytes, bytes]] = field(default_factory=list)
    # federated: the downstream pool's identity provider and its app's callback (the
    # upstream pool's users are ``users``).
    provider: str = ""
    callback: str = ""


@dataclass
class WorkerResult:
    worker: int
    ok: int
    errors: int
    error_samples: list[str]
    http_requests: int
    latencies_ms: bytes  # array("d")
    started: float  # time.time()
    ended: float
    cpu_seconds: float
    warmup_errors: int


class OpError(Exception):
    """An operation that did not succeed: the server's answer, shortened."""


class Http:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self.requests = 0

    async def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        self.requests += 1
        async with self.session.post(
            self.url, data=orjson.dumps(body), headers=_HEADERS[operation]
        ) as response:
            data = await response.read()
            status = response.status
        if status != 200:
            text = data[:400].decode(errors="replace")
            raise OpError(f"{operation} HTTP {status}: {text}")
        result: dict[str, Any] = orjson.loads(data)
        return result

    async def latest_code(self, recipient: str) -> str:
        """The code of the newest message to ``recipient``, read from the developer
        mailbox over HTTP as the tests read it (``tests/conftest.latest_code``)."""
        self.requests += 1
        url = self.url.rstrip("/") + "/_mailbox/messages"
        params = {"recipient": recipient, "limit": "1"}
        async with self.session.get(url, params=params) as response:
            data = await response.read()
            status = response.status
        if status != 200:
            raise OpError(f"mailbox HTTP {status}: {data[:200]!r}")
        messages = orjson.loads(data)["messages"]
        found = re.search(r"\b(\d{6})\b", str(messages[0]["body"])) if messages else None
        if found is None:
            raise OpError(f"mailbox: no code for {recipient}")
        return found.group(1)

    async def _follow(
        self, method: str, url: str, cookies: dict[str, str], form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """One request of a browser-less redirect chain: (status, Location resolved
        against ``url``, body). ``cookies`` is the chain's own jar (the session's is a
        dummy, so iterations share nothing), updated from Set-Cookie."""
        self.requests += 1
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
        async with self.session.request(
            method, url, data=form, headers=headers, allow_redirects=False
        ) as response:
            body = await response.text()
            status = response.status
            location = response.headers.get("Location", "")
            for name, morsel in response.cookies.items():
                if morsel.value and morsel["max-age"] not in ("0", 0):
                    cookies[name] = morsel.value
                else:
                    cookies.pop(name, None)
        return status, urljoin(url, location) if location else "", body

    async def federated_sign_in(self, job: Job, username: str, password: str) -> None:
        """The hosted UI's federated sign-in as a browser does it, with PKCE: the
        downstream's authorize with ``identity_provider``, the upstream's authorize and
        hosted login (GET, then the form with its CSRF token), the upstream's redirect to
        the downstream's idpresponse, its redirect to the app's callback with a code, and
        the code exchanged at the downstream's token endpoint."""
        base = self.url.rstrip("/")
        verifier = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .decode()
            .rstrip("=")
        )
        state = base64.urlsafe_b64encode(os.urandom(9)).decode()
        params = {
            "client_id": job.client_id, "response_type": "code", "redirect_uri": job.callback,
            "scope": "openid email", "state": state, "identity_provider": job.provider,
            "code_challenge": challenge, "code_challenge_method": "S256",
        }  # fmt: skip
        cookies: dict[str, str] = {}
        authorize = f"{base}/oauth2/authorize?{urlencode(params)}"
        status, location, body = await self._follow("GET", authorize, cookies)
        # To the upstream's authorize, then to its login page (one hop or two).
        hops = 0
        while status in (302, 303) and "/login" not in urlsplit(location).path and hops < 3:
            hops += 1
            status, location, body = await self._follow("GET", location, cookies)
        if status not in (302, 303):
            raise OpError(f"federated: authorize HTTP {status}: {body[:300]}")
        login_url = location
        status, _, body = await self._follow("GET", login_url, cookies)
        found = _CSRF.search(body)
        if status != 200 or found is None:
            raise OpError(f"federated: login page HTTP {status}: {body[:300]}")
        form = {"_csrf": found.group(1), "username": username, "password": password}
        status, location, body = await self._follow("POST", login_url, cookies, form)
        # The upstream's redirect to the downstream's idpresponse, and on to the app.
        while status in (302, 303) and not location.startswith(job.callback) and hops < 6:
            hops += 1
            status, location, body = await self._follow("GET", location, cookies)
        if status not in (302, 303) or not location.startswith(job.callback + "?"):
            raise OpError(f"federated: no redirect to the callback: HTTP {status} {body[:300]}")
        got = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        if got.get("state") != state or "code" not in got:
            raise OpError(f"federated: the callback got {got}"[:300])
        self.requests += 1
        token_form = {
            "grant_type": "authorization_code", "client_id": job.client_id,
            "code": got["code"], "redirect_uri": job.callback, "code_verifier": verifier,
        }  # fmt: skip
        async with self.session.post(f"{base}/oauth2/token", data=token_form) as response:
            data = await response.read()
            status = response.status
        if status != 200 or b"id_token" not in data:
            raise OpError(f"federated: token HTTP {status}: {data[:300]!r}")

    async def health(self) -> None:
        self.requests += 1
        async with self.session.get(self.url.rstrip("/") + "/health") as response:
            await response.read()
            status = response.status
        if status != 200:
            raise OpError(f"GET /health HTTP {status}")


Operation = Callable[[int], Coroutine[Any, Any, object]]


def _pick(items: list[Any], job: Job, n: int) -> Any:
    if not items:
        raise OpError(f"{job.scenario}: nothing prepared to use")
    offset = job.worker * len(items) // max(job.workers, 1)
    return items[(offset + n) % len(items)]


def _expect(reply: dict[str, Any], key: str, operation: str) -> Any:
    if key not in reply:
        raise OpError(f"{operation}: no {key} in {orjson.dumps(reply)[:300].decode()}")
    return reply[key]


def make_operation(job: Job, http: Http) -> Operation:
    """The scenario's operation; its argument is the worker's running operation number."""
    client_id = job.client_id

    async def sign_up(n: int) -> None:
        username = f"su-{job.run_id}-{job.level}-{job.worker}-{n}"
        reply = await http.call(
            "SignUp",
            {
                "ClientId": client_id,
                "Username": username,
                "Password": SIGN_UP_PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": f"{username}@example.com"}],
            },
        )
        _expect(reply, "UserSub", "SignUp")

    async def password(n: int) -> dict[str, Any]:
        username, secret = _pick(job.users, job, n)
        reply = await http.call(
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": username, "PASSWORD": secret},
            },
        )
        result: dict[str, Any] = _expect(reply, "AuthenticationResult", "InitiateAuth")
        return result

    async def triggers(n: int) -> None:
        # The password sign-in, in a pool whose PreAuthentication and PreTokenGeneration
        # triggers run (bench.provision.TRIGGER_HANDLERS); the id token shows the latter's
        # claim, so a trigger that silently did not run is an error.
        result = await password(n)
        payload = result["IdToken"].split(".")[1]
        claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if claims.get("bench") != "triggered":
            raise OpError("triggers: the id token lacks the PreTokenGeneration claim")

    srp = SrpClient(job.pool_id)

    async def srp_sign_in(n: int) -> None:
        username, secret = _pick(job.users, job, n)
        eph = srp.start()
        challenge = await http.call(
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"USERNAME": username, "SRP_A": eph.srp_a},
            },
        )
        params = _expect(challenge, "ChallengeParameters", "InitiateAuth")
        responses = srp.respond(eph, username, secret, params)
        reply = await http.call(
            "RespondToAuthChallenge",
            {
                "ClientId": client_id,
                "ChallengeName": "PASSWORD_VERIFIER",
                "Session": challenge.get("Session"),
                "ChallengeResponses": responses,
            },
        )
        _expect(reply, "AuthenticationResult", "RespondToAuthChallenge")

    async def refresh(n: int) -> None:
        token = _pick(job.tokens, job, n)
        reply = await http.call(
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": token},
            },
        )
        _expect(reply, "AuthenticationResult", "InitiateAuth")

    async def totp(n: int) -> None:
        if n >= len(job.totp_users):
            raise OpError("totp: every user of this level has signed in (a code is single use)")
        username, secret, key = job.totp_users[n]
        challenge = await http.call(
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": username, "PASSWORD": secret},
            },
        )
        if challenge.get("ChallengeName") != "SOFTWARE_TOKEN_MFA":
            raise OpError(f"totp: no SOFTWARE_TOKEN_MFA challenge: {challenge}"[:300])
        # The next step's code: later than the step verification spent, and within the
        # one step of drift the server allows.
        code = pyotp.TOTP(key).at(time.time() + 30)
        reply = await http.call(
            "RespondToAuthChallenge",
            {
                "ClientId": client_id,
                "ChallengeName": "SOFTWARE_TOKEN_MFA",
                "Session": challenge.get("Session"),
                "ChallengeResponses": {"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
            },
        )
        _expect(reply, "AuthenticationResult", "RespondToAuthChallenge")

    async def email_otp(n: int) -> None:
        if n >= len(job.email_users):
            raise OpError("email_otp: every user of this level has signed in")
        username, address = job.email_users[n]
        challenge = await http.call(
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_AUTH",
                "AuthParameters": {"USERNAME": username, "PREFERRED_CHALLENGE": "EMAIL_OTP"},
            },
        )
        if challenge.get("ChallengeName") != "EMAIL_OTP":
            raise OpError(f"email_otp: no EMAIL_OTP challenge: {challenge}"[:300])
        code = await http.latest_code(address)
        reply = await http.call(
            "RespondToAuthChallenge",
            {
                "ClientId": client_id,
                "ChallengeName": "EMAIL_OTP",
                "Session": challenge.get("Session"),
                "ChallengeResponses": {"USERNAME": username, "EMAIL_OTP_CODE": code},
            },
        )
        _expect(reply, "AuthenticationResult", "RespondToAuthChallenge")

    authenticators = [
        (
            username,
            SoftAuthenticator(
                origin=PASSKEY_ORIGIN,
                key=cast(ec.EllipticCurvePrivateKey, load_der_private_key(key, None)),
                credential_id=credential_id,
                user_handle=handle,
                counter=False,
            ),
        )
        for username, key, credential_id, handle in job.passkeys
    ]

    async def passkey(n: int) -> None:
        username, authenticator = _pick(authenticators, job, n)
        challenge = await http.call(
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_AUTH",
                "AuthParameters": {"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"},
            },
        )
        if challenge.get("ChallengeName") != "WEB_AUTHN":
            raise OpError(f"passkey: no WEB_AUTHN challenge: {challenge}"[:300])
        parameters = challenge["ChallengeParameters"]
        options = orjson.loads(parameters["CREDENTIAL_REQUEST_OPTIONS"])
        credential = authenticator.get(options)
        reply = await http.call(
            "RespondToAuthChallenge",
            {
                "ClientId": client_id,
                "ChallengeName": "WEB_AUTHN",
                "Session": challenge.get("Session"),
                "ChallengeResponses": {
                    "USERNAME": parameters["USERNAME"],
                    "CREDENTIAL": orjson.dumps(credential).decode(),
                },
            },
        )
        _expect(reply, "AuthenticationResult", "RespondToAuthChallenge")

    async def federated(n: int) -> None:
        username, secret = _pick(job.users, job, n)
        await http.federated_sign_in(job, username, secret)

    async def get_user(n: int) -> None:
        reply = await http.call("GetUser", {"AccessToken": _pick(job.tokens, job, n)})
        _expect(reply, "Username", "GetUser")

    async def health(n: int) -> None:
        await http.health()

    operations: dict[str, Operation] = {
        "health": health,
        "sign_up": sign_up,
        "password": password,
        "srp": srp_sign_in,
        "refresh": refresh,
        "get_user": get_user,
        "totp": totp,
        "triggers": triggers,
        "email_otp": email_otp,
        "passkey": passkey,
        "federated": federated,
    }
    return operations[job.scenario]


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return text if isinstance(exc, OpError) and text else f"{type(exc).__name__}: {text}"[:400]


class _Run:
    """One job inside a worker: warm-up, then the measured window."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.counter = itertools.count()
        self.errors = 0
        self.samples: list[str] = []
        self.session: aiohttp.ClientSession | None = None
        self.http: Http | None = None
        self.operation: Operation | None = None

    async def open(self) -> int:
        connector = aiohttp.TCPConnector(
            limit=self.job.concurrency, limit_per_host=self.job.concurrency
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=120),
            # Each federated sign-in keeps its own cookies (Http._follow), like a new
            # browser; the session's jar would share them between iterations.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        self.http = Http(self.session, self.job.url)
        self.operation = make_operation(self.job, self.http)
        # One untimed operation per task opens every keep-alive connection first.
        outcomes = await asyncio.gather(
            *(self._one() for _ in range(self.job.concurrency)), return_exceptions=True
        )
        warmup_errors = sum(1 for outcome in outcomes if isinstance(outcome, BaseException))
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and len(self.samples) < MAX_ERROR_SAMPLES:
                self.samples.append("warm-up: " + _describe(outcome))
        return warmup_errors

    async def _one(self) -> None:
        assert self.operation is not None
        await self.operation(next(self.counter))

    async def measure(self, start_at: float, warmup_errors: int) -> WorkerResult:
        assert self.http is not None and self.operation is not None
        delay = start_at - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        job = self.job
        latencies = array("d")
        remaining = job.requests if job.requests is not None else -1
        ok = 0
        http_before = self.http.requests
        started = time.time()
        cpu_before = time.process_time()
        deadline = time.perf_counter() + job.duration if job.duration is not None else None

        async def task() -> None:
            nonlocal remaining, ok
            while True:
                if deadline is not None:
                    if time.perf_counter() >= deadline:
                        return
                elif remaining <= 0:
                    return
                else:
                    remaining -= 1
                t0 = time.perf_counter()
                try:
                    await self._one()
                except Exception as exc:
                    self.errors += 1
                    if len(self.samples) < MAX_ERROR_SAMPLES:
                        self.samples.append(_describe(exc))
                    continue
                latencies.append((time.perf_counter() - t0) * 1000.0)
                ok += 1

        await asyncio.gather(*(task() for _ in range(job.concurrency)))
        cpu_seconds = time.process_time() - cpu_before
        ended = time.time()
        return WorkerResult(
            worker=job.worker,
            ok=ok,
            errors=self.errors,
            error_samples=self.samples,
            http_requests=self.http.requests - http_before,
            latencies_ms=latencies.tobytes(),
            started=started,
            ended=ended,
            cpu_seconds=cpu_seconds,
            warmup_errors=warmup_errors,
        )

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def worker_main(index: int, commands: Any, results: Any) -> None:
    """A client process: runs jobs until it receives ``None``."""
    factory = _loop_factory()
    while True:
        message = commands.get()
        if message is None:
            return
        _, job = message
        try:
            with asyncio.Runner(loop_factory=factory) as runner:
                run = _Run(job)
                try:
                    warmup_errors = runner.run(run.open())
                    results.put(("ready", index, None))
                    go = commands.get()
                    if go is None:
                        return
                    result = runner.run(run.measure(go[1], warmup_errors))
                finally:
                    runner.run(run.close())
            results.put(("done", index, result))
        except Exception:
            results.put(("error", index, traceback.format_exc()))


def split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` as evenly as possible, larger shares first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


class WorkerPool:
    """``processes`` client processes (spawned once, reused for every level)."""

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.results: Any = context.Queue()
        self.commands: list[Any] = [context.Queue() for _ in range(processes)]
        self.processes = [
            context.Process(
                target=worker_main, args=(i, self.commands[i], self.results), daemon=True
            )
            for i in range(processes)
        ]
        for process in self.processes:
            process.start()

    def _collect(self, kind: str, count: int, timeout: float) -> list[Any]:
        collected: list[Any] = []
        deadline = time.monotonic() + timeout
        while len(collected) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"client workers did not report {kind!r} in {timeout:.0f} s")
            try:
                message = self.results.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                dead = [p.pid for p in self.processes if not p.is_alive()]
                if dead:
                    raise RuntimeError(f"client worker(s) {dead} died") from None
                continue
            tag, index, payload = message
            if tag == "error":
                raise RuntimeError(f"client worker {index} failed:\n{payload}")
            if tag != kind:
                raise RuntimeError(f"client worker {index} sent {tag!r}, expected {kind!r}")
            collected.append(payload)
        return collected

    def run(
        self, jobs: list[Job], on_start: Callable[[], None], timeout: float
    ) -> tuple[float, list[WorkerResult]]:
        """Run one level: warm up, start every worker at the same instant, collect.

        ``on_start`` is called at the start instant (to sample the server's CPU).
        Returns the start time (``time.time()``) and the workers' results.
        """
        for job in jobs:
            self.commands[job.worker].put(("job", job))
        self._collect("ready", len(jobs), timeout)
        start_at = time.time() + 0.05
        for job in jobs:
            self.commands[job.worker].put(("go", start_at))
        delay = start_at - time.time()
        if delay > 0:
            time.sleep(delay)
        on_start()
        results: list[WorkerResult] = self._collect("done", len(jobs), timeout)
        return start_at, results

    def close(self) -> None:
        for commands in self.commands:
            # Twice: a worker waiting for "go" and then for its next job both stop.
            commands.put(None)
            commands.put(None)
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
