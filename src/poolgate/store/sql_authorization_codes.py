"""OAuth authorization codes in SQL: stored by hash, consumed exactly once."""

from __future__ import annotations

import orjson
import sqlalchemy as sa

from poolgate.store.records import AuthorizationCode
from poolgate.store.schema import authorization_codes
from poolgate.store.sql_base import SqlBase, dumps


class AuthorizationCodesSql(SqlBase):
    async def add_authorization_code(self, code: AuthorizationCode) -> None:
        async with self._write() as conn:
            await conn.execute(
                authorization_codes.insert().values(
                    code_hash=code.code_hash,
                    pool_id=code.pool_id,
                    client_id=code.client_id,
                    sub=code.sub,
                    grant=dumps(code.grant),
                    created=code.created,
                    expires=code.expires,
                    used=code.used,
                )
            )

    async def consume_authorization_code(
        self, code_hash: str, now: float
    ) -> tuple[AuthorizationCode | None, bool]:
        """The code, and whether this call consumed it (False: it was used before).

        The conditional update is the single-use guarantee: of two racing exchanges
        exactly one sees its row change."""
        async with self._write() as conn:
            result = await conn.execute(
                authorization_codes.update()
                .where(
                    authorization_codes.c.code_hash == code_hash,
                    authorization_codes.c.used.is_(None),
                )
                .values(used=now)
            )
            row = (
                await conn.execute(
                    sa.select(authorization_codes).where(
                        authorization_codes.c.code_hash == code_hash
                    )
                )
            ).first()
            # Expired codes are of no further use; drop them as we pass.
            await conn.execute(
                authorization_codes.delete().where(authorization_codes.c.expires < now - 3600)
            )
        if row is None:
            return None, False
        code = AuthorizationCode(
            code_hash=row.code_hash,
            pool_id=row.pool_id,
            client_id=row.client_id,
            sub=row.sub,
            grant=orjson.loads(row.grant),
            created=row.created,
            expires=row.expires,
            used=row.used,
        )
        return code, result.rowcount == 1

    async def record_code_tokens(self, code_hash: str, origin_jti: str) -> None:
        """Remember which tokens a code produced, to revoke them if it is replayed."""
        async with self._write() as conn:
            row = (
                await conn.execute(
                    sa.select(authorization_codes.c.grant).where(
                        authorization_codes.c.code_hash == code_hash
                    )
                )
            ).first()
            if row is None:
                return
            grant = orjson.loads(row.grant)
            grant["origin_jti"] = origin_jti
            await conn.execute(
                authorization_codes.update()
                .where(authorization_codes.c.code_hash == code_hash)
                .values(grant=dumps(grant))
            )
