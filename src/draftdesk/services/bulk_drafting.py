"""A whole file of reviews drafted in one go, each draft recorded for an agent to approve.

A bad row never stops the run: it is reported with its line, and every other review is
drafted. The screen, the API and the CLI share this, so a wave drafted anywhere is in the
same record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel

from draftdesk.domain.problems import Problem
from draftdesk.domain.reviews import Review
from draftdesk.domain.users import User
from draftdesk.errors import DraftdeskError
from draftdesk.services.drafting_support import with_issue
from draftdesk.services.records import RecordService
from draftdesk.services.repetition import BatchReplies
from draftdesk.services.review_drafting import ReviewDrafter
from draftdesk.services.review_io import read_reviews, review_request


class BulkRow(BaseModel):
    request_id: str
    review_id: str
    product: str
    kind: str
    passed: bool
    score: int
    reply: str


class BulkResult(BaseModel):
    rows: list[BulkRow]
    problems: list[str]


def draft_file(
    path: Path,
    drafter: ReviewDrafter,
    records: RecordService,
    progress: Callable[[int, int], None] = lambda done, total: None,
    by: str | None = None,
    max_overlap: float = 0.5,
) -> BulkResult:
    batch = read_reviews(path)
    result = draft_reviews(
        batch.reviews, drafter, records, progress, by, source=path, max_overlap=max_overlap
    )
    result.problems[:0] = [str(p) for p in batch.problems]
    return result


def draft_reviews(
    reviews: Sequence[Review],
    drafter: ReviewDrafter,
    records: RecordService,
    progress: Callable[[int, int], None] = lambda done, total: None,
    by: str | None = None,
    context: Mapping[str, str] | None = None,
    source: Path | None = None,
    max_overlap: float = 0.5,
) -> BulkResult:
    """Draft and record a reply to each review. Each draft is also checked against the drafts
    before it in this batch: twenty replies that read alike under twenty reviews look robotic.
    `context`: facts per review id (an incident's published facts) the reply must agree with."""
    rows: list[BulkRow] = []
    problems: list[str] = []
    earlier = BatchReplies(max_overlap, where="the draft for review")
    for n, review in enumerate(reviews):
        progress(n, len(reviews))
        request = review_request(review)
        if context and review.id in context:
            request = request.model_copy(update={"context": context[review.id]})
        try:
            reply = drafter.draft(request)
        except DraftdeskError as exc:
            problems.append(
                str(Problem(file=source or Path("The wave"), message=f"review {review.id}: {exc.message}"))
            )
            continue
        repeat = earlier.match(reply.text)
        if repeat is not None:
            reply = with_issue(reply, repeat)
        earlier.add(review.id, reply.text)
        request_id = records.open_request("review_reply", request, by=by)
        records.add_draft(request_id, reply, by=by)
        rows.append(
            BulkRow(
                request_id=request_id,
                review_id=review.id,
                product=review.product,
                kind=str(reply.kind),
                passed=reply.report.passed,
                score=reply.report.score,
                reply=reply.text,
            )
        )
    progress(len(reviews), len(reviews))
    return BulkResult(rows=rows, problems=problems)


def approve_passing(rows: list[BulkRow], records: RecordService, user: User) -> int:
    """Approve, unchanged, every draft that passed its checks; the others wait for a person."""
    approved = 0
    for row in rows:
        if row.passed:
            records.approve(row.request_id, row.reply, user)
            approved += 1
    return approved
