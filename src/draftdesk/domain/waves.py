"""The review-wave report: themes, spikes, suspected fakes, incident links and actions.

Field names are a contract read by other tools (`draftdesk waves --json`, `POST /api/v1/review-waves`).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from draftdesk.domain.drafts import ReviewReply


class Theme(BaseModel):
    """Negative and mixed reviews that complain about the same thing."""

    label: str = Field(
        description="A short human label: the model's when one is configured, else the top words."
    )
    review_ids: list[str]
    count: int
    first: date
    last: date
    share: float = Field(description="Share of the wave's negative and mixed reviews in this theme.")
    words: list[str] = Field(default_factory=list, description="The theme's most distinctive words.")
    products: dict[str, int] = Field(default_factory=dict, description="Reviews per product.")
    examples: list[str] = Field(default_factory=list, description="Up to three review texts, shortened.")
    mean_rating: float = 0.0


class DailyPoint(BaseModel):
    day: date
    count: int
    mean_rating: float | None = None


class Spike(BaseModel):
    """Days when a product got far more (or far worse) reviews than its own baseline."""

    product: str
    start: date
    end: date
    count: int = Field(description="Reviews of the product from start to end.")
    baseline: float = Field(description="The product's usual reviews a day, outside the spike.")
    mean_rating: float
    baseline_rating: float | None = None
    trigger: str | None = Field(None, description="A phrase or link many reviews in the spike share, if any.")
    trigger_review_ids: list[str] = Field(default_factory=list)


class SuspectedFake(BaseModel):
    id: str
    reasons: list[str]
    advice: str = (
        "Report it to the platform with these reasons. Do not accuse the reviewer or argue in public: "
        "a short neutral reply, or none."
    )


class IncidentLink(BaseModel):
    incident_id: str
    title: str
    review_ids: list[str]
    score: float = Field(description="Best similarity between a review and the incident.")
    facts: str = Field("", description="What the incident record says; replies must agree with it.")


class Action(BaseModel):
    theme: str
    root_cause: str = Field(description="A hypothesis to confirm, not a finding.")
    fix: str
    reply_strategy: str


class ProductSeries(BaseModel):
    product: str
    days: list[DailyPoint]


class WaveReport(BaseModel):
    reviews: int
    negative: int = Field(description="Reviews rated 1 to 3: the ones grouped into themes.")
    period_start: date | None = None
    period_end: date | None = None
    themes: list[Theme] = Field(default_factory=list)
    spikes: list[Spike] = Field(default_factory=list)
    suspected_fakes: list[SuspectedFake] = Field(default_factory=list)
    incident_links: list[IncidentLink] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    announcement: str = Field("", description="A 'what we changed' draft for when the fix ships.")
    follow_up: str = Field(
        "", description="A message asking customers for an honest review; no incentive tied to a rating."
    )
    series: list[ProductSeries] = Field(default_factory=list, description="Daily volume per product.")
    problems: list[str] = Field(default_factory=list, description="Rows that could not be read, and why.")
    seconds: float = 0.0


class WaveDrafts(BaseModel):
    """Replies for every review of a wave, each checked against the others for repetition."""

    replies: dict[str, ReviewReply]
    errors: dict[str, str] = Field(default_factory=dict)
