"""Drafting a review reply into the record of work: a regenerate of the open request becomes its
next version; a changed, approved or discarded review starts a new request."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from draftdesk.domain.drafts import ReviewReply, ReviewRequest
from draftdesk.domain.records import RequestRecord
from draftdesk.errors import RecordNotFound
from draftdesk.services.records import RecordService
from draftdesk.services.review_drafting import ReviewDrafter


class RecordedReply(BaseModel):
    """A finished draft and where the record keeps it."""

    request_id: str
    version: int
    reply: ReviewReply


def stream_recorded(
    drafter: ReviewDrafter,
    records: RecordService,
    review: ReviewRequest,
    request_id: str | None = None,
    instruction: str | None = None,
    by: str | None = None,
) -> Iterator[str | RecordedReply]:
    """Draft as it arrives, then keep the result: the next version of the open request when it is
    for this same review (a regenerate), else the first version of a new request."""
    previous = _open_request_for(records, request_id, review)
    variant = len(previous.drafts) if previous else 0
    for item in drafter.stream(review, instruction, variant):
        if isinstance(item, str):
            yield item
            continue
        target = previous.id if previous else records.open_request("review_reply", review, by=by)
        version = records.add_draft(target, item, by=by)
        yield RecordedReply(request_id=target, version=version.version, reply=item)


def _open_request_for(
    records: RecordService, request_id: str | None, review: ReviewRequest
) -> RequestRecord | None:
    if not request_id:
        return None
    try:
        record = records.get(request_id)
    except RecordNotFound:
        return None
    # A changed review, or one already approved or discarded, is a new piece of work.
    same = record.payload == review.model_dump(mode="json")
    return record if same and record.status == "open" else None
