"""The pool's SAML key pair: RSA-2048 with a self-signed certificate valid for ten
years (API reference, GetSigningCertificate: "Issued certificates are valid for 10
years"). It signs AuthnRequests (RequestSigningAlgorithm) and decrypts encrypted
assertions (EncryptedResponses); the private key is sealed with the master key.
Created on first use; two nodes racing keep the first (``Store.add_saml_key``)."""

from __future__ import annotations

import asyncio
import base64
import datetime
import textwrap

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from poolgate.core.context import Context
from poolgate.core.records import SamlKey

VALIDITY_DAYS = 3650


def _purpose(pool_id: str) -> str:
    return f"saml-key:{pool_id}"


def _generate(pool_id: str, now: float) -> tuple[str, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, pool_id)])
    start = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - datetime.timedelta(minutes=5))
        .not_valid_after(start + datetime.timedelta(days=VALIDITY_DAYS))
        .sign(key, hashes.SHA256())
    )
    # Kept as base64 DER (GetSigningCertificate's form): nothing PEM-armoured is
    # stored, so a "-----BEGIN" in the database is always a leak worth a test.
    body = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return body, private


async def pool_key(ctx: Context, pool_id: str) -> SamlKey:
    found = await ctx.store.get_saml_key(pool_id)
    if found is not None:
        return found
    now = ctx.clock()
    body, private = await asyncio.to_thread(_generate, pool_id, now)
    sealed = ctx.sealer.seal(private, _purpose(pool_id))
    return await ctx.store.add_saml_key(SamlKey(pool_id, body, sealed, now))


def private_pem(ctx: Context, key: SamlKey) -> bytes:
    return ctx.sealer.open(key.private_sealed, _purpose(key.pool_id))


def certificate_body(key: SamlKey) -> str:
    """The certificate as GetSigningCertificate returns it: base64 DER, no PEM armour."""
    return key.certificate


def certificate_pem(key: SamlKey) -> str:
    lines = textwrap.wrap(key.certificate, 64)
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


async def get_signing_certificate(ctx: Context, pool_id: str) -> str:
    from poolgate.core.pools.pools import require_pool

    await require_pool(ctx, pool_id)
    return certificate_body(await pool_key(ctx, pool_id))
