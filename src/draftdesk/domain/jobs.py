"""Batch jobs: a night's worth of reviews drafted in the background, every item accounted for.

These names are contracts that integrations read: job `state` is one of queued, running,
done, cancelled; each result line has the review's `id`, `state` done or failed, and the
reply `result` or the `error`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from draftdesk.domain.drafts import ReviewReply

JobState = Literal["queued", "running", "done", "cancelled"]
# `cancelled`: an item still queued when its job was cancelled; it never appears in the results.
ItemState = Literal["queued", "running", "done", "failed", "cancelled"]
MAX_JOB_ITEMS = 100_000


class JobProgress(BaseModel):
    done: int = Field(0, description="Items drafted.")
    failed: int = Field(0, description="Items that could not be drafted; each result line says why.")
    remaining: int = Field(0, description="Items still queued or being drafted.")
    cancelled: int = Field(0, description="Items not drafted because the job was cancelled.")
    rate: float | None = Field(None, description="Items finished per second since the job started.")
    estimated_finish: datetime | None = Field(None, description="When the job should end at this rate.")


class JobStatus(BaseModel):
    id: str
    state: JobState
    total: int
    progress: JobProgress
    created_by: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


class JobItemResult(BaseModel):
    """One line of a job's results."""

    id: str = Field(description="The review's id (or `#N`, its position, when it had none).")
    state: Literal["done", "failed"]
    result: ReviewReply | None = None
    error: str | None = None
    request_id: str | None = Field(
        None, description="The draft's request in the record of work, where an agent approves it."
    )
