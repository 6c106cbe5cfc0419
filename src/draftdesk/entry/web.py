"""The web server: FastAPI with the Gradio app mounted at `/` (the REST API joins it later)."""

from __future__ import annotations

from fastapi import FastAPI

from draftdesk import __version__
from draftdesk.container import Container


def create_app(container: Container, first_start_note: str | None = None) -> FastAPI:
    import gradio as gr

    from draftdesk.ui.reply_views import REVIEWS_CSS
    from draftdesk.ui.search_page import build_search_page
    from draftdesk.ui.shortcuts import SHORTCUTS_JS

    api = FastAPI(title="draftdesk", version=__version__)

    @api.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "engine": container.engine_label()}

    page = build_search_page(container, first_start_note)
    # Explicit limits: a wave of drafts waits its turn instead of starving the machine.
    page.queue(
        max_size=container.settings.queue_size,
        default_concurrency_limit=container.settings.queue_concurrency,
    )
    # Gradio 6 takes the page's script and styles here, not in gr.Blocks().
    users = container.users
    # With no accounts the app serves a single local user; with any, everyone signs in.
    auth = (
        (lambda name, password: users.authenticate(name, password) is not None)
        if users.has_accounts()
        else None
    )
    mounted: FastAPI = gr.mount_gradio_app(
        api,
        page,
        path="/",
        footer_links=["api"],
        js=SHORTCUTS_JS,
        css=REVIEWS_CSS,
        auth=auth,
        auth_message="Sign in with your draftdesk account. A lead can create one with `draftdesk users add`.",
    )
    return mounted


def run(container: Container, first_start_note: str | None = None) -> None:
    import uvicorn

    settings = container.settings
    print(f"draftdesk is running at http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(
        create_app(container, first_start_note), host=settings.host, port=settings.port, log_level="warning"
    )
