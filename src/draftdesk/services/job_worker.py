"""Drafts the items of batch jobs in the background, each exactly once, across restarts and processes.

Claiming: job_claims.py (leases, so that each item is drafted once).

Drafting. At most `settings.batch_concurrency` model calls at once, through the same
`ReviewDrafter` as the UI, with half as many reviews again in progress so the model is kept busy
while others are retrieved, checked and written. Transient model errors (429, 5xx, timeouts,
connection errors) are retried by the watched model (job_model.py: exponential backoff with
jitter, never sooner than Retry-After), waiting outside its model-call slot; after those retries
the drafter falls back to the template engine. A night job can afford to wait where a person at
the screen cannot, so the worker adds a job-level retry: an item whose draft fell back because the model
kept failing transiently is queued again after `batch_retry_delay` × 2^attempt (with jitter,
never less than the server's Retry-After), up to `batch_max_attempts`; the last attempt keeps
the template reply. Each item has a deadline (`batch_item_timeout`); past it the item is retried
the same way, and finally fails.

Writing. An item's result and its record of work (the request and its first draft, where an
agent approves it) go in one commit. A job is marked done by the worker's loop once the worker
holds none of its items, and by any worker that runs out of work (one statement each time, no
count of a job's items per item written).

Drafts of one job are checked against each other for repetition (job_repetition.py).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
import random
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import JobItemRow, JobRow
from draftdesk.adapters.llm.base import ChatLLM
from draftdesk.domain.drafts import ReviewReply
from draftdesk.domain.reviews import Review
from draftdesk.errors import DraftdeskError
from draftdesk.services.job_claims import Claimed, JobClaims
from draftdesk.services.job_model import WatchedLLM, drafting
from draftdesk.services.job_repetition import JobDrafts, JobRepetition
from draftdesk.services.records import RecordService
from draftdesk.services.review_drafting import ReviewDrafter
from draftdesk.services.review_io import review_request
from draftdesk.settings import Settings

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0


@dataclass
class _Outcome:
    reply: ReviewReply | None = None
    error: str | None = None
    retry_after: float | None = None  # set: draft again later (the model was down, or time ran out)


@dataclass
class _Running:
    item: Claimed
    future: Future[None]
    deadline: float


class JobWorker:
    """Claims and drafts job items in a background thread until `stop()`.

    `only_jobs`: draft these jobs and no others (the CLI's in-process worker); None means any job.
    `llm`: the model built without its client's own retries (`Container.batch_llm`); the worker
    then retries transient failures itself, `llm_max_retries` times, waiting outside its model-call
    slots. None: the drafter's model as it is.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        drafter: ReviewDrafter,
        settings: Settings,
        records: RecordService | None = None,
        only_jobs: Sequence[str] | None = None,
        poll: float = 0.5,
        llm: ChatLLM | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.records = records
        self.only_jobs = list(only_jobs) if only_jobs is not None else None
        self.claims = JobClaims(sessions, settings.batch_item_timeout, self.only_jobs)
        self.poll = poll
        self.concurrency = settings.batch_concurrency
        # Reviews in progress: more than the model calls allowed at once, so that while some are
        # being retrieved, checked or written the model still has `concurrency` calls to answer.
        self.in_flight = self.concurrency + math.ceil(self.concurrency / 2)
        self.timeout = settings.batch_item_timeout
        self.max_attempts = settings.batch_max_attempts
        self.job_drafts = JobDrafts(sessions, settings.duplicate_overlap)
        self.drafter = self._job_drafter(drafter, llm)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[int, _Running] = {}
        self._abandoned: list[Future[None]] = []
        self._creators: dict[str, str | None] = {}
        # Jobs this worker wrote a final result for since it last looked whether they are done.
        self._written: set[str] = set()
        self._written_lock = threading.Lock()
        self._idle = False
        self.drafted = 0  # drafts this worker wrote (done or failed), for tests and logs

    def _job_drafter(self, drafter: ReviewDrafter, batch_llm: ChatLLM | None) -> ReviewDrafter:
        ctx = drafter.ctx
        checker = copy.copy(ctx.checker)
        checker.repetition = JobRepetition(ctx.checker.repetition, self.job_drafts)
        llm = batch_llm if ctx.llm is not None and batch_llm is not None else ctx.llm
        if llm is not None:
            slots = threading.BoundedSemaphore(self.concurrency)
            retries = self.settings.llm_max_retries if llm is batch_llm else 0
            llm = WatchedLLM(llm.engine, llm.model, llm.chat, slots, retries)
        return ReviewDrafter(dataclasses.replace(ctx, llm=llm, checker=checker))

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Start drafting in a background thread (a no-op when already started)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self.claims.release_orphans()
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
            for item in self.claims.claim(free):
                future = self._pool.submit(self._work, item)
                self._running[item.id] = _Running(item, future, time.monotonic() + self.timeout)
        self._settle()
        if not self._running:
            if not self._idle:  # once each time the worker runs dry, not on every poll
                self._settle_all()
            self._idle = True
            self._stop.wait(self.poll)
            return
        self._idle = False
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

    # --- drafting ------------------------------------------------------------------------
    def _work(self, item: Claimed) -> None:
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

    def _draft(self, item: Claimed) -> _Outcome:
        with drafting(item.job_id, item.id) as failures:
            try:
                reply = self.drafter.draft(review_request(Review.model_validate(item.payload)))
            except DraftdeskError as exc:
                return _Outcome(error=exc.message)
        if reply.fallback and failures.transient and item.attempts < self.max_attempts:
            return _Outcome(retry_after=failures.retry_after, error="; ".join(failures.reasons))
        return _Outcome(reply=reply)

    def _backoff(self, attempts: int, retry_after: float) -> float:
        base = self.settings.batch_retry_delay * 2.0 ** max(attempts - 1, 0)
        return min(max(base * random.uniform(0.5, 1.5), retry_after), MAX_BACKOFF)

    # --- writing -------------------------------------------------------------------------
    def _finish(self, item: Claimed, outcome: _Outcome) -> None:
        if outcome.retry_after is not None and item.attempts < self.max_attempts:
            self._requeue(item, self._backoff(item.attempts, outcome.retry_after), outcome.error)
            return
        reply, request_id = None, None
        values: dict[str, Any] = {"state": "failed", "error": outcome.error or "drafting failed"}
        if outcome.reply is not None:
            reply = self.job_drafts.checked(item.job_id, item.id, item.review_id, outcome.reply)
            request_id = str(uuid.uuid4()) if self.records is not None else None
            values = {
                "state": "done",
                "result": reply.model_dump(mode="json"),
                "reply_text": reply.text,
                "error": None,
                "request_id": request_id,
            }
        # The result and its record of work in one commit: a SQLite commit is the costliest step of
        # an item after the embeddings.
        with self.sessions.begin() as s:
            written: int = s.execute(  # type: ignore[attr-defined]
                update(JobItemRow)
                .where(
                    JobItemRow.id == item.id,
                    JobItemRow.state == "running",
                    JobItemRow.worker == item.token,
                )
                .values(**values, finished_at=datetime.now(UTC), lease_until=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            if written and reply is not None and request_id is not None:
                self._record(s, item, reply, request_id)
        if not written:  # the lease was taken over (or the job cancelled the item): not ours to finish
            log.warning(
                "item %s of job %s was finished elsewhere; this draft is dropped", item.id, item.job_id
            )
            if reply is not None:
                self.job_drafts.discard(item.job_id, item.id)
            return
        self.drafted += 1
        with self._written_lock:
            self._written.add(item.job_id)

    def _requeue(self, item: Claimed, delay: float, reason: str | None, count: bool = True) -> None:
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

    def _record(self, s: Session, item: Claimed, reply: ReviewReply, request_id: str) -> None:
        """The draft joins the record of work, where an agent approves it, as from the bulk page."""
        assert self.records is not None
        try:
            by = self._creators[item.job_id]
        except KeyError:
            by = s.scalar(select(JobRow.created_by).where(JobRow.id == item.job_id))
            self._creators[item.job_id] = by
        request = review_request(Review.model_validate(item.payload))
        self.records.add_request(s, "review_reply", request, by=by, request_id=request_id, first_draft=reply)

    def _settle(self) -> None:
        """Mark done the jobs whose last item this worker may have written. A job is looked at only
        once this worker holds none of its items, so a busy job costs no count per item."""
        busy = {r.item.job_id for r in self._running.values()}
        with self._written_lock:
            ready = self._written - busy
            self._written -= ready
        if not ready:
            return
        try:
            finished = self._close_finished(ready)
        except Exception:
            with self._written_lock:  # looked at again on the next step
                self._written |= ready
            raise
        for job_id in finished:
            self._forget(job_id)

    def _settle_all(self) -> None:
        """Once the worker holds no item: every unfinished job with no item left to draft is done,
        also one whose last result was written just before its process was killed; and what the
        worker remembered of jobs (also cancelled ones) is dropped, to be read again if needed."""
        self._close_finished(None)
        self._forget(None)

    def _close_finished(self, job_ids: set[str] | None) -> list[str]:
        """Mark done, in one statement, the unfinished jobs (of `job_ids`, else all this worker
        drafts) with no item queued or running; their ids."""
        left = (
            select(JobItemRow.id)
            .where(JobItemRow.job_id == JobRow.id, JobItemRow.state.in_(("queued", "running")))
            .exists()
        )
        finished = and_(JobRow.state.in_(("queued", "running")), ~left)
        scope = sorted(job_ids) if job_ids is not None else self.only_jobs
        if scope is not None:
            finished = and_(finished, JobRow.id.in_(scope))
        with self.sessions.begin() as s:
            return list(
                s.scalars(
                    update(JobRow)
                    .where(finished)
                    .values(state="done", finished_at=datetime.now(UTC))
                    .returning(JobRow.id)
                    .execution_options(synchronize_session=False)
                )
            )

    def _forget(self, job_id: str | None) -> None:
        """Drop the caches of a finished job (of every job: None)."""
        self.claims.forget(job_id)
        if job_id is None:
            self._creators.clear()
            self.job_drafts.forget_all()
        else:
            self._creators.pop(job_id, None)
            self.job_drafts.forget(job_id)


@contextmanager
def running(worker: JobWorker) -> Iterator[JobWorker]:
    """`with running(worker):` starts it and stops it however the block ends."""
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
