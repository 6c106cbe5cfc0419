"""Drafts of one batch job checked against each other for repetition.

The checker the drafter uses sees the job's drafts (so a model revises a near-duplicate as it
would a published one), and the final text is checked again when written: two drafts finished at
the same moment. Drafts written by other processes (or before a restart) are read from the
database every few seconds.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import JobItemRow
from draftdesk.domain.drafts import ReviewReply, ToneIssue
from draftdesk.services.drafting_support import with_issue
from draftdesk.services.job_model import current_item
from draftdesk.services.repetition import Resemblance, overlap, resemblance_issue
from draftdesk.services.text_features import shingles
from draftdesk.services.tone_check import Repetition

REFRESH_EVERY = 5.0  # seconds between reads of other processes' drafts


class _JobReplies:
    """The replies already drafted in one job, indexed by 4-word shingles."""

    def __init__(self) -> None:
        self.index: dict[str, list[int]] = defaultdict(list)  # shingle -> item row ids, oldest first
        self.texts: dict[int, tuple[str, str]] = {}  # item row id -> (review id, text)
        self.refreshed: datetime | None = None

    def add(self, item_id: int, review_id: str, text: str) -> None:
        if item_id in self.texts:
            return
        self.texts[item_id] = (review_id, text)
        for s in shingles(text):
            self.index[s].append(item_id)

    def discard(self, item_id: int) -> None:
        entry = self.texts.pop(item_id, None)
        if entry is not None:
            for s in shingles(entry[1]):
                with suppress(ValueError):
                    self.index[s].remove(item_id)

    def match(self, text: str, max_overlap: float, exclude: int | None) -> ToneIssue | None:
        mine = shingles(text)
        if not mine:
            return None
        need = max(1, math.ceil(max_overlap * len(mine) - 1e-9))
        # Prefix filter: a draft sharing `need` of these shingles holds at least one of any
        # len - need + 1 of them, so only the drafts under the rarest few are candidates. Counting
        # every shingle's drafts instead grows with the job: 30 x 100,000 for a job of look-alikes.
        rarest = sorted(mine, key=lambda s: len(self.index.get(s, ())))[: len(mine) - need + 1]
        tried: set[int] = set()
        for s in rarest:
            for item_id in reversed(self.index.get(s, ())):
                if item_id == exclude or item_id in tried:
                    continue
                tried.add(item_id)
                review_id, theirs = self.texts[item_id]
                share = overlap(mine, shingles(theirs))
                if share >= max_overlap:
                    match = Resemblance(id=review_id, text=theirs, overlap=round(share, 3))
                    return resemblance_issue(match, "the draft for review")
        return None


class JobDrafts:
    """The drafts of every job a worker is drafting, shared by its threads."""

    def __init__(self, sessions: sessionmaker[Session], max_overlap: float) -> None:
        self.sessions = sessions
        self.max_overlap = max_overlap
        self._jobs: dict[str, _JobReplies] = {}
        self._lock = threading.Lock()

    def repeats(self, job_id: str, text: str, exclude: int | None = None) -> ToneIssue | None:
        """The near-duplicate issue when `text` reads like a draft already written in this job."""
        with self._lock:
            return self._repeats(job_id, text, exclude)

    def checked(self, job_id: str, item_id: int, review_id: str, reply: ReviewReply) -> ReviewReply:
        """The reply, flagged if it repeats a draft of the job; it joins the job's drafts in the
        same step, so two drafts finishing at the same moment still see each other."""
        with self._lock:
            found = None
            if not any(i.rule == "near_duplicate" for i in reply.report.issues):
                found = self._repeats(job_id, reply.text, item_id)
            self._replies(job_id).add(item_id, review_id, reply.text)
        return reply if found is None else with_issue(reply, found)

    def discard(self, job_id: str, item_id: int) -> None:
        """Forget a draft that was not written after all (the draft written in its place comes back
        with the next refresh)."""
        with self._lock:
            self._replies(job_id).discard(item_id)

    def forget(self, job_id: str) -> None:
        """The job is finished: its drafts are no longer needed."""
        with self._lock:
            self._jobs.pop(job_id, None)

    def forget_all(self) -> None:
        """The worker holds no item: drop every job's drafts (read again from the database if one
        of those jobs goes on)."""
        with self._lock:
            self._jobs.clear()

    def _replies(self, job_id: str) -> _JobReplies:
        replies = self._jobs.get(job_id)
        if replies is None:
            replies = self._jobs[job_id] = _JobReplies()
        return replies

    def _repeats(self, job_id: str, text: str, exclude: int | None) -> ToneIssue | None:
        replies = self._replies(job_id)
        now = datetime.now(UTC)
        if replies.refreshed is None or (now - replies.refreshed).total_seconds() > REFRESH_EVERY:
            self._refresh(job_id, replies, now)
        return replies.match(text, self.max_overlap, exclude)

    def _refresh(self, job_id: str, replies: _JobReplies, now: datetime) -> None:
        """Drafts of this job written by other workers (or before a restart) since the last look."""
        query = select(JobItemRow.id, JobItemRow.review_id, JobItemRow.reply_text).where(
            JobItemRow.job_id == job_id, JobItemRow.state == "done"
        )
        if replies.refreshed is not None:
            query = query.where(
                JobItemRow.finished_at >= replies.refreshed - timedelta(seconds=REFRESH_EVERY)
            )
        with self.sessions() as s:
            for item_id, review_id, text in s.execute(query):
                replies.add(item_id, review_id, text or "")
        replies.refreshed = now


class JobRepetition:
    """What the job drafter's checker asks: published replies (as in the UI), then the drafts of
    the job whose item is being drafted on this thread."""

    def __init__(self, base: Repetition | None, drafts: JobDrafts) -> None:
        self.base, self.drafts = base, drafts

    def issues(self, text: str) -> list[ToneIssue]:
        found = self.base.issues(text) if self.base is not None else []
        item = current_item()
        if item is not None and not any(i.rule == "near_duplicate" for i in found):
            repeat = self.drafts.repeats(item[0], text, item[1])
            if repeat is not None:
                found.append(repeat)
        return found
