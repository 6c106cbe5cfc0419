"""Errors of the REST API as RFC 9457 problem details (`application/problem+json`).

Every answer that is not a success has `type`, `title`, `status`, `detail` and `instance`,
plus `hint` (what to do about it) and, for invalid input, `errors` (one entry per field).
Our own errors keep their message and hint; anything unexpected is a 500 that says nothing
of the server's insides.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from draftdesk.adapters.llm.base import LLMError
from draftdesk.errors import (
    ConfigError,
    DraftdeskError,
    EmbeddingError,
    InputError,
    MissingExtraError,
    PermissionDenied,
    RecordNotFound,
    StoreError,
    ValidationFailed,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class ProblemField(BaseModel):
    field: str = Field(
        description="Where in the request, dotted: `reviews.3.rating`, `body`, `query.format`."
    )
    message: str


class ProblemDetail(BaseModel):
    """RFC 9457 problem details, with draftdesk's `hint` and `errors` extension members."""

    type: str = Field(
        description="A URI naming the kind of problem.", examples=["urn:draftdesk:problem:invalid"]
    )
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["reviews: List should have at most 100 items after validation, not 101"])
    instance: str = Field(description="The request's path.", examples=["/api/v1/review-replies"])
    hint: str | None = Field(None, description="What to do about it.")
    errors: list[ProblemField] | None = Field(None, description="Each invalid field, for invalid input.")


class ApiProblem(DraftdeskError):
    """An error of the HTTP layer itself: a missing key, the rate limit, a body too large."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, message: str, hint: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, hint)
        self.headers = headers or {}


class Unauthorized(ApiProblem):
    status, title, slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint, {"WWW-Authenticate": 'Bearer realm="draftdesk"'})


class RateLimited(ApiProblem):
    status, title, slug = 429, "Too many requests", "rate-limited"

    def __init__(self, message: str, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint, {"Retry-After": str(retry_after)})


class PayloadTooLarge(ApiProblem):
    status, title, slug = 413, "Request too large", "too-large"


class NotAcceptable(ApiProblem):
    status, title, slug = 406, "Not acceptable", "not-acceptable"


class UnsupportedMediaType(ApiProblem):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


# Most specific first: the first class an error is an instance of decides.
_STATUS: list[tuple[type[DraftdeskError], int, str, str]] = [
    (ValidationFailed, 422, "Invalid input", "invalid"),
    (RecordNotFound, 404, "Not found", "not-found"),
    (InputError, 400, "Bad input", "bad-input"),
    (PermissionDenied, 403, "Forbidden", "forbidden"),
    (StoreError, 503, "Knowledge store unavailable", "store-unavailable"),
    (EmbeddingError, 503, "Embedding model unavailable", "embedding-unavailable"),
    (LLMError, 503, "Language model unavailable", "llm-unavailable"),
    (MissingExtraError, 503, "Not installed", "not-installed"),
    (ConfigError, 503, "Misconfigured", "misconfigured"),
]


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    slug: str,
    hint: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:draftdesk:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if hint:
        body["hint"] = hint
    if errors:
        body["errors"] = errors
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def draftdesk_problem(request: Request, exc: DraftdeskError) -> JSONResponse:
    if isinstance(exc, ApiProblem):
        return problem(request, exc.status, exc.title, exc.message, exc.slug, exc.hint, headers=exc.headers)
    status, title, slug = next(
        ((s, t, g) for cls, s, t, g in _STATUS if isinstance(exc, cls)), (500, "Server error", "server-error")
    )
    errors = None
    if isinstance(exc, ValidationFailed):
        errors = [
            {"field": p.field or (f"line {p.line}" if p.line else "body"), "message": str(p)}
            for p in exc.problems
        ]
    return problem(request, status, title, exc.message, slug, exc.hint, errors)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
    if parts and parts[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_problem(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "")).removeprefix("Value error, ")}
        for e in exc.errors()
    ]
    shown = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return problem(
        request,
        422,
        "Invalid input",
        f"The request is not valid: {shown}{more}.",
        "invalid",
        "Fix the fields listed in `errors`; the schemas are in the OpenAPI document at /docs.",
        errors,
    )


def http_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    titles = {
        400: "Bad request",
        404: "Not found",
        405: "Method not allowed",
        401: "Unauthorized",
        413: "Request too large",
    }
    title = titles.get(exc.status_code, "HTTP error")
    slug = title.lower().replace(" ", "-")
    hint = getattr(exc, "hint", None)
    return problem(request, exc.status_code, title, detail, slug, hint, headers=dict(exc.headers or {}))


def server_problem(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return problem(
        request,
        500,
        "Server error",
        "Something went wrong on the server; nothing about the request was kept.",
        "server-error",
        "Try again; if it happens again, tell the team that runs draftdesk (the server log has the details).",
    )


def install(app: FastAPI) -> None:
    """Answer every error of `app`'s own routes with a problem detail."""

    async def on_draftdesk(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DraftdeskError)
        return draftdesk_problem(request, exc)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_problem(request, exc)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return http_problem(request, exc)

    async def on_anything(request: Request, exc: Exception) -> JSONResponse:
        return server_problem(request, exc)

    app.add_exception_handler(DraftdeskError, on_draftdesk)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_anything)


_TOO_LARGE_HINT = "Send fewer reviews per request, or ask the team to raise DRAFTDESK_API_MAX_BODY_MB."


class _TooLarge(StarletteHTTPException):
    """Raised while the body is read; FastAPI passes HTTP exceptions through to `http_problem`."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit), headers={"Connection": "close"})
        self.hint = _TOO_LARGE_HINT


def _too_large(limit: int) -> str:
    return f"The request body is larger than the limit of {limit / 1_000_000:g} MB."


class BodyLimit:
    """Refuse a request body over `limit` bytes under `prefix` with 413, before reading it when its
    Content-Length says so, else as soon as the bytes received pass the limit."""

    def __init__(self, app: ASGIApp, limit: int, prefix: str = "/api/") -> None:
        self.app = app
        self.limit = limit
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            Request(scope, receive),
            413,
            "Request too large",
            _too_large(self.limit),
            "too-large",
            _TOO_LARGE_HINT,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
