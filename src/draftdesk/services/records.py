"""The record of work: requests, every draft version, autosaved edits and approvals.

The screens, the API and the CLI all go through this service, so an approval always lands
in the `published` collection that the repetition check reads, and the edit distance between
what draftdesk drafted and what a person published is always recorded: the one figure that
says how useful the drafts are.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import ApprovalRow, DraftRow, EditRow, RequestRow
from draftdesk.domain.drafts import Draft, ToneReport
from draftdesk.domain.records import Approval, DraftVersion, RequestKind, RequestRecord
from draftdesk.domain.users import Role, User
from draftdesk.errors import InputError, RecordNotFound
from draftdesk.services.repetition import PublishedReplies, PublishedReply
from draftdesk.services.users import require

REVIEW_CHANNEL = "review"


def word_edit_distance(before: str, after: str) -> int:
    """Words inserted, deleted or replaced to turn `before` into `after` (Levenshtein on words)."""
    a, b = re.findall(r"\S+", before), re.findall(r"\S+", after)
    previous = list(range(len(b) + 1))
    for i, word in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]


class RecordService:
    def __init__(self, sessions: sessionmaker[Session], published: Callable[[], PublishedReplies]) -> None:
        self.sessions = sessions
        self._published = published

    def open_request(
        self, kind: RequestKind, payload: BaseModel, incident_id: str | None = None, by: str | None = None
    ) -> str:
        with self.sessions.begin() as s:
            return self.add_request(s, kind, payload, incident_id=incident_id, by=by)

    @staticmethod
    def add_request(
        s: Session,
        kind: RequestKind,
        payload: BaseModel,
        *,
        incident_id: str | None = None,
        by: str | None = None,
        request_id: str | None = None,
        first_draft: Draft | None = None,
    ) -> str:
        """A new request, with its first draft if given, in the caller's transaction: a batch job
        writes an item's result and its record of work in one commit."""
        request_id = request_id or str(uuid.uuid4())
        s.add(
            RequestRow(
                id=request_id,
                kind=kind,
                payload=payload.model_dump(mode="json"),
                incident_id=incident_id,
                created_by=by,
            )
        )
        if first_draft is not None:
            s.flush()  # the request row first: the draft's foreign key points at it
            s.add(_draft_row(request_id, first_draft, REVIEW_CHANNEL, 1, by))
        return request_id

    def add_draft(
        self, request_id: str, draft: Draft, channel: str = REVIEW_CHANNEL, by: str | None = None
    ) -> DraftVersion:
        with self.sessions.begin() as s:
            self._request(s, request_id)
            version = 1 + len(self._drafts(s, request_id, channel))
            row = _draft_row(request_id, draft, channel, version, by)
            s.add(row)
            s.flush()
            return _draft(row)

    def save_edit(
        self, request_id: str, text: str, channel: str = REVIEW_CHANNEL, by: str | None = None
    ) -> None:
        """Keep what is in the editor, so a reload or a restart gives it back."""
        with self.sessions.begin() as s:
            self._request(s, request_id)
            s.add(EditRow(request_id=request_id, channel=channel, text=text, edited_by=by))

    def approve(
        self,
        request_id: str,
        text: str,
        user: User,
        channel: str = REVIEW_CHANNEL,
        report: ToneReport | None = None,
    ) -> Approval:
        if not text.strip():
            raise InputError("There is no text to approve.", "Write or draft the message first.")
        with self.sessions.begin() as s:
            request = self._request(s, request_id)
            if request.kind == "incident_update":
                # Checked here too, so no entry point can publish an incident update past the rule.
                require(user, Role.LEAD, "approve incident updates")
            drafts = self._drafts(s, request_id, channel)
            draft = drafts[-1] if drafts else None
            before = draft.text if draft else ""
            distance = word_edit_distance(before, text)
            longest = max(len(text.split()), len(before.split()), 1)
            row = ApprovalRow(
                request_id=request_id,
                channel=channel,
                draft_id=draft.id if draft else None,
                approved_by=user.name,
                published_text=text,
                edit_distance=distance,
                edit_ratio=round(distance / longest, 3),
                report=report.model_dump(mode="json") if report else {},
            )
            s.add(row)
            is_reply = request.kind == "review_reply"
            if is_reply:
                request.status = "approved"
            s.flush()
            approval = _approval(row)
            payload = dict(request.payload)
        if is_reply:
            # The repetition check compares every later draft with what was published.
            self._published().add(
                [
                    PublishedReply(
                        id=request_id,
                        text=text,
                        product=payload.get("product") or "",
                        review_id=payload.get("id") or "",
                    )
                ]
            )
        return approval

    def discard(self, request_id: str) -> None:
        with self.sessions.begin() as s:
            self._request(s, request_id).status = "discarded"

    def get(self, request_id: str) -> RequestRecord:
        with self.sessions() as s:
            request = self._request(s, request_id)
            drafts = s.scalars(
                select(DraftRow).where(DraftRow.request_id == request_id).order_by(DraftRow.id)
            )
            edits = s.scalars(select(EditRow).where(EditRow.request_id == request_id).order_by(EditRow.id))
            approvals = s.scalars(
                select(ApprovalRow).where(ApprovalRow.request_id == request_id).order_by(ApprovalRow.id)
            )
            return RequestRecord(
                id=request.id,
                kind=request.kind,  # type: ignore[arg-type]
                payload=request.payload,
                status=request.status,  # type: ignore[arg-type]
                incident_id=request.incident_id,
                created_by=request.created_by,
                created_at=request.created_at,
                drafts=[_draft(d) for d in drafts],
                work_in_progress={e.channel: e.text for e in edits},
                approvals=[_approval(a) for a in approvals],
            )

    def recent(self, kind: RequestKind | None = None, limit: int = 50) -> list[RequestRecord]:
        with self.sessions() as s:
            query = select(RequestRow.id).order_by(RequestRow.created_at.desc()).limit(limit)
            if kind:
                query = query.where(RequestRow.kind == kind)
            ids = list(s.scalars(query))
        return [self.get(i) for i in ids]

    @staticmethod
    def _request(s: Session, request_id: str) -> RequestRow:
        row = s.get(RequestRow, request_id)
        if row is None:
            raise RecordNotFound(f"No request with id {request_id!r}.", "Open it again from the list.")
        return row

    @staticmethod
    def _drafts(s: Session, request_id: str, channel: str) -> list[DraftRow]:
        query = select(DraftRow).where(DraftRow.request_id == request_id, DraftRow.channel == channel)
        return list(s.scalars(query.order_by(DraftRow.version)))


def _draft_row(request_id: str, draft: Draft, channel: str, version: int, by: str | None) -> DraftRow:
    return DraftRow(
        request_id=request_id,
        channel=channel,
        version=version,
        title=getattr(draft, "title", None),
        text=draft.text,
        engine=draft.engine.value,
        model=draft.model,
        prompt=f"{draft.prompt.name}@{draft.prompt.version}" if draft.prompt else None,
        sources=[src.model_dump(mode="json") for src in draft.sources],
        report=draft.report.model_dump(mode="json"),
        created_by=by,
    )


def _draft(row: DraftRow) -> DraftVersion:
    return DraftVersion.model_validate(row, from_attributes=True)


def _approval(row: ApprovalRow) -> Approval:
    return Approval.model_validate(row, from_attributes=True)
