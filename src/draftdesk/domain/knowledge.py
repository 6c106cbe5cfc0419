"""The knowledge-base formats (see docs/knowledge-format.md): a company's own files must fit these."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from draftdesk.domain.enums import (
    STAGE_ORDER,
    AppliesTo,
    Approver,
    Channel,
    ExampleTone,
    IncidentType,
    KnowledgeKind,
    PhraseFamily,
    Severity,
    Stage,
)
from draftdesk.domain.types import AwareDatetime

PLACEHOLDERS = frozenset(
    {
        "store_name",
        "affected",
        "product",
        "region",
        "started_at",
        "eta",
        "workaround",
        "next_update_at",
        "resolved_at",
        "compensation",
        "cause",
        "contact",
    }
)
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
OPTIONAL_SEGMENT_RE = re.compile(r"\[\[(.*?)\]\]", re.S)
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
LIMIT_KEY_RE = re.compile(
    r"^(sms|social|banner|in_app|email|status_page_title|email_subject|review\.[a-z_]+)$"
)


def _check_id(value: str) -> str:
    if not ID_RE.match(value):
        raise ValueError("use letters, digits, '.', '_' or '-' only, starting with a letter or digit")
    return value


EntryId = Annotated[str, AfterValidator(_check_id)]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class AvoidPhrase(_Strict):
    text: NonEmpty
    family: PhraseFamily
    why: NonEmpty
    instead: NonEmpty


class ToneExample(_Strict):
    text: NonEmpty
    family: ExampleTone


class Allowance(_Strict):
    offer: NonEmpty
    max_value: NonEmpty
    when: NonEmpty
    approver: Approver


class GuidelineMeta(_Strict):
    """YAML front matter of a guideline."""

    id: EntryId
    title: NonEmpty
    applies_to: list[AppliesTo] = Field(min_length=1)
    channels: list[Channel] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    phrases: list[AvoidPhrase] = Field(default_factory=list)
    examples: list[ToneExample] = Field(default_factory=list)
    limits: dict[str, int] = Field(default_factory=dict)
    cadence_minutes: dict[Stage, tuple[int, int]] = Field(default_factory=dict)
    allowances: list[Allowance] = Field(default_factory=list)

    @field_validator("limits")
    @classmethod
    def _limit_keys(cls, limits: dict[str, int]) -> dict[str, int]:
        for key, value in limits.items():
            if not LIMIT_KEY_RE.match(key):
                raise ValueError(
                    f"unknown limit key '{key}': use a channel name, status_page_title, "
                    "email_subject or review.<platform>"
                )
            if value <= 0:
                raise ValueError(f"limit '{key}' must be a positive number of characters")
        return limits


class Section(BaseModel):
    heading: str
    text: str


class Guideline(BaseModel):
    meta: GuidelineMeta
    body: str
    source: Path
    imported_with_defaults: bool = False


class TimelineUpdate(_Strict):
    stage: Stage
    channel: Channel
    at: AwareDatetime
    text: NonEmpty


class Incident(_Strict):
    id: EntryId
    type: IncidentType
    title: NonEmpty
    severity: Severity
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    affected_products: list[str] = Field(default_factory=list)
    affected_regions: list[str] = Field(default_factory=list)
    affected_channels: list[str] = Field(default_factory=list)
    customer_impact: NonEmpty
    customer_cause: NonEmpty
    root_cause: NonEmpty
    workaround: str | None = None
    resolution: str | None = None
    compensation: str | None = None
    timeline: list[TimelineUpdate] = Field(min_length=1)
    lessons: list[NonEmpty] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Incident:
        if self.ended_at and self.ended_at < self.started_at:
            raise ValueError("ended_at is before started_at")
        times = [u.at for u in self.timeline]
        if times != sorted(times):
            raise ValueError("timeline updates must be in time order")
        stages = [STAGE_ORDER[u.stage] for u in self.timeline]
        if stages != sorted(stages):
            raise ValueError("timeline stages go backwards (investigating → … → follow_up)")
        if self.ended_at and not self.resolution:
            raise ValueError("a closed incident (ended_at set) needs a resolution")
        return self


class TemplateMessage(_Strict):
    stage: Stage
    channel: Channel
    title: str | None = None
    text: NonEmpty

    @model_validator(mode="after")
    def _placeholders(self) -> TemplateMessage:
        if self.channel == Channel.STATUS_PAGE and not self.title:
            raise ValueError("a status_page message needs a title")
        for part in (self.title or "", self.text):
            if part.count("[[") != part.count("]]"):
                raise ValueError("unbalanced [[ ]] optional segment")
            unknown = set(PLACEHOLDER_RE.findall(part)) - PLACEHOLDERS
            if unknown:
                raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(PLACEHOLDERS)}")
        return self

    def full_text(self) -> str:
        """The text with every optional segment present: the longest it can be."""
        return OPTIONAL_SEGMENT_RE.sub(r"\1", self.text)


class TemplateFile(_Strict):
    incident_type: IncidentType | Literal["generic"]
    title: str | None = None
    messages: list[TemplateMessage] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> TemplateFile:
        seen: set[tuple[Stage, Channel]] = set()
        for m in self.messages:
            key = (m.stage, m.channel)
            if key in seen:
                raise ValueError(f"two messages for stage {m.stage} on channel {m.channel}")
            seen.add(key)
        return self


class Template(BaseModel):
    """One message of a template file, with its id `<incident_type>.<stage>.<channel>`."""

    incident_type: str
    message: TemplateMessage
    source: Path

    @property
    def id(self) -> str:
        return f"{self.incident_type}.{self.message.stage}.{self.message.channel}"


REPLY_PLACEHOLDERS = frozenset({"author", "product", "quote", "contact", "store_name"})
REPLY_KINDS = (
    "legitimate_complaint",
    "misleading_expectation",
    "suspected_fake",
    "positive",
    "mixed",
    "abusive",
)
Variants = list[NonEmpty]


class ReplySlots(_Strict):
    acknowledge: Variants = Field(min_length=1)
    remedy: Variants = Field(default_factory=list)
    next_step: Variants = Field(min_length=1)


class ReplyPhrasing(_Strict):
    """`replies/<lang>.yaml`: the pieces the template engine builds a review reply from."""

    language: str = Field(pattern=r"^[a-z]{2}$")
    greeting: Variants = Field(min_length=1)
    greeting_anonymous: Variants = Field(min_length=1)
    signoff: Variants = Field(min_length=1)
    kinds: dict[str, ReplySlots]

    @model_validator(mode="after")
    def _complete(self) -> ReplyPhrasing:
        missing = [k for k in REPLY_KINDS if k not in self.kinds]
        unknown = [k for k in self.kinds if k not in REPLY_KINDS]
        if missing or unknown:
            raise ValueError(
                f"kinds must be exactly {list(REPLY_KINDS)}; missing {missing}, unknown {unknown}"
            )
        texts = [*self.greeting, *self.greeting_anonymous, *self.signoff]
        for slots in self.kinds.values():
            texts += [*slots.acknowledge, *slots.remedy, *slots.next_step]
        for text in texts:
            unknown_ph = set(PLACEHOLDER_RE.findall(text)) - REPLY_PLACEHOLDERS
            if unknown_ph:
                raise ValueError(
                    f"unknown placeholder(s) {sorted(unknown_ph)} in “{text}”; "
                    f"allowed: {sorted(REPLY_PLACEHOLDERS)}"
                )
        return self


class KnowledgeBase(BaseModel):
    """Everything parsed from a knowledge directory, valid as a whole."""

    root: Path
    guidelines: list[Guideline] = Field(default_factory=list)
    incidents: list[tuple[Incident, Path]] = Field(default_factory=list)
    templates: list[Template] = Field(default_factory=list)
    replies: dict[str, ReplyPhrasing] = Field(default_factory=dict)

    def limits(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        for g in self.guidelines:
            merged.update(g.meta.limits)
        return merged

    def cadence(self, stage: Stage) -> tuple[int, int] | None:
        """Minutes between public updates at this stage, from the first guideline that says."""
        return next(
            (g.meta.cadence_minutes[stage] for g in self.guidelines if stage in g.meta.cadence_minutes), None
        )

    def count(self, kind: KnowledgeKind) -> int:
        return {
            KnowledgeKind.GUIDELINES: len(self.guidelines),
            KnowledgeKind.INCIDENTS: len(self.incidents),
            KnowledgeKind.TEMPLATES: len(self.templates),
        }[kind]
