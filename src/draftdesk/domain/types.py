"""Field types shared by the contracts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator


def _aware(value: datetime) -> datetime:
    # a time without an offset is ambiguous across a store's regions
    if value.tzinfo is None:
        raise ValueError("add a UTC offset, for example 2026-09-14T08:21:00+00:00")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
