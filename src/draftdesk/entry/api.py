"""The REST API (`/api/v1`): the same services as the screens, for integrations. No logic of its own.

Plain FastAPI routes, outside Gradio's queue; every route needs an API key
(`Authorization: Bearer dd_…`, from `draftdesk keys create NAME`) and spends one request of
that key's rate limit. Errors are problem details (see entry/problems.py).
"""

# No `from __future__ import annotations`: FastAPI must resolve the route's local `Caller` alias.
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import text
from starlette.datastructures import UploadFile

from draftdesk.container import Container
from draftdesk.domain.drafts import Engine, IncidentFacts, IncidentPack
from draftdesk.domain.jobs import MAX_JOB_ITEMS, JobItemResult, JobStatus
from draftdesk.domain.reviews import Review
from draftdesk.domain.waves import WaveReport
from draftdesk.entry.problems import (
    PROBLEM_JSON,
    NotAcceptable,
    ProblemDetail,
    RateLimited,
    Unauthorized,
    UnsupportedMediaType,
)
from draftdesk.errors import DraftdeskError, InputError
from draftdesk.services.api_keys import ApiKey
from draftdesk.services.message_check import CheckRequest, CheckResult
from draftdesk.services.rate_limit import RateLimiter
from draftdesk.services.recorded_replies import RecordedReply, stream_recorded
from draftdesk.services.review_io import review_request

MAX_SYNC_REVIEWS = 100
NDJSON = "application/x-ndjson"
CSV = "text/csv"

_REVIEW_EXAMPLE: dict[str, Any] = {
    "id": "R-1042",
    "platform": "trustpilot",
    "product": "Arden Desk Lamp",
    "rating": 2,
    "created_at": "2026-09-14T08:21:00+00:00",
    "author": "Priya",
    "text": "The lamp arrived with a cracked shade and the dimmer flickers at low settings.",
    "language": "en",
}
_FACTS_EXAMPLE: dict[str, Any] = {
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


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
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


_COMMON = (400, 401, 413, 422, 429, 503)


class ReviewRepliesRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reviews": [_REVIEW_EXAMPLE]}]},
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
    model_config = ConfigDict(json_schema_extra={"examples": [{"reviews": [_REVIEW_EXAMPLE]}]})

    reviews: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_JOB_ITEMS,
        description=f"Up to {MAX_JOB_ITEMS:,} review records; a bad one fails alone in the results.",
    )


class ComponentState(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    components: dict[str, ComponentState]


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `draftdesk keys create NAME`, sent as `Authorization: Bearer dd_…`.",
)


