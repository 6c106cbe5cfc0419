"""Batch jobs: submit a night's reviews, follow their progress, stream the results, cancel.

The HTTP API and `draftdesk batch` both go through `JobService`; `JobWorker` (job_worker.py)
drafts the items. Everything lives in the record database, so a job outlives the process
that accepted it:

- `submit(items)` / `submit_csv(data)` validate each review alone. A bad review (empty text,
  an unknown language, 1 MB of text, a duplicate id) becomes a *failed* item with a plain
  reason; it never rejects the job. Only an empty job, one over `MAX_JOB_ITEMS`, or a CSV
  whose columns or encoding are wrong raise `InputError`.
- `status(id)` counts the items by state; `RecordNotFound` for an unknown id.
- `results(id)` / `results_csv(id)` stream finished items in input order, a page at a time.
- `cancel(id)` cancels what is still queued; what is finished stays.
"""

from __future__ import annotations

import csv
import io
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import JobItemRow, JobRow
from draftdesk.domain.drafts import ReviewReply
from draftdesk.domain.jobs import MAX_JOB_ITEMS, JobItemResult, JobProgress, JobStatus
from draftdesk.domain.reviews import REVIEW_FIELDS, Review
from draftdesk.errors import InputError, RecordNotFound
from draftdesk.services.language import CANDIDATES, detect_language
from draftdesk.services.review_io import MIN_CONFIDENCE, csv_rows, decode_upload
from draftdesk.services.text_files import validation_problems

PAGE = 500  # items read or written per database round trip
CSV_COLUMNS = ("id", "state", "reply", "engine", "passed", "score", "error")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_INSERT_CHUNK = 1000


@dataclass(frozen=True)
class ItemProblem:
    """An input line that could not even be read as a review (bad JSON, say): it fails with `reason`."""

    reason: str
    id: str | None = None


