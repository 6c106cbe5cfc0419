"""Which worker drafts which job item: claims with leases, so that each item is drafted once.

A worker takes a few queued items at a time and leases them: `state='running'`,
`worker=<claim token>`, `lease_until=now + item timeout + grace`. On PostgreSQL the claim is
`SELECT … FOR UPDATE SKIP LOCKED` then an `UPDATE … RETURNING` in the same transaction, so
workers in many processes never take the same row; on SQLite it is one atomic
`UPDATE … WHERE id IN (SELECT …) RETURNING …` on rows still claimable. A `running` item whose
lease ran out (its process was killed) is claimable again; at start a worker also frees at once
the items held by dead processes of its own host. Every write of a result compares the claim
token (compare-and-set), so an item whose lease was taken over can never get a second result.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from draftdesk.adapters.database import JobItemRow, JobRow

LEASE_GRACE = 15.0  # seconds a lease outlives the item timeout: writing the result takes a moment


@dataclass
class Claimed:
    """An item leased to one worker; `token` proves the lease when its result is written."""

    id: int
    job_id: str
    review_id: str
    payload: dict[str, Any]
    attempts: int
    token: str


class JobClaims:
    """Leases job items to one worker. `only_jobs`: claim from these jobs only (None: any job)."""

    def __init__(
        self, sessions: sessionmaker[Session], timeout: float, only_jobs: Sequence[str] | None = None
    ) -> None:
        self.sessions = sessions
        self.timeout = timeout
        self.only_jobs = list(only_jobs) if only_jobs is not None else None
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._claims = 0
        self._started: set[str] = set()  # jobs seen running: no need to start them again

    def claim(self, n: int) -> list[Claimed]:
        """Lease up to `n` claimable items, oldest job first, and start the jobs they belong to."""
        now = datetime.now(UTC)
        self._claims += 1
        token = f"{self.name}:{self._claims}"
        values = {
            "state": "running",
            "worker": token,
            "lease_until": now + timedelta(seconds=self.timeout + LEASE_GRACE),
            "started_at": now,
            "attempts": JobItemRow.attempts + 1,
        }
        candidates = (
            select(JobItemRow.id)
            .where(self._claimable(now))
            .order_by(JobItemRow.job_id, JobItemRow.position)
            .limit(n)
        )
        claim = update(JobItemRow).values(**values).execution_options(synchronize_session=False)
        returning = (
            JobItemRow.id,
            JobItemRow.job_id,
            JobItemRow.review_id,
            JobItemRow.payload,
            JobItemRow.attempts,
        )
        # The claim, the rows it took and the jobs it starts, in one commit.
        with self.sessions.begin() as s:
            if s.get_bind().dialect.name == "postgresql":
                ids = list(s.scalars(candidates.with_for_update(skip_locked=True)))
                if not ids:
                    return []
                claim = claim.where(JobItemRow.id.in_(ids))
            else:
                # One statement: SQLite runs it under its write lock, so two workers never both match a row.
                claim = claim.where(JobItemRow.id.in_(candidates.scalar_subquery()), self._claimable(now))
            rows = s.execute(claim.returning(*returning)).all()
            claimed = [Claimed(r[0], r[1], r[2], r[3] or {}, r[4], token) for r in rows]
            starting = {c.job_id for c in claimed} - self._started
            if starting:
                s.execute(
                    update(JobRow)
                    .where(JobRow.id.in_(starting), JobRow.state == "queued")
                    .values(state="running", started_at=now)
                )
                self._started |= starting
        return sorted(claimed, key=lambda c: c.id)

    def forget(self, job_id: str | None = None) -> None:
        """Drop what is remembered of a job (of every job: None); a later claim starts it again if
        need be, a no-op on a running job."""
        if job_id is None:
            self._started.clear()
        else:
            self._started.discard(job_id)

    def release_orphans(self) -> None:
        """Items leased by a process of this host that no longer exists go back to the queue now,
        instead of when their lease runs out (a server restarted after SIGKILL resumes at once)."""
        host = socket.gethostname()
        with self.sessions() as s:
            workers = s.scalars(
                select(JobItemRow.worker).where(JobItemRow.state == "running").distinct()
            ).all()
        dead = [w for w in workers if w and _dead_here(w, host)]
        if dead:
            with self.sessions.begin() as s:
                s.execute(
                    update(JobItemRow)
                    .where(JobItemRow.state == "running", JobItemRow.worker.in_(dead))
                    .values(state="queued", worker=None, lease_until=None)
                    .execution_options(synchronize_session=False)
                )

    def _claimable(self, now: datetime) -> ColumnElement[bool]:
        queued = and_(
            JobItemRow.state == "queued",
            or_(JobItemRow.not_before.is_(None), JobItemRow.not_before <= now),
        )
        expired = and_(JobItemRow.state == "running", JobItemRow.lease_until < now)
        condition = or_(queued, expired)
        if self.only_jobs is not None:
            condition = and_(condition, JobItemRow.job_id.in_(self.only_jobs))
        return condition


def _dead_here(worker: str, host: str) -> bool:
    name, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if name != host or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
