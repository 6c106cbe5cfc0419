"""A per-key token bucket kept in the database: each key may make `per_minute` requests a minute,
in a burst of up to that many, refilled evenly.

The bucket lives in a row, not in the process, so every server process of a team deployment
spends the same budget: two servers behind a load balancer do not double a key's limit. Each
request is one atomic upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, in SQLite and
PostgreSQL alike), so concurrent requests on any process never both spend the last token.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import ApiRateRow


class RateLimiter:
    def __init__(
        self, sessions: sessionmaker[Session], per_minute: int, clock: Callable[[], float] = time.time
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.sessions = sessions
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0  # tokens per second
        self.clock = clock  # wall-clock seconds: processes on several machines share the rows

    def take(self, key: str) -> float:
        """Spend one request of `key`: 0 when allowed, else the seconds until one is free."""
        now = self.clock()
        table = ApiRateRow.__table__
        # What the bucket holds now: refilled since its last request, never over the capacity; a
        # clock that stepped back refills nothing.
        grown = table.c.tokens + (now - table.c.updated_at) * self.refill
        refilled = case(
            (table.c.updated_at >= now, table.c.tokens),
            (grown > self.capacity, self.capacity),
            else_=grown,
        )
        allowed = refilled >= 1
        with self.sessions.begin() as s:
            insert: Any = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
            statement = (
                insert(table)
                .values(key_name=key, tokens=self.capacity - 1, updated_at=now, allowed=True)
                .on_conflict_do_update(
                    index_elements=[table.c.key_name],
                    # Every SET reads the row as it was, so `allowed` and `tokens` agree.
                    set_={
                        "tokens": case((allowed, refilled - 1), else_=refilled),
                        "updated_at": now,
                        "allowed": allowed,
                    },
                )
                .returning(table.c.tokens, table.c.allowed)
            )
            tokens, granted = s.execute(statement).one()
        return 0.0 if granted else (1 - tokens) / self.refill

    @staticmethod
    def retry_after(wait: float) -> int:
        """The Retry-After header's whole seconds: never 0, so a client that honours it succeeds."""
        return max(1, math.ceil(wait))
