"""The review record contract, shared by CSV and JSON Lines inputs, the UI and the API."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from draftdesk.domain.types import AwareDatetime

MAX_REVIEW_CHARS = 20_000
REVIEW_FIELDS = ("id", "platform", "product", "rating", "created_at", "author", "text", "language")
_LANG_RE = re.compile(r"^[a-z]{2}$")


class Review(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    id: str = Field(min_length=1, max_length=200)
    platform: str = Field(min_length=1, max_length=50)
    product: str = Field(min_length=1, max_length=300)
    rating: int = Field(ge=1, le=5)
    created_at: AwareDatetime
    author: str = Field(default="", max_length=200)
    text: str = Field(min_length=1, max_length=MAX_REVIEW_CHARS)
    language: str | None = Field(default=None, description="ISO 639-1; detected when absent")

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            code = value.strip().lower()
            if not _LANG_RE.match(code):
                raise ValueError("use a two-letter ISO 639-1 code such as en, de, fr or es")
            return code
        return value

    @field_validator("platform", mode="after")
    @classmethod
    def _platform(cls, value: str) -> str:
        return value.lower().replace(" ", "_")
