"""What the record database tells the screens: a request with its drafts, edits and approvals."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

RequestKind = Literal["review_reply", "incident_update"]


class DraftVersion(BaseModel):
    id: int
    channel: str
    version: int
    title: str | None = Field(None, description="Status-page title or email subject.")
    text: str
    engine: str
    model: str
    prompt: str | None = None
    sources: list[dict[str, Any]] = Field(default_factory=list)
    report: dict[str, Any] = Field(default_factory=dict)
    created_by: str | None = Field(None, description="Who asked for this version; None before sign-in.")
    created_at: datetime


class Approval(BaseModel):
    id: int
    channel: str
    approved_by: str
    published_text: str
    draft_id: int | None = None
    edit_distance: int = Field(
        description="Words inserted, deleted or changed between draft and published text."
    )
    edit_ratio: float = Field(
        description="edit_distance over the longer text's word count: 0 = published as drafted."
    )
    report: dict[str, Any] = Field(
        default_factory=dict, description="The check report of the published text."
    )
    approved_at: datetime


class RequestRecord(BaseModel):
    id: str
    kind: RequestKind
    payload: dict[str, Any]
    status: Literal["open", "approved", "discarded"]
    incident_id: str | None = None
    created_by: str | None = Field(None, description="Who opened the request; None before sign-in.")
    created_at: datetime
    drafts: list[DraftVersion] = Field(default_factory=list)
    work_in_progress: dict[str, str] = Field(
        default_factory=dict, description="The newest unsaved editor text per channel."
    )
    approvals: list[Approval] = Field(default_factory=list)
