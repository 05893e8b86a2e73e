"""SAML 2.0 towards an identity provider, with pysaml2 and Debian's ``xmlsec1``
(Cognito developer guide, "SAML identity providers"; SAML 2.0 Core, Bindings
sections 3.4 HTTP-Redirect and 3.5 HTTP-POST, Profiles 4.1 Web Browser SSO).

Poolgate is the service provider ``urn:amazon:cognito:sp:{poolId}`` with its
assertion consumer at ``{public_url}/saml2/idpresponse``. AuthnRequests go out by the
HTTP-Redirect binding, signed with the pool's key when RequestSigningAlgorithm is
set; the response comes back by HTTP-POST. The response or its assertion must be
signed by a certificate of the IdP's metadata, name this pool as its audience, be
within its validity window, and (SP-initiated) answer our request; IdP-initiated
responses are accepted only with ``IDPInit``. Encrypted assertions are decrypted with
the pool's key. pysaml2 is synchronous and calls ``xmlsec1``: it runs in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from poolgate.core.context import Context
from poolgate.core.federation import saml_keys, saml_metadata
from poolgate.core.federation.http import UpstreamError
from poolgate.core.federation.oidc import http
from poolgate.core.federation.state import FederationState
from poolgate.core.federation.users import ProviderIdentity
from poolgate.core.oauth.errors import InvalidRequest
from poolgate.core.records import IdentityProvider, SamlKey

log = logging.getLogger("poolgate.federation")

_METADATA_SECONDS = 300
_metadata_cache: dict[str, tuple[float, str]] = {}
_key_dir: Path | None = None


def entity_id(pool_id: str) -> str:
    return f"urn:amazon:cognito:sp:{pool_id}"


def acs_url(ctx: Context) -> str:
    return f"{ctx.public_url}/saml2/idpresponse"


def _xmlsec() -> str:
    found = shutil.which("xmlsec1")
    if found is None:
        raise InvalidRequest("SAML sign-in needs xmlsec1, which is not installed on the server.")
    return found


def _key_files(ctx: Context, key: SamlKey) -> tuple[str, str]:
    """pysaml2 (and xmlsec1) read keys from files: the pool's key pair in a directory
    only this process's user can read, written once per process."""
    global _key_dir
    if _key_dir is None:
        _key_dir = Path(tempfile.mkdtemp(prefix="poolgate-saml-"))
    stem = hashlib.sha256(key.certificate.encode()).hexdigest()[:16]
    key_path, cert_path = _key_dir / f"{stem}.key", _key_dir / f"{stem}.crt"
    if not key_path.exists():
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(saml_keys.private_pem(ctx, key))
        cert_path.write_text(saml_keys.certificate_pem(key))
    return str(key_path), str(cert_path)


async def metadata_of(ctx: Context, provider: IdentityProvider) -> str:
    if provider.details.get("MetadataFile"):
        return str(provider.details["MetadataFile"])
    url = provider.details["MetadataURL"]
    now = ctx.clock()
    cached = _metadata_cache.get(url)
    if cached is not None and cached[0] > now:
        return str(cached[1])
    try:
        answer = await http(ctx).fetch("GET", url)
    except UpstreamError as exc:
        raise InvalidRequest("The SAML identity provider's metadata could not be read.") from exc
    if answer.status != 200:
        raise InvalidRequest(f"The SAML metadata URL answered {answer.status}.")
    text = answer.body.decode("utf-8", "replace")
    _metadata_cache[url] = (now + _METADATA_SECONDS, text)
    return text


def client_for(
    ctx: Context,
    pool_id: str,
    key: SamlKey,
    provider: IdentityProvider | None,
    metadata: str | None,
) -> Any:
    """pysaml2's service provider for the pool, trusting ``metadata``."""
    return _client(ctx, pool_id, key, provider, metadata)


def _client(
    ctx: Context,
    pool_id: str,
    key: SamlKey,
    provider: IdentityProvider | None,
    metadata: str | None,
) -> Any:
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    key_file, cert_file = _key_files(ctx, key)
    details = provider.details if provider is not None else {}
    config: dict[str, Any] = {
        "entityid": entity_id(pool_id),
        "xmlsec_binary": _xmlsec(),
        "key_file": key_file,
        "cert_file": cert_file,
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        "accepted_time_diff": 60,
        "service": {
            "sp": {
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(ctx), BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (f"{ctx.public_url}/saml2/logout", BINDING_HTTP_REDIRECT)
                    ],
                },
                "allow_unsolicited": details.get("IDPInit") == "true",
                "authn_requests_signed": bool(details.get("RequestSigningAlgorithm")),
                "want_assertions_signed": False,
                "want_response_signed": False,
                # Cognito: "the SAML response or its assertion must be signed".
                "want_assertions_or_response_signed": True,
            }
        },
    }
    if metadata is not None:
        config["metadata"] = {"inline": [metadata]}
    sp_config = SPConfig()
    sp_config.load(config)
    return Saml2Client(config=sp_config)


