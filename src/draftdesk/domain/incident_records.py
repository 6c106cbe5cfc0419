"""What the Incident screen works with: an incident being handled, its published timeline, and its end."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from draftdesk.domain.enums import IncidentType, Severity, Stage


class NewIncident(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: IncidentType
    severity: Severity
    title: str = Field(min_length=1, max_length=200)


class PublishedUpdate(BaseModel):
    """One approved message of the incident, as customers saw it."""

    request_id: str
    stage: Stage
    channel: str
    text: str
    approved_by: str
    next_update_at: str | None = Field(None, description="The next update time this update promised.")
    at: datetime


class UpdateDue(BaseModel):
    """When customers expect to hear from us next, and why then."""

    due_at: datetime
    latest_at: datetime
    reason: str
    overdue: bool = Field(description="True once the latest time of the cadence (or the promise) has passed.")
    holding_offered: bool = Field(description="True when a holding update should be drafted now.")


class Resolution(BaseModel):
    """What the comms lead says when closing an incident: it becomes a past incident in the knowledge base."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    cause: str = Field(min_length=1, max_length=1000, description="What caused it, in customers' words.")
    fix: str = Field(min_length=1, max_length=1000, description="What fixed it.")
    lesson: str = Field(
        min_length=1, max_length=1000, description="What changes so it does not happen again."
    )


class IncidentRecord(BaseModel):
    id: str
    type: IncidentType
    severity: Severity
    title: str
    status: Literal["open", "resolved"]
    facts: dict[str, Any] = Field(default_factory=dict, description="The facts form as last edited.")
    resolution: dict[str, Any] = Field(default_factory=dict)
    filed_as: str | None = Field(None, description="Id of the past incident filed into the knowledge base.")
    created_at: datetime
    resolved_at: datetime | None = None
    timeline: list[PublishedUpdate] = Field(default_factory=list)
    last_request_id: str | None = Field(None, description="The newest drafted pack, to reopen it.")

    @property
    def stage(self) -> Stage:
        return Stage(self.facts.get("stage") or Stage.INVESTIGATING)