def build_router(container: Container) -> APIRouter:
    settings = container.settings
    limiter = RateLimiter(settings.api_rate_limit)
    router = APIRouter(prefix="/api/v1")

    def caller(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> ApiKey:
        if credentials is None:
            raise Unauthorized(
                "This route needs an API key, sent as `Authorization: Bearer <key>`.",
                "Create a key with `draftdesk keys create NAME`.",
            )
        key = container.api_keys.verify(credentials.credentials)
        if key is None:
            raise Unauthorized(
                "The API key is not valid: it is unknown, mistyped or revoked.",
                "Check the key, or create a new one with `draftdesk keys create NAME`.",
            )
        wait = limiter.take(key.name)
        if wait:
            raise RateLimited(
                f"The key {key.name!r} has used its {settings.api_rate_limit} requests a minute.",
                RateLimiter.retry_after(wait),
                "Wait for the seconds in Retry-After; for large batches, submit a job instead.",
            )
        return key

    Caller = Annotated[ApiKey, Depends(caller)]

    @router.post(
        "/review-replies",
        tags=["reviews"],
        summary="Draft replies to up to 100 reviews",
        response_model=ReviewRepliesResponse,
        responses=_problems(*_COMMON),
    )
    def review_replies(body: ReviewRepliesRequest, key: Caller) -> ReviewRepliesResponse:
        """Each review is answered in the response with the reply's text, engine, sources and check
        report; a review that cannot be drafted has `state` failed and its `error`."""
        by = f"api:{key.name}"
        results = [_answer(container, n, item, by) for n, item in enumerate(body.reviews, start=1)]
        failed = sum(r.state == "failed" for r in results)
        return ReviewRepliesResponse(results=results, done=len(results) - failed, failed=failed)

    @router.post(
        "/status-updates",
        tags=["incidents"],
        summary="Draft an incident update pack",
        response_model=IncidentPack,
        responses=_problems(*_COMMON),
    )
    def status_updates(
        facts: Annotated[
            IncidentFacts,
            Body(
                openapi_examples={"checkout": {"summary": "Card payments failing", "value": _FACTS_EXAMPLE}}
            ),
        ],
        key: Caller,
    ) -> IncidentPack:
        """One draft per channel, each within its channel's limit, with its sources and check report."""
        return container.incidents.draft(facts)

    @router.post(
        "/tone-check",
        tags=["check"],
        summary="Check any text",
        response_model=CheckResult,
        responses=_problems(*_COMMON),
    )
    def tone_check(
        request: Annotated[
            CheckRequest,
            Body(
                openapi_examples={
                    "reply": {
                        "summary": "A review reply",
                        "value": {
                            "id": "reply-1",
                            "text": "Thank you for your feedback. We value every customer.",
                            "review": {
                                "text": _REVIEW_EXAMPLE["text"],
                                "rating": 2,
                                "product": "Arden Desk Lamp",
                            },
                        },
                    }
                }
            ),
        ],
        key: Caller,
    ) -> CheckResult:
        """The same checks as the workspace: generic or defensive wording, unsupported claims,
        missing elements, length, private data, language, repetition."""
        return CheckResult(id=request.id, report=container.messages.check(request))

    @router.post(
        "/jobs",
        tags=["jobs"],
        summary="Submit a batch of reviews",
        status_code=202,
        response_model=JobStatus,
        responses={
            **_problems(415, *_COMMON),
            202: {"description": "Accepted; `Location` is the job's status URL."},
        },
        openapi_extra=_reviews_body(
            f'Up to {MAX_JOB_ITEMS:,} reviews: JSON `{{"reviews": [...]}}`, a CSV body, or a CSV file '
            "uploaded as the form field `file`. The CSV header names id, platform, product, rating, "
            "created_at, author, text, language; UTF-8.",
            upload=True,
        ),
    )
    async def submit_job(request: Request, key: Caller) -> JSONResponse:
        """Returns at once with the job's `id`; the reviews are drafted in the background."""
        by = f"api:{key.name}"
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == CSV:
            status = await run_in_threadpool(container.jobs.submit_csv, await request.body(), by)
        elif media == "multipart/form-data":
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InputError(
                    "The form has no file in the field `file`.", "Upload the CSV as the form field `file`."
                )
            status = await run_in_threadpool(container.jobs.submit_csv, await upload.read(), by)
        elif media in ("", "application/json") or media.endswith("+json"):
            body = _job_request(await request.body())
            status = await run_in_threadpool(container.jobs.submit, body.reviews, by)
        else:
            raise UnsupportedMediaType(
                f"A job cannot be read from {media!r}.",
                "Send application/json, text/csv, or a multipart/form-data upload with the field `file`.",
            )
        location = str(request.url_for("job_status", job_id=status.id).path)
        return JSONResponse(status.model_dump(mode="json"), status_code=202, headers={"Location": location})

    @router.post(
        "/review-waves",
        tags=["waves"],
        summary="Analyse a wave of reviews",
        response_model=WaveReport,
        responses=_problems(415, *_COMMON),
        openapi_extra=_reviews_body(
            'Reviews with dates: JSON `{"reviews": [...]}` or a CSV body with the review columns. '
            "A bad row is listed in `problems`; the others are analysed.",
            upload=False,
        ),
    )
    async def review_waves(request: Request, key: Caller) -> WaveReport:
        """Themes, spikes with their trigger, suspected fakes with reasons, incident links, actions,
        a 'what we changed' draft and an honest-review request."""
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == CSV:
            return await run_in_threadpool(container.waves.analyze_csv, await request.body())
        if media in ("", "application/json") or media.endswith("+json"):
            body = _job_request(await request.body())
            return await run_in_threadpool(container.waves.analyze_records, body.reviews)
        raise UnsupportedMediaType(
            f"A wave cannot be read from {media!r}.", "Send application/json or text/csv."
        )

    @router.get(
        "/jobs/{job_id}",
        tags=["jobs"],
        summary="A job's state and progress",
        response_model=JobStatus,
        responses=_problems(404, *_COMMON),
    )
    def job_status(job_id: str, key: Caller) -> JobStatus:
        return container.jobs.status(job_id)

    @router.get(
        "/jobs/{job_id}/results",
        tags=["jobs"],
        summary="A job's results, streamed",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "One line per finished review: JSON Lines, or CSV with a header.",
                "content": {
                    NDJSON: {"schema": {"$ref": "#/components/schemas/JobItemResult"}},
                    CSV: {"schema": {"type": "string"}},
                },
            },
            **_problems(404, 406, *_COMMON),
        },
    )
    def job_results(
        job_id: str,
        request: Request,
        key: Caller,
        format: Annotated[
            Literal["jsonl", "csv"] | None,
            Query(description="jsonl or csv; overrides the Accept header (default JSON Lines)."),
        ] = None,
    ) -> StreamingResponse:
        """Each review once: its `id`, `state` done or failed, and the reply `result` or the `error`."""
        chosen = format or _negotiate(request.headers.get("accept", ""))
        container.jobs.status(job_id)  # an unknown job is a 404, before the stream starts
        if chosen == "csv":
            return StreamingResponse(
                container.jobs.results_csv(job_id),
                media_type=f"{CSV}; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="job-{job_id}.csv"'},
            )
        return StreamingResponse(_lines(container.jobs.results(job_id)), media_type=NDJSON)

    @router.post(
        "/jobs/{job_id}/cancel",
        tags=["jobs"],
        summary="Cancel a job",
        response_model=JobStatus,
        responses=_problems(404, *_COMMON),
    )
    def cancel_job(job_id: str, key: Caller) -> JobStatus:
        """Reviews not yet drafted are not drafted; finished ones keep their results."""
        return container.jobs.cancel(job_id)

    return router


