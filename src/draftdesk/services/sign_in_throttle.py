"""Slows down password guessing: after `MAX_FAILURES` wrong passwords in a row for one account
name, that name cannot sign in for a while, even with the right password, and each further
failure doubles the wait (up to `MAX_LOCK`). A success clears the count; so does a quiet
`WINDOW` with no failure. Kept in the database, so every server process counts the same
attempts and a restart forgets nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import SignInFailureRow
from draftdesk.errors import SignInLocked

MAX_FAILURES = 5
WINDOW = 15 * 60.0  # seconds without a failure after which the count starts again
FIRST_LOCK = 60.0
MAX_LOCK = 15 * 60.0
MAX_NAME = 100


class SignInThrottle:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], float] = time.time) -> None:
        self.sessions = sessions
        self.clock = clock

    def check(self, name: str) -> None:
        """Raise `SignInLocked` while `name` must wait before trying again."""
        with self.sessions() as s:
            row = s.get(SignInFailureRow, _key(name))
            wait = 0.0 if row is None else row.locked_until - self.clock()
        if wait > 0:
            minutes = math.ceil(wait / 60)
            raise SignInLocked(
                f"Too many wrong passwords for {name[:MAX_NAME]!r}: sign-in is paused for "
                f"{minutes} minute{'s' if minutes != 1 else ''}.",
                wait,
                "Wait, then try again with the right password.",
            )

    def failed(self, name: str) -> None:
        try:
            self._count_failure(name)
        except IntegrityError:  # another process added the name's row at the same moment
            self._count_failure(name)

    def _count_failure(self, name: str) -> None:
        now = self.clock()
        with self.sessions.begin() as s:
            # Forget names that have been quiet for a window: the table stays small.
            s.execute(
                delete(SignInFailureRow).where(
                    SignInFailureRow.last_at < now - WINDOW, SignInFailureRow.locked_until < now
                )
            )
            row = s.get(SignInFailureRow, _key(name), with_for_update=True)
            if row is None:
                row = SignInFailureRow(name=_key(name), failures=0, last_at=now, locked_until=0.0)
                s.add(row)
            row.failures += 1
            row.last_at = now
            over = row.failures - MAX_FAILURES
            if over >= 0:
                row.locked_until = now + min(FIRST_LOCK * 2.0**over, MAX_LOCK)

    def succeeded(self, name: str) -> None:
        with self.sessions.begin() as s:
            s.execute(delete(SignInFailureRow).where(SignInFailureRow.name == _key(name)))


def _key(name: str) -> str:
    return name.strip()[:MAX_NAME]
