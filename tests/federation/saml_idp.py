"""A SAML 2.0 identity provider built with pysaml2 (its ``Server``) and Debian's
xmlsec1, signing real assertions for Poolgate's tests: SP-initiated (an AuthnRequest
by the HTTP-Redirect binding, the response by HTTP-POST) and IdP-initiated
(unsolicited). It trusts Poolgate's SP metadata (``/saml2/metadata``), from which it
learns the assertion consumer and the certificate that checks signed requests and
encrypts assertions. ``faults`` spoils the next response for the error tests."""

from __future__ import annotations

import base64
import datetime
import html
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import AUTHN_PASSWORD_PROTECTED, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.conftest import free_port

EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
GROUPS = "http://schemas.xmlsoap.org/claims/Group"


def key_pair(directory: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


@dataclass
class SamlIdp:
    directory: Path
    sp_metadata: str
    port: int = field(default_factory=free_port)
    user: str = "staff-042"
    email: str = "pat@travelguide.example"
    given_name: str = "Pat"
    # "unsigned", "wrong-key", "audience", "expired"
    faults: set[str] = field(default_factory=set)
    signed_requests: list[bool] = field(default_factory=list)
    # Encrypt assertions for the SP (with the encryption key of its metadata).
    encrypt: bool = False
    # (NameID, SessionIndexes) of each LogoutRequest received.
    logouts: list[tuple[str, list[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.keys = key_pair(self.directory, "idp")
        self.other_keys = key_pair(self.directory, "impostor")
        self.server = self._server(self.keys)
        self.impostor = self._server(self.other_keys)
        # Its assertions were valid until ten minutes ago.
        self.stale = self._server(self.keys, lifetime={"minutes": -10})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def entity_id(self) -> str:
        return f"{self.url}/metadata"

    def _config(self, keys: tuple[str, str], lifetime: dict[str, int]) -> dict[str, Any]:
        return {
            "entityid": self.entity_id,
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": keys[0],
            "cert_file": keys[1],
            "metadata": {"inline": [self.sp_metadata]},
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{self.url}/sso/redirect", BINDING_HTTP_REDIRECT)
                        ],
                        "single_logout_service": [
                            (f"{self.url}/slo/redirect", BINDING_HTTP_REDIRECT)
                        ],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {"default": {"lifetime": lifetime}},
                }
            },
        }

    def _server(self, keys: tuple[str, str], lifetime: dict[str, int] | None = None) -> Server:
        config = IdPConfig()
        config.load(self._config(keys, lifetime or {"minutes": 15}))
        return Server(config=config)

    def metadata(self) -> str:
        document = create_metadata_string(None, config=self.server.config, valid=None)
        return document.decode() if isinstance(document, bytes) else str(document)

    def _response(self, sp_entity_id: str, acs: str, in_response_to: str | None) -> str:
        server = self.server
        if "wrong-key" in self.faults:
            server = self.impostor
        elif "expired" in self.faults:
            server = self.stale
        audience = sp_entity_id
        if "audience" in self.faults:
            audience = "urn:amazon:cognito:sp:us-east-1_Elsewhere"
        signed = "unsigned" not in self.faults
        response = server.create_authn_response(
            identity={EMAIL: [self.email], GIVEN: [self.given_name], GROUPS: ["staff", "guides"]},
            in_response_to=in_response_to,
            destination=acs,
            sp_entity_id=audience,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=self.user),
            sign_assertion=signed,
            sign_response=False,
            authn={"class_ref": AUTHN_PASSWORD_PROTECTED, "authn_auth": self.entity_id},
            encrypt_assertion=self.encrypt,
            encrypt_cert_assertion=_sp_certificate_pem(self.sp_metadata) if self.encrypt else None,
        )
        if self.encrypt:
            assert "EncryptedAssertion" in str(response)
        return base64.b64encode(str(response).encode()).decode()

    def _post_page(self, acs: str, saml_response: str, relay_state: str) -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><html lang=en><title>TravelGuide IdP</title><body>"
            f'<form method="post" action="{html.escape(acs)}">'
            f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
            '<button type="submit">Continue to the application</button></form></body></html>'
        )

    async def sso(self, request: Request) -> Response:
        query = request.url.query
        params = request.query_params
        self.signed_requests.append(self._redirect_signature_ok(query))
        parsed = self.server.parse_authn_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
        message = parsed.message
        acs = message.assertion_consumer_service_url
        saml_response = self._response(message.issuer.text, acs, message.id)
        return self._post_page(acs, saml_response, params.get("RelayState", ""))

    def _redirect_signature_ok(self, raw_query: str) -> bool:
        """SAML Bindings 3.4.4.1: the signature covers SAMLRequest, RelayState and SigAlg
        as they appear, URL-encoded, in the query; it must verify with the certificate
        of Poolgate's SP metadata."""
        parts = dict(p.split("=", 1) for p in raw_query.split("&"))
        if "Signature" not in parts:
            return False
        names = ("SAMLRequest", "RelayState", "SigAlg")
        signed = "&".join(f"{k}={parts[k]}" for k in names if k in parts)
        certificate = _sp_certificate(self.sp_metadata)
        try:
            certificate.public_key().verify(  # type: ignore[union-attr, call-arg]
                base64.b64decode(unquote(parts["Signature"])),
                signed.encode(),
                padding.PKCS1v15(),  # type: ignore[arg-type]
                hashes.SHA256(),  # type: ignore[arg-type]
            )
        except Exception:
            return False
        return True

    async def slo(self, request: Request) -> Response:
        """SAML Profiles 4.4: the SP's LogoutRequest (HTTP-Redirect), answered with a
        LogoutResponse back to the SP's SingleLogoutService, RelayState kept."""
        params = request.query_params
        parsed = self.server.parse_logout_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
        message = parsed.message
        self.logouts.append(
            (message.name_id.text, [index.text for index in message.session_index or []])
        )
        response = self.server.create_logout_response(message, [BINDING_HTTP_REDIRECT])
        destination = response.destination
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(response), destination, params.get("RelayState", ""),
            response=True,
        )  # fmt: skip
        return RedirectResponse(dict(info["headers"])["Location"], 302)

    def unsolicited(self, sp_entity_id: str, acs: str, relay_state: str) -> HTMLResponse:
        return self._post_page(acs, self._response(sp_entity_id, acs, None), relay_state)

    def app(self, sp_entity_id: str, acs: str) -> Starlette:
        async def idp_initiated(request: Request) -> Response:
            return self.unsolicited(sp_entity_id, acs, request.query_params.get("relay", ""))

        async def metadata(request: Request) -> Response:
            return Response(self.metadata(), media_type="application/samlmetadata+xml")

        return Starlette(
            routes=[
                Route("/sso/redirect", self.sso),
                Route("/slo/redirect", self.slo),
                Route("/idp-init", idp_initiated),
                Route("/metadata", metadata),
            ]
        )


def _sp_certificate(metadata: str) -> x509.Certificate:
    start = metadata.index("X509Certificate>") + len("X509Certificate>")
    body = metadata[start : metadata.index("<", start)]
    return x509.load_der_x509_certificate(base64.b64decode(body))


def _sp_certificate_pem(metadata: str) -> str:
    return _sp_certificate(metadata).public_bytes(serialization.Encoding.PEM).decode()


def relay_for(params: dict[str, str]) -> str:
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
