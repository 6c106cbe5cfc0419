"""Requests and results of drafting: the same models in the CLI, the UI and the API."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from draftdesk.domain.enums import Channel, IncidentType, Stage
from draftdesk.domain.reviews import MAX_REVIEW_CHARS
from draftdesk.domain.types import AwareDatetime

INCIDENT_CHANNELS: tuple[Channel, ...] = tuple(c for c in Channel if c != Channel.REVIEW)


class ReviewKind(StrEnum):
    LEGITIMATE_COMPLAINT = "legitimate_complaint"
    MISLEADING_EXPECTATION = "misleading_expectation"
    SUSPECTED_FAKE = "suspected_fake"
    POSITIVE = "positive"
    MIXED = "mixed"
    ABUSIVE = "abusive"


class Engine(StrEnum):
    OPENAI = "openai"
    LOCAL = "local"
    TEMPLATE = "template"


class Family(StrEnum):
    GENERIC = "generic"
    DEFENSIVE = "defensive"
    JARGON = "jargon"
    SUGARCOAT = "sugarcoat"
    UNSUPPORTED_CLAIM = "unsupported_claim"
    MISSING_ELEMENT = "missing_element"
    TOO_LONG = "too_long"
    PRIVATE_DATA = "private_data"
    WRONG_LANGUAGE = "wrong_language"
    NEAR_DUPLICATE = "near_duplicate"
    STYLE = "style"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class ToneIssue(BaseModel):
    rule: str
    family: Family
    severity: Severity
    span: tuple[int, int] | None = None
    message: str
    suggestion: str = ""


class MessageKind(StrEnum):
    REVIEW_REPLY = "review_reply"
    STATUS_UPDATE = "status_update"


class ToneReport(BaseModel):
    passed: bool = Field(description="True when no issue is an error.")
    score: int = Field(ge=0, le=100, description="100 is clean; each error and warning costs points.")
    issues: list[ToneIssue] = Field(default_factory=list)
    specificity: float | None = Field(
        None,
        ge=0,
        le=1,
        description="How much the text speaks to this review or incident rather than any (0-1).",
    )

    @property
    def families(self) -> set[Family]:
        """The families with at least one error: what an agent has to fix."""
        return {i.family for i in self.errors}

    @property
    def errors(self) -> list[ToneIssue]:
        return [i for i in self.issues if i.severity == Severity.ERROR]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReviewRequest(_Request):
    """A review to reply to. Only `text` is required; the rest makes the reply specific."""

    text: str = Field(max_length=MAX_REVIEW_CHARS)
    rating: int | None = Field(None, ge=1, le=5)
    product: str | None = Field(None, max_length=300)
    platform: str | None = Field(None, max_length=50)
    author: str = Field("", max_length=200, description="The reviewer's display name.")
    language: str | None = Field(None, description="ISO 639-1; detected when absent.")
    date: AwareDatetime | None = None
    context: str | None = Field(
        None, max_length=4000, description="What the store knows: the order, a live incident."
    )
    id: str | None = Field(None, max_length=200)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the review text is empty: paste the words of the review")
        return value


class IncidentFacts(_Request):
    """What the comms lead knows right now. None means unknown: nothing may be invented for it."""

    type: IncidentType
    stage: Stage
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=2000, description="What customers experience.")
    affected: str = Field(min_length=1, max_length=1000, description="Who and what is affected.")
    actions: str = Field(min_length=1, max_length=2000, description="What the team is doing.")
    workaround: str | None = Field(None, max_length=1000)
    eta: str | None = Field(None, max_length=200)
    next_update_at: str | None = Field(None, max_length=200)
    compensation: str | None = Field(None, max_length=1000)
    cause: str | None = Field(None, max_length=1000)
    channels: list[Channel] = Field(default_factory=lambda: list(INCIDENT_CHANNELS))

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[Channel]) -> list[Channel]:
        if Channel.REVIEW in value:
            raise ValueError(
                f"'review' is not an incident channel; use {[str(c) for c in INCIDENT_CHANNELS]}"
            )
        if not value:
            raise ValueError("name at least one channel")
        return list(dict.fromkeys(value))

    def known(self) -> dict[str, str]:
        """The facts that have a value, by placeholder name."""
        return {k: v for k, v in self.model_dump(exclude={"channels"}).items() if isinstance(v, str) and v}


class Source(BaseModel):
    id: str
    title: str
    collection: str
    why: str


class PromptRef(BaseModel):
    name: str
    version: int


class Draft(BaseModel):
    """What every draft carries: its text, who wrote it, from what, and how it checked out."""

    text: str
    engine: Engine
    model: str
    fallback: bool = Field(False, description="True when the template engine stood in for a failed LLM.")
    prompt: PromptRef | None = None
    sources: list[Source] = Field(default_factory=list)
    report: ToneReport
    warnings: list[str] = Field(default_factory=list)
    revisions: int = 0


class ReviewReply(Draft):
    kind: ReviewKind
    language: str
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per step.")
    review_id: str | None = None


class ChannelDraft(Draft):
    channel: Channel
    title: str | None = Field(None, description="Status-page title or email subject.")
    limit: int | None = Field(None, description="Hard character limit of the channel's text.")


class IncidentPack(BaseModel):
    facts: IncidentFacts
    drafts: list[ChannelDraft]
    warnings: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)

    def draft(self, channel: Channel | str) -> ChannelDraft:
        return next(d for d in self.drafts if d.channel == channel)


JSONDict = dict[str, Any]
