"""What the REST API's routes take and give: request and response models, their OpenAPI
examples and problem entries, review bodies as JSON or CSV, and the results' format for an Accept
header."""

import json
from collections.abc import Iterator
from typing import Any, Literal

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from draftdesk.domain.jobs import MAX_JOB_ITEMS, JobItemResult
from draftdesk.entry.problems import PROBLEM_JSON, NotAcceptable, ProblemDetail
from draftdesk.errors import InputError

MAX_SYNC_REVIEWS = 100
NDJSON = "application/x-ndjson"
CSV = "text/csv"

REVIEW_EXAMPLE: dict[str, Any] = {
    "id": "R-1042",
    "platform": "trustpilot",
    "product": "Arden Desk Lamp",
    "rating": 2,
    "created_at": "2026-09-14T08:21:00+00:00",
    "author": "Priya",
    "text": "The lamp arrived with a cracked shade and the dimmer flickers at low settings.",
    "language": "en",
}
FACTS_EXAMPLE: dict[str, Any] = {
    "type": "checkout_failure",
    "stage": "identified",
    "title": "Card payments failing at checkout",
    "summary": "Some card payments are declined at the last step of checkout.",
    "affected": "Customers paying by card on the website; PayPal works.",
    "actions": "Our payment provider is rolling back a faulty update.",
    "workaround": "Pay with PayPal for now.",
    "next_update_at": "14:30 UTC",
    "channels": ["status_page", "email", "sms"],
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem details a route can answer with."""
    described = {
        400: "Input that cannot be used as it is, or a body that cannot be parsed.",
        401: "No API key, or an unknown or revoked one.",
        404: "No such job.",
        406: "None of the formats in `Accept` can be served.",
        413: "The request body is over the size limit.",
        415: "A body that is neither JSON, CSV nor a form upload.",
        422: "The request does not match the schema; `errors` lists each field.",
        429: "The key's rate limit is spent; retry after `Retry-After` seconds.",
        503: "The knowledge store, the database or the language model is not available.",
    }
    return {
        code: {
            "description": described[code],
            "model": ProblemDetail,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}},
        }
        for code in codes
    }


COMMON = (400, 401, 413, 422, 429, 503)


class ReviewRepliesRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reviews": [REVIEW_EXAMPLE]}]},
    )

    reviews: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_SYNC_REVIEWS,
        description=f"Up to {MAX_SYNC_REVIEWS} review records (id, platform, product, rating, created_at, "
        "author, text, language), as in a reviews CSV or JSON Lines file. A record that is not valid "
        "gets its own `failed` entry; the others are still answered. Larger batches: POST /api/v1/jobs.",
    )


class ReviewRepliesResponse(BaseModel):
    results: list[JobItemResult] = Field(description="One entry per review, in the order sent.")
    done: int
    failed: int


class JobRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reviews": [REVIEW_EXAMPLE]}]})

    reviews: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_JOB_ITEMS,
        description=f"Up to {MAX_JOB_ITEMS:,} review records; a bad one fails alone in the results.",
    )


def reviews_body(description: str, upload: bool) -> dict[str, Any]:
    """The OpenAPI request body of routes that take review records as JSON or CSV."""
    content: dict[str, Any] = {
        "application/json": {
            "schema": JobRequest.model_json_schema(),
            "example": {"reviews": [REVIEW_EXAMPLE]},
        },
        CSV: {"schema": {"type": "string"}},
    }
    if upload:
        content["multipart/form-data"] = {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    return {"requestBody": {"required": True, "description": description, "content": content}}


def job_request(raw: bytes) -> JobRequest:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"The body is not valid JSON: {exc}.", 'Send {"reviews": [review records]}.'
        ) from exc
    try:
        return JobRequest.model_validate(data)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors, body=data) from exc


def json_lines(results: Iterator[JobItemResult]) -> Iterator[str]:
    for item in results:
        yield item.model_dump_json() + "\n"


def negotiate(accept: str) -> Literal["jsonl", "csv"]:
    """The best of JSON Lines and CSV for an Accept header; JSON Lines when either will do."""
    best: tuple[float, int, Literal["jsonl", "csv"]] | None = None
    for part in accept.split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        found: Literal["jsonl", "csv"] | None = None
        if media in (NDJSON, "application/jsonl", "application/json", "application/*", "*/*"):
            found = "jsonl"
        elif media in (CSV, "text/*"):
            found = "csv"
        # Between equal q, a named type beats a wildcard.
        rank = (q, 0 if "*" in media else 1)
        if found and (best is None or rank > best[:2]):
            best = (*rank, found)
    if best is not None:
        return best[2]
    if accept.strip():
        raise NotAcceptable(
            f"A job's results come as {NDJSON} or {CSV}, not {accept!r}.",
            "Send `Accept: application/x-ndjson` or `Accept: text/csv`, or add ?format=jsonl or ?format=csv.",
        )
    return "jsonl"