async def authorization_url(
    ctx: Context, provider: IdentityProvider, state: FederationState, sealed: str
) -> str:
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.xmldsig import SIG_RSA_SHA256

    metadata = await metadata_of(ctx, provider)
    parsed = saml_metadata.parse(metadata)
    if parsed.sso_redirect is None:
        raise InvalidRequest("The SAML identity provider has no HTTP-Redirect sign-on endpoint.")
    key = await saml_keys.pool_key(ctx, provider.pool_id)
    signed = bool(provider.details.get("RequestSigningAlgorithm"))

    def prepare() -> str:
        client = _client(ctx, provider.pool_id, key, provider, metadata)
        _, info = client.prepare_for_authenticate(
            entityid=parsed.entity_id,
            relay_state=sealed,
            binding=BINDING_HTTP_REDIRECT,
            sign=signed,
            sigalg=SIG_RSA_SHA256 if signed else None,
            message_id=state.request_id,
        )
        return str(dict(info["headers"])["Location"])

    return await asyncio.to_thread(prepare)


def _attributes(response: Any) -> dict[str, Any]:
    """The assertion's attributes by their Name, as AttributeMapping names them."""
    claims: dict[str, Any] = {}
    for statement in response.assertion.attribute_statement or []:
        for attribute in statement.attribute:
            values = [v.text for v in attribute.attribute_value if v.text is not None]
            if values:
                claims[attribute.name] = values[0] if len(values) == 1 else values
    return claims


async def identity(
    ctx: Context, provider: IdentityProvider, saml_response: str, request_id: str | None
) -> ProviderIdentity:
    """The signed-in user of a POSTed SAMLResponse; ``request_id``: the AuthnRequest
    it must answer (None: IdP-initiated)."""
    from saml2 import BINDING_HTTP_POST

    metadata = await metadata_of(ctx, provider)
    key = await saml_keys.pool_key(ctx, provider.pool_id)

    def parse() -> Any:
        client = _client(ctx, provider.pool_id, key, provider, metadata)
        outstanding = {request_id: acs_url(ctx)} if request_id else {}
        return client.parse_authn_request_response(saml_response, BINDING_HTTP_POST, outstanding)

    try:
        response = await asyncio.to_thread(parse)
    except Exception as exc:  # pysaml2 raises many unrelated types for bad input
        log.info("SAML response from %s refused: %r", provider.name, exc)
        raise InvalidRequest(f"Invalid SAML response received: {_reason(exc)}") from None
    if response is None or response.assertion is None:
        raise InvalidRequest("Invalid SAML response received: no assertion.")
    if request_id is None and response.in_response_to:
        raise InvalidRequest("Invalid SAML response received: it answers another request.")
    name_id = response.name_id.text if response.name_id is not None else None
    if not name_id:
        raise InvalidRequest("Invalid SAML response received: no NameID.")
    issuer = response.issuer()
    session = {"name_id": str(name_id)}
    if response.name_id.format:
        session["format"] = str(response.name_id.format)
    for statement in response.assertion.authn_statement or []:
        if statement.session_index:
            session["session_index"] = str(statement.session_index)
    return ProviderIdentity(
        str(name_id), _attributes(response), str(issuer) if issuer else None, session
    )


def _reason(exc: Exception) -> str:
    name = type(exc).__name__
    text = str(exc)
    if "AudienceRestrictions" in text:
        return "the audience is not this user pool."
    lowered = text.lower()
    if name == "ResponseLifetimeExceed" or "lifetime" in lowered or "expired" in lowered:
        return "the assertion has expired."
    if name == "VerificationError" and "condition" in lowered:
        # pysaml2's answer to Conditions outside NotBefore..NotOnOrAfter.
        return "the assertion has expired or is not yet valid."
    if name in ("SignatureError", "IncorrectlySigned", "MissingKey") or "sign" in text.lower():
        return "the signature is missing or does not verify."
    if name == "UnsolicitedResponse":
        return "unsolicited responses (IdP-initiated sign-in) are not enabled."
    return name


async def sp_metadata(ctx: Context, pool_id: str) -> str:
    """The service provider's metadata: entity id, assertion consumer, logout and the
    pool's certificate (for signing and encryption)."""
    from saml2.metadata import create_metadata_string

    key = await saml_keys.pool_key(ctx, pool_id)

    def build() -> str:
        client = _client(ctx, pool_id, key, None, None)
        document = create_metadata_string(None, config=client.config, valid=None)
        return document.decode() if isinstance(document, bytes) else str(document)

    return await asyncio.to_thread(build)
