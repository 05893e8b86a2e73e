"""Loopback stand-ins for Google, Facebook, Sign in with Apple and Login with Amazon,
written from each provider's published wire format (no network reaches the real ones
here). Each checks what the real provider checks of Poolgate's requests and answers
in the documented shape:

- Google — OpenID Connect ("OpenID Connect | Google for Developers",
  https://developers.google.com/identity/openid-connect/openid-connect): the
  discovery document (authorization_endpoint, token_endpoint, userinfo_endpoint,
  jwks_uri), the authorization request (client_id, response_type=code, scope,
  redirect_uri, state, nonce; PKCE per "OAuth 2.0 for Web Server Applications"), the
  token endpoint (code, client_id, client_secret, redirect_uri, grant_type) answering
  access_token, expires_in, id_token, scope, token_type; an RS256 id token with iss,
  azp, aud, sub, email, email_verified, name, picture, given_name, family_name, iat,
  exp, nonce; and userinfo.
- Facebook — "Manually Build a Login Flow"
  (https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow):
  the dialog at /{version}/dialog/oauth (client_id, redirect_uri, state, scope), the
  exchange ``GET /{version}/oauth/access_token?client_id&redirect_uri&client_secret
  &code`` answering {access_token, token_type, expires_in}; the Graph API
  ``GET /{version}/me?fields=...&access_token`` with ``appsecret_proof`` ("Securing
  Graph API Requests", https://developers.facebook.com/docs/graph-api/securing-requests).
- Sign in with Apple — "Request an authorization to the Sign in with Apple server"
  (https://developer.apple.com/documentation/sign_in_with_apple/request_an_authorization_to_the_sign_in_with_apple_server):
  response_mode=form_post, the POST back with code, state and, on the first
  authorization only, ``user`` ({"name": {"firstName", "lastName"}, "email"});
  "Generate and validate tokens"
  (https://developer.apple.com/documentation/sign_in_with_apple/generate_and_validate_tokens):
  client_secret is an ES256 JWT (header kid; iss team id, iat, exp at most six months
  later, aud https://appleid.apple.com, sub the client id), the answer carries
  access_token, expires_in, id_token, refresh_token, token_type; "Fetch Apple's public
  key" (/auth/keys).
- Login with Amazon — "Authorization Code Grant"
  (https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html):
  /ap/oa (client_id, scope, response_type=code, redirect_uri, state, PKCE), the
  access token request ``POST /auth/o2/token`` (grant_type, code, redirect_uri,
  client_id, client_secret, code_verifier) answering access_token, refresh_token,
  token_type=bearer, expires_in; "Obtain Customer Profile Information"
  (https://developer.amazon.com/docs/login-with-amazon/obtain-customer-profile.html):
  ``GET /user/profile`` with the bearer token answering user_id, name, email,
  postal_code.

The authorization pages sign the configured person in at once (the user is already
signed in at the provider and has consented); Apple's answers with the form_post page
whose button the browser clicks. ``faults`` makes a provider misbehave for the error
tests (a tampered or wrongly addressed id token, a wrong nonce).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.conftest import free_port

APPLE_TEAM = "TEAM123456"
APPLE_KEY_ID = "KEY1234567"


@dataclass
class Person:
    """Who is signed in at the stand-ins (each provider shows its own view of them)."""

    id: str = "1000001"
    email: str = "traveller@example.com"
    given_name: str = "Tess"
    family_name: str = "Traveller"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass
class Grant:
    provider: str
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    person: Person


@dataclass
class Standins:
    port: int = field(default_factory=free_port)
    person: Person = field(default_factory=Person)
    clients: dict[str, str] = field(default_factory=dict)  # client_id -> secret
    # "tamper", "nonce", "audience": the next id token is spoiled that way.
    faults: set[str] = field(default_factory=set)
    apple_first_time: bool = True
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, tuple[str, Person]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.apple_key = ec.generate_private_key(ec.SECP256R1())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def apple_private_pem(self) -> str:
        return self.apple_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    # Shared machinery

    def _code(self, provider: str, params: dict[str, str]) -> str:
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(
            provider,
            params["client_id"],
            params["redirect_uri"],
            params.get("nonce"),
            params.get("code_challenge"),
            Person(**vars(self.person)),
        )
        return code

    def _take(self, provider: str, form: dict[str, str]) -> Grant | Response:
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant.provider != provider:
            return JSONResponse({"error": "invalid_grant"}, 400)
        if grant.redirect_uri != form.get("redirect_uri") or grant.client_id != form.get(
            "client_id"
        ):
            return JSONResponse({"error": "invalid_grant"}, 400)
        if grant.challenge is not None:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).decode().rstrip("=") != grant.challenge:
                return JSONResponse({"error": "invalid_grant", "error_description": "pkce"}, 400)
        return grant

    def _access_token(self, person: Person, provider: str) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (provider, Person(**vars(person)))
        return token

    def _id_token(self, issuer: str, grant: Grant, claims: dict[str, Any]) -> str:
        now = int(time.time())
        payload = {
            "iss": issuer,
            "aud": "someone-else" if "audience" in self.faults else grant.client_id,
            "sub": grant.person.id,
            "iat": now,
            "exp": now + 3600,
            **claims,
        }
        if grant.nonce is not None:
            payload["nonce"] = "not-the-nonce" if "nonce" in self.faults else grant.nonce
        token = jwt.encode(payload, self.rsa, algorithm="RS256", headers={"kid": "standin-1"})
        if "tamper" in self.faults:
            head, body, signature = token.split(".")
            changed = base64.urlsafe_b64encode(
                jwt.utils.base64url_decode(body).replace(b'"sub":"', b'"sub":"x')
            )
            token = f"{head}.{changed.decode().rstrip('=')}.{signature}"
        return token

    def _jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": "standin-1", "use": "sig", "alg": "RS256"}]}

    def _bearer(self, request: Request, provider: str) -> Person | None:
        header = request.headers.get("authorization", "")
        found = self.tokens.get(header.removeprefix("Bearer ").strip())
        return found[1] if found and found[0] == provider else None

    def _check_client(self, form: dict[str, str]) -> bool:
        return self.clients.get(form.get("client_id", "")) == form.get("client_secret")

    # Google

    async def google_discovery(self, request: Request) -> Response:
        base = f"{self.url}/google"
        return JSONResponse(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/o/oauth2/v2/auth",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/v1/userinfo",
                "jwks_uri": f"{base}/oauth2/v3/certs",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["plain", "S256"],
            }
        )

    async def google_authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(("google-authorize", params))
        if "deny" in self.faults:
            # RFC 6749 4.1.2.1, as Google answers when the user cancels consent.
            query = urlencode(
                {
                    "error": "access_denied",
                    "error_description": "The user denied access.",
                    "state": params["state"],
                }
            )
            return RedirectResponse(f"{params['redirect_uri']}?{query}", 302)
        code = self._code("google", params)
        query = urlencode({"code": code, "state": params["state"], "scope": params["scope"]})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", 302)

    async def google_token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not self._check_client(form):
            return JSONResponse({"error": "invalid_client"}, 401)
        grant = self._take("google", form)
        if isinstance(grant, Response):
            return grant
        person = grant.person
        id_token = self._id_token(
            f"{self.url}/google",
            grant,
            {"azp": grant.client_id, "email": person.email, "email_verified": True},
        )
        return JSONResponse(
            {
                "access_token": self._access_token(person, "google"),
                "expires_in": 3599,
                "id_token": id_token,
                "scope": "openid https://www.googleapis.com/auth/userinfo.email",
                "token_type": "Bearer",
            }
        )

    async def google_userinfo(self, request: Request) -> Response:
        person = self._bearer(request, "google")
        if person is None:
            return JSONResponse({"error": "invalid_token"}, 401)
        return JSONResponse(
            {
                "sub": person.id,
                "name": person.name,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "picture": f"https://lh3.googleusercontent.com/a/{person.id}",
                "email": person.email,
                "email_verified": True,
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self._jwks())

    # Facebook

    async def facebook_dialog(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(("facebook-dialog", params))
        code = self._code("facebook", params)
        query = urlencode({"code": code, "state": params["state"]})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", 302)

    async def facebook_token(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method != "GET" or not self._check_client(params):
            return JSONResponse({"error": {"message": "Invalid client", "code": 1}}, 400)
        grant = self._take("facebook", params)
        if isinstance(grant, Response):
            return JSONResponse({"error": {"message": "Invalid code", "code": 100}}, 400)
        token = self._access_token(grant.person, "facebook")
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 5183944})

    async def facebook_me(self, request: Request) -> Response:
        params = dict(request.query_params)
        found = self.tokens.get(params.get("access_token", ""))
        if found is None or found[0] != "facebook":
            return JSONResponse(
                {"error": {"message": "Invalid OAuth access token.", "code": 190}}, 400
            )
        secret = next(iter(self.clients.values()))
        proof = hmac.new(secret.encode(), params["access_token"].encode(), hashlib.sha256)
        if params.get("appsecret_proof") != proof.hexdigest():
            return JSONResponse({"error": {"message": "Invalid appsecret_proof", "code": 100}}, 400)
        person = found[1]
        every = {
            "id": person.id,
            "name": person.name,
            "first_name": person.given_name,
            "last_name": person.family_name,
            "email": person.email,
        }
        fields = params.get("fields", "id").split(",")
        return JSONResponse({k: v for k, v in every.items() if k in fields})

    # Sign in with Apple

    async def apple_authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(("apple-authorize", params))
        if params.get("response_mode") != "form_post":
            return JSONResponse({"error": "invalid_request"}, 400)
        code = self._code("apple", params)
        fields = {"state": params["state"], "code": code}
        if self.apple_first_time:
            person = self.person
            fields["user"] = json.dumps(
                {
                    "name": {"firstName": person.given_name, "lastName": person.family_name},
                    "email": person.email,
                }
            )
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        page = (
            "<!doctype html><html lang=en><title>Apple ID</title><body>"
            f'<form method="post" action="{html.escape(params["redirect_uri"])}">{inputs}'
            '<button type="submit">Continue with Apple</button></form></body></html>'
        )
        return HTMLResponse(page)

    async def apple_token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        public = self.apple_key.public_key()
        try:
            header = jwt.get_unverified_header(form.get("client_secret", ""))
            claims = jwt.decode(
                form.get("client_secret", ""),
                public,
                algorithms=["ES256"],
                audience=f"{self.url}/apple",
                issuer=APPLE_TEAM,
                options={"require": ["iss", "iat", "exp", "aud", "sub"]},
            )
        except jwt.PyJWTError:
            return JSONResponse({"error": "invalid_client"}, 400)
        if header.get("kid") != APPLE_KEY_ID or claims["sub"] != form.get("client_id"):
            return JSONResponse({"error": "invalid_client"}, 400)
        if claims["exp"] - claims["iat"] > 15777000:
            return JSONResponse({"error": "invalid_client"}, 400)
        grant = self._take("apple", form)
        if isinstance(grant, Response):
            return grant
        id_token = self._id_token(
            f"{self.url}/apple",
            grant,
            {"email": grant.person.email, "email_verified": "true", "is_private_email": "false"},
        )
        return JSONResponse(
            {
                "access_token": self._access_token(grant.person, "apple"),
                "expires_in": 3600,
                "id_token": id_token,
                "refresh_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
            }
        )

    async def apple_discovery(self, request: Request) -> Response:
        # Apple publishes one too: https://appleid.apple.com/.well-known/openid-configuration
        base = f"{self.url}/apple"
        return JSONResponse(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/auth/authorize",
                "token_endpoint": f"{base}/auth/token",
                "jwks_uri": f"{base}/auth/keys",
                "response_types_supported": ["code"],
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "name"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }
        )

    # Login with Amazon

    async def amazon_authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(("amazon-authorize", params))
        code = self._code("amazon", params)
        query = urlencode({"code": code, "scope": params["scope"], "state": params["state"]})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", 302)

    async def amazon_token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not self._check_client(form):
            return JSONResponse({"error": "invalid_client"}, 401)
        grant = self._take("amazon", form)
        if isinstance(grant, Response):
            return grant
        return JSONResponse(
            {
                "access_token": "Atza|" + self._access_token(grant.person, "amazon"),
                "refresh_token": "Atzr|" + secrets.token_urlsafe(16),
                "token_type": "bearer",
                "expires_in": 3600,
            }
        )

    async def amazon_profile(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        found = self.tokens.get(header.removeprefix("Bearer Atza|").strip())
        if found is None or found[0] != "amazon":
            return JSONResponse({"error": "invalid_token"}, 401)
        person = found[1]
        return JSONResponse(
            {
                "user_id": f"amzn1.account.{person.id}",
                "name": person.name,
                "email": person.email,
                "postal_code": "98101",
            }
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/google/.well-known/openid-configuration", self.google_discovery),
                Route("/google/o/oauth2/v2/auth", self.google_authorize),
                Route("/google/token", self.google_token, methods=["POST"]),
                Route("/google/v1/userinfo", self.google_userinfo),
                Route("/google/oauth2/v3/certs", self.jwks),
                Route("/facebook/v17.0/dialog/oauth", self.facebook_dialog),
                Route("/facebook/v17.0/oauth/access_token", self.facebook_token),
                Route("/facebook/v17.0/me", self.facebook_me),
                Route("/apple/.well-known/openid-configuration", self.apple_discovery),
                Route("/apple/auth/authorize", self.apple_authorize),
                Route("/apple/auth/token", self.apple_token, methods=["POST"]),
                Route("/apple/auth/keys", self.jwks),
                Route("/amazon/ap/oa", self.amazon_authorize),
                Route("/amazon/auth/o2/token", self.amazon_token, methods=["POST"]),
                Route("/amazon/user/profile", self.amazon_profile),
            ]
        )

    def details(self, provider_type: str) -> dict[str, str]:
        """The ProviderDetails URL overrides that point a provider here."""
        base = self.url
        return {
            "Google": {"oidc_issuer": f"{base}/google"},
            "Facebook": {
                "authorize_url": f"{base}/facebook/v17.0/dialog/oauth",
                "token_url": f"{base}/facebook/v17.0/oauth/access_token",
                "attributes_url": f"{base}/facebook/v17.0/me?fields=",
            },
            "SignInWithApple": {"oidc_issuer": f"{base}/apple"},
            "LoginWithAmazon": {
                "authorize_url": f"{base}/amazon/ap/oa",
                "token_url": f"{base}/amazon/auth/o2/token",
                "attributes_url": f"{base}/amazon/user/profile",
            },
        }[provider_type]


class ThreadedServer:
    """An ASGI app served by uvicorn on a thread, on loopback."""

    def __init__(self, app: Any, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("stand-in server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
