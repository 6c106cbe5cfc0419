"""Read review records from CSV or JSON Lines; a bad row is reported, never dropped silently."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from draftdesk.domain.drafts import ReviewRequest
from draftdesk.domain.problems import Problem
from draftdesk.domain.reviews import REVIEW_FIELDS, Review
from draftdesk.errors import InputError
from draftdesk.services.language import detect_language
from draftdesk.services.text_files import FileProblem, read_text, validation_problems

MIN_CONFIDENCE = 0.5
REQUIRED = ("id", "platform", "product", "rating", "created_at", "text")


class ReviewBatch(BaseModel):
    reviews: list[Review] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    detected_languages: int = 0


def read_reviews(path: Path, default_language: str = "en") -> ReviewBatch:
    try:
        text = read_text(path)
    except FileProblem as exc:
        raise InputError(str(exc.problem), "Save the file as UTF-8 and try again.") from exc
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows = _jsonl_rows(text, path)
    elif path.suffix.lower() in (".csv", ".tsv", ".txt"):
        rows = csv_rows(text, path)
    else:
        raise InputError(f"{path} is neither CSV nor JSON Lines.", "Use a .csv or .jsonl file.")
    return parse_rows(rows, path, default_language)


def decode_upload(data: bytes) -> str:
    """An uploaded CSV's text; InputError naming the first byte that is not UTF-8, or an empty file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"The CSV is not UTF-8: byte 0x{data[exc.start]:02x} on line {line} "
            f"(offset {exc.start}) cannot be read.",
            "Save the file as UTF-8 (in Excel: Save As → CSV UTF-8) and upload it again.",
        ) from exc
    if not text.strip():
        raise InputError(
            "The CSV is empty.",
            f"Upload a header line ({', '.join(REVIEW_FIELDS)}) and one row per review.",
        )
    return text


def parse_rows(rows: list[tuple[int, Any]], path: Path, default_language: str = "en") -> ReviewBatch:
    batch = ReviewBatch()
    seen: set[str] = set()
    for line, row in rows:
        if isinstance(row, Problem):
            batch.problems.append(row)
            continue
        try:
            review = Review.model_validate(row)
        except ValidationError as exc:
            batch.problems += validation_problems(exc, path, line=line)
            continue
        if review.id in seen:
            batch.problems.append(
                Problem(file=path, line=line, field="id", message=f"duplicate review id '{review.id}'")
            )
            continue
        seen.add(review.id)
        if review.language is None:
            code, confidence = detect_language(review.text)
            review = review.model_copy(
                update={"language": code if confidence >= MIN_CONFIDENCE else default_language}
            )
            batch.detected_languages += 1
        batch.reviews.append(review)
    return batch


def csv_rows(text: str, path: Path) -> list[tuple[int, Any]]:
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise InputError(
            f"{path} lacks the column(s) {', '.join(missing)}.",
            f"The header must name these columns: {', '.join(REVIEW_FIELDS)} "
            "(author and language may be empty).",
        )
    reader.fieldnames = header
    rows: list[tuple[int, Any]] = []
    for row in reader:
        line = reader.line_num
        if None in row:  # more cells than the header names
            rows.append((line, Problem(file=path, line=line, message="has more cells than the header")))
            continue
        rows.append((line, {k: v for k, v in row.items() if k in REVIEW_FIELDS}))
    return rows


def _jsonl_rows(text: str, path: Path) -> list[tuple[int, Any]]:
    rows: list[tuple[int, Any]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append((n, Problem(file=path, line=n, message=f"is not valid JSON: {exc.msg}")))
            continue
        if not isinstance(value, dict):
            rows.append((n, Problem(file=path, line=n, message="must be a JSON object")))
            continue
        rows.append((n, value))
    return rows


def review_request(review: Review) -> ReviewRequest:
    """The drafting request for a review record, as the bulk page, batch jobs and the API draft it."""
    return ReviewRequest(
        id=review.id,
        text=review.text,
        rating=review.rating,
        product=review.product,
        platform=review.platform,
        author=review.author,
        language=review.language,
    )
