"""API keys for the REST API: created by `draftdesk keys create NAME`, shown once, stored only hashed.

A key is `dd_` plus 32 random bytes (URL-safe base64). The database keeps its SHA-256, not the
key: a plain, fast hash is enough here because the key is random with 256 bits of entropy, so
nobody can guess it back from the hash; a slow password hash (bcrypt, as for sign-in passwords,
which people choose and which are guessable) would only cost time on every API call.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import ApiKeyRow
from draftdesk.errors import InputError, RecordNotFound

KEY_PREFIX = "dd_"
MAX_NAME = 60
# Writing last_used_at on every call would make each API request a database write.
LAST_USED_EVERY = timedelta(minutes=1)


class ApiKey(BaseModel):
    """What is known about a key; never the key itself."""

    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        name=row.name,
        prefix=row.prefix,
        created_at=_aware(row.created_at),
        last_used_at=_aware(row.last_used_at) if row.last_used_at else None,
        revoked_at=_aware(row.revoked_at) if row.revoked_at else None,
    )


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class ApiKeyService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def create(self, name: str) -> tuple[ApiKey, str]:
        """A new key for `name`: its record and the key, which is shown now and never again."""
        name = name.strip()
        if not name or len(name) > MAX_NAME or any(c.isspace() for c in name):
            raise InputError(
                f"A key name needs 1 to {MAX_NAME} characters and no spaces.",
                "Name the key after what uses it, for example zendesk-sync.",
            )
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.sessions.begin() as s:
            if self._active(s, name):
                raise InputError(
                    f"There is already an active key called {name!r}.",
                    f"Revoke it first with `draftdesk keys revoke {name}`, or pick another name.",
                )
            row = ApiKeyRow(name=name, prefix=secret[:8], key_hash=digest(secret))
            s.add(row)
            s.flush()
            return _key(row), secret

    def verify(self, secret: str) -> ApiKey | None:
        """The active key that `secret` is, or None (unknown, malformed or revoked)."""
        if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
            return None
        wanted = digest(secret)
        with self.sessions.begin() as s:
            row = s.scalars(select(ApiKeyRow).where(ApiKeyRow.key_hash == wanted)).first()
            # The lookup is by hash, so timing says nothing about the key; compare anyway.
            if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, wanted):
                return None
            now = datetime.now(UTC)
            if row.last_used_at is None or now - _aware(row.last_used_at) > LAST_USED_EVERY:
                row.last_used_at = now
            return _key(row)

    def keys(self) -> list[ApiKey]:
        with self.sessions() as s:
            return [_key(r) for r in s.scalars(select(ApiKeyRow).order_by(ApiKeyRow.name, ApiKeyRow.id))]

    def revoke(self, name: str) -> ApiKey:
        """Revoke the active key called `name`: requests with it are refused from now on."""
        with self.sessions.begin() as s:
            row = self._active(s, name.strip())
            if row is None:
                raise RecordNotFound(
                    f"There is no active key called {name!r}.", "See the keys with `draftdesk keys list`."
                )
            row.revoked_at = datetime.now(UTC)
            return _key(row)

    @staticmethod
    def _active(s: Session, name: str) -> ApiKeyRow | None:
        query = select(ApiKeyRow).where(ApiKeyRow.name == name, ApiKeyRow.revoked_at.is_(None))
        return s.scalars(query).first()
