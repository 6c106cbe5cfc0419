"""Drafts the items of batch jobs in the background, each exactly once, across restarts and processes.

Claiming. A worker takes a few queued items at a time and leases them: `state='running'`,
`worker=<claim token>`, `lease_until=now + item timeout + grace`. On PostgreSQL the claim is
`SELECT … FOR UPDATE SKIP LOCKED` then an UPDATE in the same transaction, so workers in many
processes never take the same row; on SQLite it is one atomic `UPDATE … WHERE id IN (SELECT …)`
on rows still claimable. A `running` item whose lease ran out (its process was killed) is
claimable again; at start a worker also frees at once the items held by dead processes of its
own host. Every write of a result compares the claim token (compare-and-set), so an item whose
lease was taken over can never get a second result.

Drafting. At most `settings.batch_concurrency` model calls at once, through the same
`ReviewDrafter` as the UI, with half as many reviews again in progress so the model is kept busy
while others are retrieved, checked and written. Transient model errors (429, 5xx, timeouts,
connection errors) are first retried by the model adapter (the OpenAI client: exponential
backoff with jitter, honours Retry-After, per-call timeout). After those retries the drafter
falls back to the template engine. A night job can afford to wait where a person at the screen
cannot, so the worker adds a job-level retry: an item whose draft fell back because the model
kept failing transiently is queued again after `batch_retry_delay` × 2^attempt (with jitter,
never less than the server's Retry-After), up to `batch_max_attempts`; the last attempt keeps
the template reply. Each item has a deadline (`batch_item_timeout`); past it the item is retried
the same way, and finally fails.

Repetition. Drafts of one job are checked against the job's earlier drafts: the checker the
drafter uses sees them (so a model revises a near-duplicate as it would a published one), and
the final text is checked again when written (two drafts finished at the same moment).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
import os
import random
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.messages import BaseMessage
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import JobItemRow, JobRow
from draftdesk.adapters.llm.base import ChatLLM, LLMError
from draftdesk.domain.drafts import ReviewReply, ToneIssue
from draftdesk.domain.reviews import Review
from draftdesk.errors import DraftdeskError
from draftdesk.services.drafting_support import with_issue
from draftdesk.services.records import RecordService
from draftdesk.services.repetition import Resemblance, overlap, resemblance_issue
from draftdesk.services.review_drafting import ReviewDrafter
from draftdesk.services.review_io import review_request
from draftdesk.services.text_features import shingles
from draftdesk.services.tone_check import Repetition
from draftdesk.settings import Settings

log = logging.getLogger(__name__)

LEASE_GRACE = 15.0  # seconds a lease outlives the item timeout: writing the result takes a moment
MAX_BACKOFF = 300.0
REFRESH_EVERY = 5.0  # seconds between reads of other processes' drafts for the repetition check
_TRANSIENT_STATUS = frozenset({408, 409, 425, 429})


# --- the model, watched for transient failures ---------------------------------------------


@dataclass
class _Failures:
    transient: bool = False
    retry_after: float = 0.0
    reasons: list[str] = field(default_factory=list)


_current = threading.local()


@dataclass
class WatchedLLM(ChatLLM):
    """The configured model, noting each failure (after the adapter's own retries) for the item
    being drafted on this thread, so the worker can tell 'the model was down' from a normal draft.
    `slots` bounds the calls in flight: what the provider sees is at most that many at once."""

    slots: threading.BoundedSemaphore

    def complete(self, messages: list[BaseMessage]) -> str:
        try:
            with self.slots:
                return super().complete(messages)
        except LLMError as exc:
            _note(exc)
            raise

    def stream(self, messages: list[BaseMessage]) -> Iterator[str]:
        try:
            with self.slots:
                yield from super().stream(messages)
        except LLMError as exc:
            _note(exc)
            raise


def _note(exc: LLMError) -> None:
    failures: _Failures | None = getattr(_current, "failures", None)
    if failures is None:
        return
    failures.reasons.append(exc.message)
    cause = exc.__cause__
    status = getattr(cause, "status_code", None)
    name = type(cause).__name__
    if status is None or status in _TRANSIENT_STATUS or status >= 500 or "Timeout" in name:
        failures.transient = True
    response = getattr(cause, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None:
        with suppress(ValueError):
            failures.retry_after = max(failures.retry_after, float(headers.get("retry-after") or 0))


# --- the job's own drafts, for the repetition check ------------------------------------------


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
        """Forget a draft that was not written after all (the draft written in its place comes back
        with the next refresh)."""
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


class _JobRepetition:
    """What the drafter's checker asks: published replies (as in the UI), then this job's drafts."""

    def __init__(self, base: Repetition | None, worker: JobWorker) -> None:
        self.base, self.worker = base, worker

    def issues(self, text: str) -> list[ToneIssue]:
        found = self.base.issues(text) if self.base is not None else []
        job = getattr(_current, "job", None)
        if job is not None and not any(i.rule == "near_duplicate" for i in found):
            repeat = self.worker.repeats(job[0], text, job[1])
            if repeat is not None:
                found.append(repeat)
        return found


# --- the worker ------------------------------------------------------------------------------


@dataclass
class _Claimed:
    id: int
    job_id: str
    review_id: str
    payload: dict[str, Any]
    attempts: int
    token: str


@dataclass
class _Outcome:
    reply: ReviewReply | None = None
    error: str | None = None
    retry_after: float | None = None  # set: draft again later (the model was down, or time ran out)


@dataclass
class _Running:
    item: _Claimed
    future: Future[None]
    deadline: float


class JobWorker:
    """Claims and drafts job items in a background thread until `stop()`.

    `only_jobs`: draft these jobs and no others (the CLI's in-process worker); None means any job.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        drafter: ReviewDrafter,
        settings: Settings,
        records: RecordService | None = None,
        only_jobs: Sequence[str] | None = None,
        poll: float = 0.5,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.records = records
        self.only_jobs = list(only_jobs) if only_jobs is not None else None
        self.poll = poll
        self.concurrency = settings.batch_concurrency
        # Reviews in progress: more than the model calls allowed at once, so that while some are
        # being retrieved, checked or written the model still has `concurrency` calls to answer.
        self.in_flight = self.concurrency + math.ceil(self.concurrency / 2)
        self.timeout = settings.batch_item_timeout
        self.max_attempts = settings.batch_max_attempts
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.drafter = self._job_drafter(drafter)
        self._claims = 0
        self._replies: dict[str, _JobReplies] = {}
        self._replies_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[int, _Running] = {}
        self._abandoned: list[Future[None]] = []
        self.drafted = 0  # drafts this worker wrote (done or failed), for tests and logs

    def _job_drafter(self, drafter: ReviewDrafter) -> ReviewDrafter:
        ctx = drafter.ctx
        checker = copy.copy(ctx.checker)
        checker.repetition = _JobRepetition(ctx.checker.repetition, self)
        llm = ctx.llm
        if llm is not None:
            slots = threading.BoundedSemaphore(self.concurrency)
            llm = WatchedLLM(llm.engine, llm.model, llm.chat, slots)
        return ReviewDrafter(dataclasses.replace(ctx, llm=llm, checker=checker))

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Start drafting in a background thread (a no-op when already started)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._release_orphans()
        # Room for items abandoned past their deadline, whose threads are still waiting on a model.
        self._pool = ThreadPoolExecutor(self.in_flight * 2, thread_name_prefix="draftdesk-job")
        self._thread = threading.Thread(target=self._loop, name="draftdesk-job-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop claiming; items being drafted go back to the queue for the next worker."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        assert self._pool is not None
        try:
            while not self._stop.is_set():
                try:
                    self._step()
                except Exception:  # a database hiccup must not end the worker
                    log.exception("job worker step failed")
                    self._stop.wait(self.poll)
        finally:
            for r in list(self._running.values()):
                self._requeue(r.item, 0.0, None, count=False)
            self._running.clear()
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _step(self) -> None:
        assert self._pool is not None
        self._abandoned = [f for f in self._abandoned if not f.done()]
        free = min(
            self.in_flight - len(self._running),
            self.in_flight * 2 - len(self._running) - len(self._abandoned),
        )
        if free > 0:
            for item in self._claim(free):
                future = self._pool.submit(self._work, item)
                self._running[item.id] = _Running(item, future, time.monotonic() + self.timeout)
        if not self._running:
            self._stop.wait(self.poll)
            return
        wait([r.future for r in self._running.values()], timeout=self.poll, return_when=FIRST_COMPLETED)
        now = time.monotonic()
        for item_id, running in list(self._running.items()):
            if running.future.done():
                del self._running[item_id]
            elif now > running.deadline:
                del self._running[item_id]
                self._abandoned.append(running.future)
                self._finish(
                    running.item,
                    _Outcome(
                        error=f"drafting took longer than {self.timeout:g} s (DRAFTDESK_BATCH_ITEM_TIMEOUT)",
                        retry_after=0.0,
                    ),
                )

    # --- claiming ------------------------------------------------------------------------
    def _claimable(self, now: datetime) -> Any:
        queued = and_(
            JobItemRow.state == "queued",
            or_(JobItemRow.not_before.is_(None), JobItemRow.not_before <= now),
        )
        expired = and_(JobItemRow.state == "running", JobItemRow.lease_until < now)
        condition = or_(queued, expired)
        if self.only_jobs is not None:
            condition = and_(condition, JobItemRow.job_id.in_(self.only_jobs))
        return condition

    def _claim(self, n: int) -> list[_Claimed]:
        now = datetime.now(UTC)
        self._claims += 1
        token = f"{self.name}:{self._claims}"
        lease = now + timedelta(seconds=self.timeout + LEASE_GRACE)
        values = {
            "state": "running",
            "worker": token,
            "lease_until": lease,
            "started_at": now,
            "attempts": JobItemRow.attempts + 1,
        }
        candidates = (
            select(JobItemRow.id)
            .where(self._claimable(now))
            .order_by(JobItemRow.job_id, JobItemRow.position)
            .limit(n)
        )
        with self.sessions.begin() as s:
            if s.get_bind().dialect.name == "postgresql":
                ids = list(s.scalars(candidates.with_for_update(skip_locked=True)))
                if not ids:
                    return []
                s.execute(update(JobItemRow).where(JobItemRow.id.in_(ids)).values(**values))
            else:
                # One statement: SQLite runs it under its write lock, so two workers never both match a row.
                s.execute(
                    update(JobItemRow)
                    .where(JobItemRow.id.in_(candidates.scalar_subquery()), self._claimable(now))
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
        with self.sessions() as s:
            rows = s.execute(
                select(
                    JobItemRow.id,
                    JobItemRow.job_id,
                    JobItemRow.review_id,
                    JobItemRow.payload,
                    JobItemRow.attempts,
                ).where(JobItemRow.worker == token, JobItemRow.state == "running")
            ).all()
        claimed = [_Claimed(r[0], r[1], r[2], r[3] or {}, r[4], token) for r in rows]
        jobs = {c.job_id for c in claimed}
        if jobs:
            with self.sessions.begin() as s:
                s.execute(
                    update(JobRow)
                    .where(JobRow.id.in_(jobs), JobRow.state == "queued")
                    .values(state="running", started_at=now)
                )
        return claimed

    def _release_orphans(self) -> None:
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

    # --- drafting ------------------------------------------------------------------------
    def _work(self, item: _Claimed) -> None:
        """Draft one item and write its outcome, on a pool thread: the writes of many items overlap
        instead of queueing behind the claiming loop. An item the loop gave up on meanwhile (past its
        deadline) is not written twice: every write compares the claim token."""
        try:
            outcome = self._draft(item)
        except Exception as exc:  # a bug in drafting: the item fails with it, the rest go on
            log.exception("drafting item %s failed unexpectedly", item.id)
            outcome = _Outcome(error=f"drafting failed unexpectedly: {type(exc).__name__}: {exc}")
        try:
            self._finish(item, outcome)
        except Exception:  # its lease runs out and the item is drafted again: nothing is lost
            log.exception("could not write the result of item %s", item.id)

    def _draft(self, item: _Claimed) -> _Outcome:
        failures = _Failures()
        _current.failures, _current.job = failures, (item.job_id, item.id)
        try:
            review = Review.model_validate(item.payload)
            reply = self.drafter.draft(review_request(review))
        except DraftdeskError as exc:
            return _Outcome(error=exc.message)
        finally:
            _current.failures = _current.job = None
        if reply.fallback and failures.transient and item.attempts < self.max_attempts:
            return _Outcome(retry_after=failures.retry_after, error="; ".join(failures.reasons))
        return _Outcome(reply=reply)

    def _backoff(self, attempts: int, retry_after: float) -> float:
        base = self.settings.batch_retry_delay * 2.0 ** max(attempts - 1, 0)
        return min(max(base * random.uniform(0.5, 1.5), retry_after), MAX_BACKOFF)

    # --- writing -------------------------------------------------------------------------
    def _finish(self, item: _Claimed, outcome: _Outcome) -> None:
        if outcome.retry_after is not None and item.attempts < self.max_attempts:
            self._requeue(item, self._backoff(item.attempts, outcome.retry_after), outcome.error)
            return
        now = datetime.now(UTC)
        if outcome.reply is not None:
            reply = self._checked_against_job(item, outcome.reply)
            values: dict[str, Any] = {
                "state": "done",
                "result": reply.model_dump(mode="json"),
                "reply_text": reply.text,
                "error": None,
            }
        else:
            reply = None
            values = {"state": "failed", "error": outcome.error or "drafting failed"}
        with self.sessions.begin() as s:
            written: int = s.execute(  # type: ignore[attr-defined]
                update(JobItemRow)
                .where(
                    JobItemRow.id == item.id,
                    JobItemRow.state == "running",
                    JobItemRow.worker == item.token,
                )
                .values(**values, finished_at=now, lease_until=None)
                .execution_options(synchronize_session=False)
            ).rowcount
        if not written:  # the lease was taken over (or the job cancelled the item): not ours to finish
            log.warning(
                "item %s of job %s was finished elsewhere; this draft is dropped", item.id, item.job_id
            )
            if reply is not None:
                with self._replies_lock:
                    self._job_replies(item.job_id).discard(item.id)
            return
        self.drafted += 1
        if reply is not None:
            self._record(item, reply)
        self._maybe_done(item.job_id)

    def _requeue(self, item: _Claimed, delay: float, reason: str | None, count: bool = True) -> None:
        values: dict[str, Any] = {
            "state": "queued",
            "worker": None,
            "lease_until": None,
            "not_before": datetime.now(UTC) + timedelta(seconds=delay),
        }
        if reason:
            values["error"] = reason
        if not count:
            values["attempts"] = JobItemRow.attempts - 1
        with self.sessions.begin() as s:
            s.execute(
                update(JobItemRow)
                .where(
                    JobItemRow.id == item.id, JobItemRow.state == "running", JobItemRow.worker == item.token
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    def _record(self, item: _Claimed, reply: ReviewReply) -> None:
        """The draft joins the record of work, where an agent approves it, as from the bulk page."""
        if self.records is None:
            return
        try:
            with self.sessions() as s:
                by = s.scalar(select(JobRow.created_by).where(JobRow.id == item.job_id))
            request = review_request(Review.model_validate(item.payload))
            request_id = self.records.open_request("review_reply", request, by=by)
            self.records.add_draft(request_id, reply, by=by)
            with self.sessions.begin() as s:
                s.execute(update(JobItemRow).where(JobItemRow.id == item.id).values(request_id=request_id))
        except Exception:  # the result is stored; only the link to the record is missing
            log.exception("could not record the draft of item %s", item.id)

    def _maybe_done(self, job_id: str) -> None:
        with self.sessions() as s:
            left = s.scalar(
                select(func.count())
                .select_from(JobItemRow)
                .where(JobItemRow.job_id == job_id, JobItemRow.state.in_(("queued", "running")))
            )
        if left:
            return
        with self.sessions.begin() as s:
            s.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.state.in_(("queued", "running")))
                .values(state="done", finished_at=datetime.now(UTC))
            )
        with self._replies_lock:
            self._replies.pop(job_id, None)

    # --- repetition within a job ---------------------------------------------------------
    def _job_replies(self, job_id: str) -> _JobReplies:
        replies = self._replies.get(job_id)
        if replies is None:
            replies = self._replies[job_id] = _JobReplies()
        return replies

    def repeats(self, job_id: str, text: str, exclude: int | None = None) -> ToneIssue | None:
        """The near-duplicate issue when `text` reads like a draft already written in this job."""
        with self._replies_lock:
            return self._repeats(job_id, text, exclude)

    def _repeats(self, job_id: str, text: str, exclude: int | None) -> ToneIssue | None:
        replies = self._job_replies(job_id)
        now = datetime.now(UTC)
        if replies.refreshed is None or (now - replies.refreshed).total_seconds() > REFRESH_EVERY:
            self._refresh(job_id, replies, now)
        return replies.match(text, self.settings.duplicate_overlap, exclude)

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

    def _checked_against_job(self, item: _Claimed, reply: ReviewReply) -> ReviewReply:
        """The reply, flagged if it repeats a draft of the job; it joins the job's drafts in the
        same step, so two drafts finishing at the same moment still see each other."""
        with self._replies_lock:
            found = None
            if not any(i.rule == "near_duplicate" for i in reply.report.issues):
                found = self._repeats(item.job_id, reply.text, item.id)
            self._job_replies(item.job_id).add(item.id, item.review_id, reply.text)
        return reply if found is None else with_issue(reply, found)


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


@contextmanager
def running(worker: JobWorker) -> Iterator[JobWorker]:
    """`with running(worker):` starts it and stops it however the block ends."""
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
