"""What the History screen shows: every draft version with its fate, the word-level diff between
a draft and what was published, and the figures behind the charts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from draftdesk.domain.records import RequestKind

ApprovedFilter = Literal["any", "yes", "no"]
DiffOp = Literal["equal", "insert", "delete", "replace"]
UNKNOWN_USER = "unknown"


class HistoryFilters(BaseModel):
    """None (or "any") means no filter. Days are inclusive and counted in UTC."""

    user: str | None = Field(None, description="Who drafted or who approved the version.")
    kind: RequestKind | None = None
    channel: str | None = None
    engine: str | None = Field(None, description="openai, local or template: `drafts.engine`.")
    date_from: date | None = None
    date_to: date | None = None
    approved: ApprovedFilter = "any"

    @model_validator(mode="after")
    def _days_in_order(self) -> HistoryFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the date range ends ({self.date_to}) before it starts ({self.date_from})")
        return self


class HistoryRow(BaseModel):
    """One draft version and, when it was the one approved, its approval."""

    draft_id: int
    request_id: str
    kind: RequestKind
    channel: str
    version: int
    engine: str
    model: str
    drafted_by: str = Field(description="Who asked for the draft, else who opened the request.")
    created_at: datetime = Field(description="When the draft was written (UTC).")
    check_passed: bool | None = Field(None, description="None when the draft has no check report.")
    check_score: int | None = None
    issue_families: list[str] = Field(
        default_factory=list, description="Families of the check's issues (errors and warnings), sorted."
    )
    approved: bool = False
    approved_by: str | None = None
    approved_at: datetime | None = None
    edit_distance: int | None = Field(
        None, description="Words changed between this draft and the published text."
    )
    edit_ratio: float | None = None
    draft_text: str
    published_text: str | None = None


class DiffSegment(BaseModel):
    op: DiffOp
    old: list[str] = Field(default_factory=list, description="The draft's words in this segment.")
    new: list[str] = Field(default_factory=list, description="The published words in this segment.")


class WordDiff(BaseModel):
    draft_id: int
    request_id: str
    channel: str
    version: int
    approved: bool
    approved_by: str | None = None
    distance: int | None = Field(None, description="The recorded edit distance of the approval.")
    segments: list[DiffSegment] = Field(default_factory=list)
    note: str = Field("", description="Why there is nothing to compare, when the draft was not approved.")


class DayCount(BaseModel):
    day: date
    drafts: int


class DayRate(BaseModel):
    day: date = Field(description="The day of the request's first draft in the filtered rows.")
    drafted: int = Field(description="Requests with a draft that day.")
    approved: int = Field(description="Of those, requests with an approved draft.")
    rate: float = Field(ge=0, le=1)


class WeekEngineMedian(BaseModel):
    week: str = Field(description="ISO week of the draft, e.g. 2026-W09.")
    engine: str
    approvals: int
    median_edit_distance: float


class IssueCount(BaseModel):
    family: str
    drafts: int = Field(description="Drafts whose check raised at least one issue of this family.")


class AgentCount(BaseModel):
    agent: str
    drafts: int


class HistoryCharts(BaseModel):
    drafts: int
    approved: int = Field(description="Draft versions that were approved.")
    approval_rate: float | None = Field(None, description="Approved requests over drafted requests.")
    median_edit_distance: float | None = None
    drafts_per_day: list[DayCount] = Field(default_factory=list, description="Every day in range, 0s too.")
    approval_rate_per_day: list[DayRate] = Field(default_factory=list)
    median_edit_distance_per_week: list[WeekEngineMedian] = Field(default_factory=list)
    top_issues: list[IssueCount] = Field(default_factory=list, description="At most 10, most frequent first.")
    drafts_per_agent: list[AgentCount] = Field(default_factory=list)


class HistoryOptions(BaseModel):
    """What the filter dropdowns offer: the values the records hold."""

    users: list[str]
    channels: list[str]
    engines: list[str]