def new_job_id() -> str:
    """A UUIDv7: ordered by creation time, so workers claim older jobs first from the index."""
    value = (int(time.time() * 1000) & ((1 << 48) - 1)) << 80
    value |= int.from_bytes(os.urandom(10), "big") & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class JobService:
    """Submit, follow, read and cancel batch jobs. Thread-safe: every call opens its own session."""

    def __init__(self, sessions: sessionmaker[Session], default_language: str = "en") -> None:
        self.sessions = sessions
        self.default_language = default_language

    # --- submitting ----------------------------------------------------------------------
    def submit(self, items: Sequence[Any], by: str | None = None, source: str | None = None) -> JobStatus:
        """Queue a job of review records (dicts with the `Review` fields); returns at once.

        Each item is validated alone: a bad one is stored as a failed item with its reason,
        and the others are queued. Raises InputError for zero items or more than MAX_JOB_ITEMS.
        `source` is a free label (the CLI stores the input file's hash) for finding a job again.
        """
        if not items:
            raise InputError("The job has no reviews.", 'Send {"reviews": [...]} with at least one review.')
        if len(items) > MAX_JOB_ITEMS:
            raise InputError(
                f"The job has {len(items):,} reviews; one job takes at most {MAX_JOB_ITEMS:,}.",
                "Split the reviews into several jobs.",
            )
        job_id = new_job_id()
        rows = list(self._rows(job_id, items))
        rejected = sum(r["state"] == "failed" for r in rows)
        now = datetime.now(UTC)
        finished = rejected == len(rows)
        with self.sessions.begin() as s:
            s.add(
                JobRow(
                    id=job_id,
                    state="done" if finished else "queued",
                    total=len(rows),
                    rejected=rejected,
                    source=source,
                    created_by=by,
                    created_at=now,
                    finished_at=now if finished else None,
                )
            )
            s.flush()
            for start in range(0, len(rows), _INSERT_CHUNK):
                s.execute(insert(JobItemRow), rows[start : start + _INSERT_CHUNK])
        return self.status(job_id)

    def submit_csv(self, data: bytes, by: str | None = None, source: str | None = None) -> JobStatus:
        """Queue a job from a CSV upload with the review columns (see `REVIEW_FIELDS`).

        InputError when the bytes are not UTF-8 or the header lacks a required column; a bad
        row fails alone with its line number in the reason.
        """
        text = decode_upload(data)
        rows = csv_rows(text, Path("The CSV upload"))
        items: list[Any] = []
        for line, row in rows:
            if isinstance(row, dict):
                items.append(row)
            else:
                items.append(ItemProblem(f"line {line} {row.message}", id=None))
        return self.submit(items, by=by, source=source)

    def _rows(self, job_id: str, items: Sequence[Any]) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        for position, item in enumerate(items, start=1):
            review_id = _given_id(item) or f"#{position}"
            row: dict[str, Any] = {
                "job_id": job_id,
                "position": position,
                "review_id": review_id[:200],
                "payload": None,
                "state": "failed",
                "attempts": 0,
                "error": None,
            }
            try:
                review = self._review(item)
            except _Rejected as exc:
                row["error"] = exc.reason
                yield row
                continue
            if review.id in seen:
                row["error"] = f"duplicate review id '{review.id}': an earlier review of this job has it"
                yield row
                continue
            seen.add(review.id)
            row.update(state="queued", payload=review.model_dump(mode="json"))
            yield row

    def _review(self, item: Any) -> Review:
        if isinstance(item, ItemProblem):
            raise _Rejected(item.reason)
        if not isinstance(item, dict):
            raise _Rejected(f"must be a JSON object with the review fields ({', '.join(REVIEW_FIELDS)})")
        data = {k: v for k, v in item.items() if k in REVIEW_FIELDS}
        try:
            review = Review.model_validate(data)
        except ValidationError as exc:
            raise _Rejected(_reasons(exc)) from None
        if review.language is None:
            code, confidence = detect_language(review.text)
            review = review.model_copy(
                update={"language": code if confidence >= MIN_CONFIDENCE else self.default_language}
            )
        elif review.language not in CANDIDATES:
            raise _Rejected(
                f"language: '{review.language}' is not a language draftdesk drafts in; "
                f"use one of {', '.join(CANDIDATES)}, or leave it empty to detect it"
            )
        return review

    # --- following -----------------------------------------------------------------------
    def status(self, job_id: str) -> JobStatus:
        """The job's state and progress; RecordNotFound for an unknown id."""
        with self.sessions() as s:
            job = s.get(JobRow, job_id)
            if job is None:
                raise _not_found(job_id)
            counts = dict(
                s.execute(
                    select(JobItemRow.state, func.count())
                    .where(JobItemRow.job_id == job_id)
                    .group_by(JobItemRow.state)
                ).all()
            )
        return _status(job, counts)

    def results(self, job_id: str) -> Iterator[JobItemResult]:
        """Finished items (done or failed) in input order, read from the database a page at a time."""
        self.status(job_id)
        after = 0
        while True:
            with self.sessions() as s:
                page = s.execute(
                    select(
                        JobItemRow.position,
                        JobItemRow.review_id,
                        JobItemRow.state,
                        JobItemRow.result,
                        JobItemRow.error,
                        JobItemRow.request_id,
                    )
                    .where(
                        JobItemRow.job_id == job_id,
                        JobItemRow.state.in_(("done", "failed")),
                        JobItemRow.position > after,
                    )
                    .order_by(JobItemRow.position)
                    .limit(PAGE)
                ).all()
            for position, review_id, state, result, error, request_id in page:
                yield JobItemResult(
                    id=review_id,
                    state=state,
                    result=ReviewReply.model_validate(result) if result else None,
                    error=error,
                    request_id=request_id,
                )
                after = position
            if len(page) < PAGE:
                return

    def results_csv(self, job_id: str) -> Iterator[str]:
        """The results as CSV text, header first, one chunk per line. Cells that a spreadsheet
        would run as a formula (= + - @) are prefixed with a quote."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def line(cells: Sequence[object]) -> str:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([_cell(c) for c in cells])
            return buffer.getvalue()

        yield line(CSV_COLUMNS)
        for item in self.results(job_id):
            reply = item.result
            yield line(
                [
                    item.id,
                    item.state,
                    reply.text if reply else "",
                    reply.engine.value if reply else "",
                    ("yes" if reply.report.passed else "no") if reply else "",
                    reply.report.score if reply else "",
                    item.error or "",
                ]
            )

    def cancel(self, job_id: str) -> JobStatus:
        """Cancel a job: queued items are not drafted; items already finished stay, and the few
        being drafted right now still finish. Cancelling a finished job changes nothing."""
        now = datetime.now(UTC)
        with self.sessions.begin() as s:
            job = s.get(JobRow, job_id)
            if job is None:
                raise _not_found(job_id)
            if job.state in ("queued", "running"):
                s.execute(
                    update(JobItemRow)
                    .where(JobItemRow.job_id == job_id, JobItemRow.state == "queued")
                    .values(state="cancelled", finished_at=now)
                )
                job.state = "cancelled"
                job.finished_at = now
        return self.status(job_id)

    def find(self, source: str) -> JobStatus | None:
        """The newest job submitted with this `source` label, if any."""
        with self.sessions() as s:
            job_id = s.scalar(
                select(JobRow.id).where(JobRow.source == source).order_by(JobRow.created_at.desc()).limit(1)
            )
        return self.status(job_id) if job_id else None


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _given_id(item: Any) -> str | None:
    if isinstance(item, ItemProblem):
        return item.id
    if isinstance(item, dict):
        value = item.get("id")
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return None


def _reasons(exc: ValidationError) -> str:
    parts = []
    for p in validation_problems(exc, Path("item")):
        message = p.message
        if p.field == "text" and "at most" in message:
            message = (
                f"is longer than the {message.split('at most ')[1].split()[0]} characters a review may have"
            )
        parts.append(f"{p.field}: {message}" if p.field else message)
    return "; ".join(parts)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _not_found(job_id: str) -> RecordNotFound:
    return RecordNotFound(f"There is no job '{job_id}'.", "Use the id that submitting the job returned.")


def _status(job: JobRow, counts: dict[str, int]) -> JobStatus:
    done, failed = counts.get("done", 0), counts.get("failed", 0)
    remaining = counts.get("queued", 0) + counts.get("running", 0)
    started = aware(job.started_at)
    rate = finish = None
    worked = done + failed - job.rejected
    if started is not None and worked > 0:
        end = aware(job.finished_at) or datetime.now(UTC)
        elapsed = max((end - started).total_seconds(), 1e-3)
        rate = round(worked / elapsed, 3)
        if remaining and job.state == "running":
            finish = datetime.now(UTC) + timedelta(seconds=remaining / rate)
    created = aware(job.created_at)
    assert created is not None
    return JobStatus(
        id=job.id,
        state=job.state,  # type: ignore[arg-type]
        total=job.total,
        progress=JobProgress(
            done=done,
            failed=failed,
            remaining=remaining,
            cancelled=counts.get("cancelled", 0),
            rate=rate,
            estimated_finish=finish,
        ),
        created_by=job.created_by,
        created_at=created,
        started_at=started,
        finished_at=aware(job.finished_at),
    )
