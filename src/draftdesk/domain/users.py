"""Who is working: support agents and comms leads. The role decides what a user may approve."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Role(StrEnum):
    AGENT = "agent"
    LEAD = "lead"


class User(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role
    local: bool = Field(False, description="True for the single local user when no accounts exist.")


# With no accounts configured the app serves one person on their own machine, who does everything.
LOCAL_USER = User(name="local user", role=Role.LEAD, local=True)
