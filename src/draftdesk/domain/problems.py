"""A validation problem found in a user's file, precise enough to fix without guessing."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel


class Problem(BaseModel):
    file: Path
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = str(self.file) + (f":{self.line}" if self.line else "")
        field = f" [{self.field}]" if self.field else ""
        return f"{where}{field}: {self.message}"
