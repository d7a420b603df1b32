"""API keys: creation, lookup by hash, revocation, and the first-start admin key.

Owns how keys look (``jx_`` + 43 url-safe characters, 256 bits) and that only their
SHA-256 is stored. A plain hash (not bcrypt) is right here: the keys are random and long,
so there is nothing to brute-force, and every request must check one quickly.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from service.errors import InputError
from service.store.engine import transaction
from service.store.tables import ApiKey, Role
from service.store.types import utcnow

KEY_PREFIX = "jx_"
_TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is a hint; do not write on every request


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(
    session: Session, *, name: str, role: Role | str, key: str | None = None
) -> tuple[ApiKey, str]:
    """Store a new key (or the given one); returns the row and the key in clear, once."""
    key = key or generate_key()
    row = ApiKey(name=name, role=Role(role).value, prefix=key[:10], key_hash=hash_key(key))
    session.add(row)
    session.flush()
    return row, key


def find_active_key(session: Session, key: str) -> ApiKey | None:
    if not key or len(key) > 200:
        return None
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    return row


def touch_key(engine: Engine, row: ApiKey) -> None:
    """Record use, at most once a minute per key (a write per request would serialise
    every reader behind SQLite's single writer). Its own short transaction, so the
    caller's read snapshot is never upgraded to a write."""
    now = utcnow()
    if row.last_used_at is not None and now - row.last_used_at < _TOUCH_EVERY:
        return
    with transaction(engine) as session:
        session.exec(update(ApiKey).where(col(ApiKey.id) == row.id).values(last_used_at=now))


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(ApiKey.id)).all())


class LastAdminKeyError(InputError):
    code = "last_admin_key"
    message_zh = "这是最后一个有效的管理员密钥，不能撤销（请先创建另一个管理员密钥）。"
    message_en = "This is the last active admin key: create another admin key before revoking it."


def revoke_key(session: Session, key_id: int) -> ApiKey | None:
    """Revoke a key; the last active admin key cannot be (nobody could manage keys again)."""
    row = session.get(ApiKey, key_id, with_for_update=True)
    if row is None or row.revoked_at is not None:
        return row
    if row.role == Role.admin and _active_admins(session) <= 1:
        raise LastAdminKeyError(f"key {key_id} is the last active admin key")
    row.revoked_at = utcnow()
    session.add(row)
    return row


def _active_admins(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(ApiKey)
        .where(ApiKey.role == Role.admin.value, ApiKey.revoked_at.is_(None))  # type: ignore[union-attr]
    )
    return int(session.exec(query).one())


def count_keys(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(ApiKey)).one())


def bootstrap_admin_key(session: Session, given: str | None = None) -> str | None:
    """On a database with no keys, create an admin key (``given`` or a generated one) and
    return it in clear so the caller can show it once. None when keys already exist."""
    if count_keys(session) > 0:
        return None
    _, key = create_key(session, name="bootstrap admin", role=Role.admin, key=given)
    session.commit()
    return key
