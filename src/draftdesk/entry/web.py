"""The web server: FastAPI with the REST API at `/api/v1` and the Gradio app mounted at `/`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from draftdesk import __version__
from draftdesk.container import Container
from draftdesk.entry import problems
from draftdesk.entry.api import build_router
from draftdesk.entry.readiness import Readiness, readiness
from draftdesk.errors import SignInLocked
from draftdesk.services.rate_limit import RateLimiter
from draftdesk.services.sign_in_throttle import MAX_FAILURES
from draftdesk.services.users import UserService


def create_app(container: Container, first_start_note: str | None = None) -> FastAPI:
    import gradio as gr

    from draftdesk.ui.reply_views import REVIEWS_CSS
    from draftdesk.ui.search_page import build_search_page
    from draftdesk.ui.shortcuts import SHORTCUTS_JS

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Batch jobs are drafted by this process while it serves.
        container.job_worker.start()
        try:
            yield
        finally:
            container.job_worker.stop()

    api = FastAPI(
        title="draftdesk",
        version=__version__,
        lifespan=lifespan,
        description="Review replies and incident updates drafted for a person to approve. "
        "Every /api/v1 route needs `Authorization: Bearer <key>` (`draftdesk keys create NAME`); "
        "errors are RFC 9457 problem details.",
    )
    problems.install(api)
    api.add_middleware(problems.BodyLimit, limit=int(container.settings.api_max_body_mb * 1_000_000))
    api.include_router(build_router(container))

    @api.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "engine": container.engine_label()}

    @api.get(
        "/readyz",
        tags=["ops"],
        response_model=Readiness,
        responses={503: {"description": "A component is not reachable; `detail` names it."}},
    )
    def readyz() -> JSONResponse:
        """Whether the knowledge store, the record database and the language model can be reached."""
        ready = readiness(container)
        if ready.status == "ready":
            return JSONResponse(ready.model_dump())
        down = "; ".join(f"{name}: {c.detail}" for name, c in ready.components.items() if not c.ok)
        body = {
            "type": "urn:draftdesk:problem:not-ready",
            "title": "Not ready",
            "status": 503,
            "detail": f"Not reachable: {down}",
            "instance": "/readyz",
            "components": ready.model_dump()["components"],
        }
        return JSONResponse(body, status_code=503, media_type=problems.PROBLEM_JSON)

    page = build_search_page(container, first_start_note)
    # Explicit limits: a wave of drafts waits its turn instead of starving the machine.
    page.queue(
        max_size=container.settings.queue_size,
        default_concurrency_limit=container.settings.queue_concurrency,
    )
    # Gradio 6 takes the page's script and styles here, not in gr.Blocks().
    users = container.users
    # With no accounts the app serves a single local user; with any, everyone signs in.
    auth = _sign_in(users) if users.has_accounts() else None
    mounted: FastAPI = gr.mount_gradio_app(
        api,
        page,
        path="/",
        footer_links=["api"],
        js=SHORTCUTS_JS,
        css=REVIEWS_CSS,
        auth=auth,
        # Gradio's form shows "Incorrect Credentials" for any refusal, so the pause is told up front.
        auth_message=(
            "Sign in with your draftdesk account. A lead can create one with `draftdesk users add`. "
            f"After {MAX_FAILURES} wrong passwords in a row, that account's sign-in pauses for a "
            "minute, and longer if wrong passwords go on."
        ),
    )
    return mounted


def _sign_in(users: UserService) -> Callable[[str, str], Awaitable[bool]]:
    """Gradio's sign-in check. Async so that bcrypt runs on a worker thread, not on the server's
    event loop; a paused name answers 429 with the wait, not "Incorrect credentials"."""

    async def check(name: str, password: str) -> bool:
        try:
            return await run_in_threadpool(users.authenticate, name, password) is not None
        except SignInLocked as exc:
            raise HTTPException(
                status_code=429,
                detail=f"{exc.message} {exc.hint or ''}".strip(),
                headers={"Retry-After": str(RateLimiter.retry_after(exc.retry_after))},
            ) from None

    return check


def run(container: Container, first_start_note: str | None = None) -> None:
    import uvicorn

    settings = container.settings
    print(f"draftdesk is running at http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(
        create_app(container, first_start_note), host=settings.host, port=settings.port, log_level="warning"
    )