def _answer(container: Container, n: int, item: dict[str, Any], by: str) -> JobItemResult:
    raw_id = item.get("id")
    ident = str(raw_id)[:200] if raw_id not in (None, "") else f"#{n}"
    try:
        request = review_request(Review.model_validate(item))
    except ValidationError as exc:
        return JobItemResult(id=ident, state="failed", error=_validation_text(exc))
    try:
        # As on the screen: the draft joins the record of work, for an agent to approve.
        *_, recorded = stream_recorded(container.reviews, container.records, request, by=by)
    except InputError as exc:  # this review alone; a store or model that is down fails the request
        return JobItemResult(id=ident, state="failed", error=exc.message)
    assert isinstance(recorded, RecordedReply)
    return JobItemResult(id=ident, state="done", result=recorded.reply)


def _validation_text(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'review'}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()
    )


def _reviews_body(description: str, upload: bool) -> dict[str, Any]:
    """The OpenAPI request body of routes that take review records as JSON or CSV."""
    content: dict[str, Any] = {
        "application/json": {
            "schema": JobRequest.model_json_schema(),
            "example": {"reviews": [_REVIEW_EXAMPLE]},
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


def _job_request(raw: bytes) -> JobRequest:
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


def _lines(results: Iterator[JobItemResult]) -> Iterator[str]:
    for item in results:
        yield item.model_dump_json() + "\n"


def _negotiate(accept: str) -> Literal["jsonl", "csv"]:
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


def readiness(container: Container) -> Readiness:
    """Whether the store, the database and the language model can be reached now."""
    components: dict[str, ComponentState] = {}
    try:
        counts = container.knowledge_size()
        components["store"] = ComponentState(ok=True, detail=f"{sum(counts.values())} entries")
    except Exception as exc:  # any failure means the same here: not ready
        components["store"] = ComponentState(ok=False, detail=_reason(exc))
    try:
        with container.database() as session:
            session.execute(text("SELECT 1"))
        components["database"] = ComponentState(ok=True, detail="reachable")
    except Exception as exc:
        components["database"] = ComponentState(ok=False, detail=_reason(exc))
    components["llm"] = _llm_state(container)
    ready = all(c.ok for c in components.values())
    return Readiness(status="ready" if ready else "not ready", components=components)


def _llm_state(container: Container) -> ComponentState:
    try:
        llm = container.llm
    except Exception as exc:
        return ComponentState(ok=False, detail=_reason(exc))
    if llm is None:
        return ComponentState(ok=True, detail="not used: template engine")
    if llm.engine != Engine.OPENAI:
        return ComponentState(ok=True, detail=f"{llm.engine} model {llm.model} loaded in this process")
    settings = container.settings
    base = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
    key = settings.openai_key()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        answer = httpx.get(f"{base}/models", headers=headers, timeout=5.0)
    except httpx.HTTPError as exc:
        return ComponentState(ok=False, detail=f"{base} is not reachable: {type(exc).__name__}: {exc}")
    if answer.status_code != 200:
        return ComponentState(ok=False, detail=f"{base} answered HTTP {answer.status_code}")
    return ComponentState(ok=True, detail=f"{base} reachable")


def _reason(exc: Exception) -> str:
    return exc.message if isinstance(exc, DraftdeskError) else f"{type(exc).__name__}: {exc}"[:300]
