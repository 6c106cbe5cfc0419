"""The REST API (`/api/v1`): the same services as the screens, for integrations. No logic of its own.

Plain FastAPI routes, outside Gradio's queue; every route needs an API key
(`Authorization: Bearer dd_…`, from `draftdesk keys create NAME`) and spends one request of
that key's rate limit. Errors are problem details (see entry/problems.py).
"""

# No `from __future__ import annotations`: FastAPI must resolve the route's local `Caller` alias.
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from draftdesk.container import Container
from draftdesk.domain.drafts import IncidentFacts, IncidentPack
from draftdesk.domain.jobs import MAX_JOB_ITEMS, JobItemResult, JobStatus
from draftdesk.domain.reviews import Review
from draftdesk.domain.waves import WaveReport
from draftdesk.entry.api_schema import (
    COMMON,
    CSV,
    FACTS_EXAMPLE,
    NDJSON,
    REVIEW_EXAMPLE,
    ReviewRepliesRequest,
    ReviewRepliesResponse,
    job_request,
    json_lines,
    negotiate,
    problems,
    reviews_body,
)
from draftdesk.entry.problems import (
    RateLimited,
    Unauthorized,
    UnsupportedMediaType,
)
from draftdesk.errors import InputError
from draftdesk.services.api_keys import ApiKey
from draftdesk.services.message_check import CheckRequest, CheckResult
from draftdesk.services.rate_limit import RateLimiter
from draftdesk.services.recorded_replies import RecordedReply, stream_recorded
from draftdesk.services.review_io import review_request

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `draftdesk keys create NAME`, sent as `Authorization: Bearer dd_…`.",
)


def build_router(container: Container) -> APIRouter:
    settings = container.settings
    limiter = RateLimiter(container.database, settings.api_rate_limit)
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
        responses=problems(*COMMON),
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
        responses=problems(*COMMON),
    )
    def status_updates(
        facts: Annotated[
            IncidentFacts,
            Body(openapi_examples={"checkout": {"summary": "Card payments failing", "value": FACTS_EXAMPLE}}),
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
        responses=problems(*COMMON),
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
                                "text": REVIEW_EXAMPLE["text"],
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
            **problems(415, *COMMON),
            202: {"description": "Accepted; `Location` is the job's status URL."},
        },
        openapi_extra=reviews_body(
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
            body = job_request(await request.body())
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
        responses=problems(415, *COMMON),
        openapi_extra=reviews_body(
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
            body = job_request(await request.body())
            return await run_in_threadpool(container.waves.analyze_records, body.reviews)
        raise UnsupportedMediaType(
            f"A wave cannot be read from {media!r}.", "Send application/json or text/csv."
        )

    @router.get(
        "/jobs/{job_id}",
        tags=["jobs"],
        summary="A job's state and progress",
        response_model=JobStatus,
        responses=problems(404, *COMMON),
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
            **problems(404, 406, *COMMON),
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
        chosen = format or negotiate(request.headers.get("accept", ""))
        container.jobs.status(job_id)  # an unknown job is a 404, before the stream starts
        if chosen == "csv":
            return StreamingResponse(
                container.jobs.results_csv(job_id),
                media_type=f"{CSV}; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="job-{job_id}.csv"'},
            )
        return StreamingResponse(json_lines(container.jobs.results(job_id)), media_type=NDJSON)

    @router.post(
        "/jobs/{job_id}/cancel",
        tags=["jobs"],
        summary="Cancel a job",
        response_model=JobStatus,
        responses=problems(404, *COMMON),
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
