"""Remembered devices and passkeys (WebAuthn credentials) in SQL."""

from __future__ import annotations

import orjson
import sqlalchemy as sa

from poolgate.store.records import Device, WebAuthnCredential
from poolgate.store.schema import devices, refresh_tokens, webauthn_credentials
from poolgate.store.sql_base import SqlBase, dumps


def _device(row: sa.Row[tuple[object, ...]]) -> Device:
    m = row._mapping
    return Device(
        pool_id=m["pool_id"], sub=m["sub"], device_key=m["device_key"],
        group_key=m["group_key"], created=m["created"], modified=m["modified"],
        attributes=orjson.loads(m["attributes"]), verifier_sealed=m["verifier_sealed"],
        last_authenticated=m["last_authenticated"],
    )  # fmt: skip


def _credential(row: sa.Row[tuple[object, ...]]) -> WebAuthnCredential:
    m = row._mapping
    return WebAuthnCredential(
        pool_id=m["pool_id"], sub=m["sub"], credential_id=m["credential_id"],
        public_key=m["public_key"], sign_count=m["sign_count"],
        relying_party_id=m["relying_party_id"], created=m["created"],
        friendly_name=m["friendly_name"],
        authenticator_attachment=m["authenticator_attachment"],
        transports=orjson.loads(m["transports"]),
    )  # fmt: skip


class DevicesSql(SqlBase):
    # Devices

    async def put_device(self, device: Device) -> None:
        values = {
            "pool_id": device.pool_id, "sub": device.sub, "group_key": device.group_key,
            "attributes": dumps(device.attributes), "verifier_sealed": device.verifier_sealed,
            "created": device.created, "modified": device.modified,
            "last_authenticated": device.last_authenticated,
        }  # fmt: skip
        async with self._write() as conn:
            updated = await conn.execute(
                devices.update().where(devices.c.device_key == device.device_key).values(values)
            )
            if updated.rowcount == 0:
                await conn.execute(devices.insert().values(device_key=device.device_key, **values))

    async def get_device(self, pool_id: str, sub: str, device_key: str) -> Device | None:
        query = sa.select(devices).where(
            devices.c.device_key == device_key, devices.c.pool_id == pool_id, devices.c.sub == sub
        )
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return _device(row) if row is not None else None

    async def list_devices(
        self, pool_id: str, sub: str, limit: int, after: str | None
    ) -> list[Device]:
        query = (
            sa.select(devices)
            .where(devices.c.pool_id == pool_id, devices.c.sub == sub)
            .order_by(devices.c.device_key)
            .limit(limit)
        )
        if after is not None:
            query = query.where(devices.c.device_key > after)
        async with self._read() as conn:
            return [_device(row) for row in (await conn.execute(query)).all()]

    async def delete_device(self, pool_id: str, sub: str, device_key: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                devices.delete().where(
                    devices.c.device_key == device_key,
                    devices.c.pool_id == pool_id,
                    devices.c.sub == sub,
                )
            )
            return result.rowcount > 0

    async def revoke_device_tokens(
        self, pool_id: str, sub: str, device_key: str, when: float
    ) -> int:
        async with self._write() as conn:
            result = await conn.execute(
                refresh_tokens.update()
                .where(
                    refresh_tokens.c.pool_id == pool_id,
                    refresh_tokens.c.sub == sub,
                    refresh_tokens.c.device_key == device_key,
                    refresh_tokens.c.revoked.is_(None),
                )
                .values(revoked=when)
            )
            return int(result.rowcount)

    # Passkeys

    async def add_webauthn_credential(self, credential: WebAuthnCredential) -> None:
        async with self._write() as conn:
            await conn.execute(
                webauthn_credentials.insert().values(
                    pool_id=credential.pool_id,
                    sub=credential.sub,
                    credential_id=credential.credential_id,
                    public_key=credential.public_key,
                    sign_count=credential.sign_count,
                    relying_party_id=credential.relying_party_id,
                    friendly_name=credential.friendly_name,
                    authenticator_attachment=credential.authenticator_attachment,
                    transports=dumps(credential.transports),
                    created=credential.created,
                )
            )

    async def list_webauthn_credentials(self, pool_id: str, sub: str) -> list[WebAuthnCredential]:
        query = (
            sa.select(webauthn_credentials)
            .where(webauthn_credentials.c.pool_id == pool_id, webauthn_credentials.c.sub == sub)
            .order_by(webauthn_credentials.c.created, webauthn_credentials.c.credential_id)
        )
        async with self._read() as conn:
            return [_credential(row) for row in (await conn.execute(query)).all()]

    async def get_webauthn_credential(
        self, pool_id: str, credential_id: str
    ) -> WebAuthnCredential | None:
        query = sa.select(webauthn_credentials).where(
            webauthn_credentials.c.pool_id == pool_id,
            webauthn_credentials.c.credential_id == credential_id,
        )
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return _credential(row) if row is not None else None

    async def advance_webauthn_sign_count(
        self, pool_id: str, credential_id: str, seen: int, new: int
    ) -> bool:
        """Move the signature counter from ``seen`` to ``new``; False when another
        sign-in moved it first (the conditional update decides)."""
        async with self._write() as conn:
            result = await conn.execute(
                webauthn_credentials.update()
                .where(
                    webauthn_credentials.c.pool_id == pool_id,
                    webauthn_credentials.c.credential_id == credential_id,
                    webauthn_credentials.c.sign_count == seen,
                )
                .values(sign_count=new)
            )
            return result.rowcount == 1

    async def delete_webauthn_credential(self, pool_id: str, sub: str, credential_id: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                webauthn_credentials.delete().where(
                    webauthn_credentials.c.pool_id == pool_id,
                    webauthn_credentials.c.sub == sub,
                    webauthn_credentials.c.credential_id == credential_id,
                )
            )
            return result.rowcount > 0
