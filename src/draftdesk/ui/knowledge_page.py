"""The Knowledge screen: search the store (the same retrieval service as `draftdesk search`), read any
entry in full, and, for a lead, add, upload, edit, delete and re-index entries. The page only calls
KnowledgeAdmin, which enforces the role and validates; a failed save leaves the editor as it was."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import gradio as gr

from draftdesk.container import Container
from draftdesk.domain.enums import IncidentType, KnowledgeKind
from draftdesk.domain.users import Role
from draftdesk.errors import DraftdeskError
from draftdesk.services.knowledge_admin import EntryInvalid, EntryText, FieldProblem
from draftdesk.services.knowledge_overlay import skeleton
from draftdesk.services.retrieval import Hit, SearchFilters, SearchRequest
from draftdesk.ui.session import acting_user

ALL = "any"
KINDS = [str(k) for k in KnowledgeKind]
LANGUAGE = {"guidelines": "markdown", "incidents": "yaml", "templates": "yaml"}


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


def problems_html(problems: list[FieldProblem]) -> str:
    if not problems:
        return ""
    items = "".join(
        "<li>"
        + (f"<b>{html.escape(p.field)}</b> " if p.field else "")
        + (f"<small>(line {p.line})</small> " if p.line else "")
        + f"{html.escape(p.message)}</li>"
        for p in problems
    )
    n = len(problems)
    return (
        f"<div class='dd-kb-problems'><b>{n} problem{'s' if n != 1 else ''}; nothing was saved.</b>"
        f"<ul>{items}</ul></div>"
    )


def _error(exc: DraftdeskError) -> gr.Error:
    return gr.Error(f"{exc.message} {exc.hint or ''}".strip())


def _about(container: Container, entry: EntryText) -> str:
    path = Path(entry.path)
    roots = [
        (container.settings.data_dir, "data directory"),
        (container.settings.resolved_knowledge_dir, "knowledge directory"),
    ]
    where = next(
        (f"{name}: {path.relative_to(root)}" for root, name in roots if path.is_relative_to(root)), str(path)
    )
    return f"**{entry.kind[:-1].capitalize()} `{entry.id}`** · {entry.origin} · `{where}`"


def build_knowledge_tab(container: Container, page: gr.Blocks) -> None:
    admin = container.knowledge_admin

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
            raise _error(exc) from None

    def choices(kind: str) -> list[tuple[str, str]]:
        return [(e.label, e.id) for e in admin.entries(KnowledgeKind(kind))]

    def opened(kind: str, entry_id: str) -> tuple[Any, ...]:
        entry = admin.read(KnowledgeKind(kind), entry_id)
        return (
            gr.update(value=entry.text, language=entry.language),
            entry.view,
            _about(container, entry),
            "",
            entry_id,
        )

    def start(request: gr.Request) -> tuple[Any, ...]:
        user = acting_user(container, request)
        lead = user.role == Role.LEAD
        note = (
            "You may add, edit and delete entries; every change is saved as a file under the data "
            "directory and indexed at once."
            if lead
            else f"**Read-only:** {html.escape(user.name)} is an agent; only a comms lead may edit the "
            "knowledge base."
        )
        buttons = [gr.update(interactive=lead) for _ in range(5)]
        return (gr.update(choices=choices(KINDS[0]), value=None), gr.update(interactive=lead), note, *buttons)

    def choose_kind(kind: str) -> Any:
        return gr.update(choices=choices(kind), value=None)

    def open_entry(kind: str, entry_id: str | None) -> tuple[Any, ...]:
        if not entry_id:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        try:
            return opened(kind, entry_id)
        except DraftdeskError as exc:
            raise _error(exc) from None

    def new_entry(kind: str) -> tuple[Any, ...]:
        text = skeleton(KnowledgeKind(kind))
        about = f"**New {kind[:-1]}**, not saved yet: fill it in, then Save."
        return gr.update(value=text, language=LANGUAGE[kind]), "", about, "", None, gr.update(value=None)

    def validate(kind: str, text: str) -> tuple[str, str]:
        problems = admin.validate(KnowledgeKind(kind), text or "")
        if problems:
            return problems_html(problems), "Not valid yet: see the problems below the editor."
        return "", "Valid: it can be saved."

    def save(
        kind: str,
        text: str,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        user = acting_user(container, request)
        try:
            saved = admin.save(
                KnowledgeKind(kind),
                text or "",
                user,
                lambda done, total: progress((done, total), desc="Indexing", unit="chunks"),
            )
            editor, view, about, _, current = opened(kind, saved.id)
        except EntryInvalid as exc:
            keep = gr.update()
            return keep, keep, keep, problems_html(exc.problems), keep, keep, exc.message
        except DraftdeskError as exc:
            raise _error(exc) from None
        status = (
            f"Saved `{saved.id}` as a file under the data directory; the store is updated "
            f"({saved.ingest.chunks_embedded} sections embedded)."
        )
        listed = gr.update(choices=choices(kind), value=saved.id)
        return editor, view, about, "", current, listed, status

    def delete(kind: str, entry_id: str | None, confirmed: bool, request: gr.Request) -> tuple[Any, ...]:
        user = acting_user(container, request)
        if not entry_id:
            raise gr.Error("Open an entry first: there is nothing to delete.")
        if not confirmed:
            raise gr.Error(f"Tick “Yes, delete {entry_id}” first, then press Delete again.")
        try:
            admin.delete(KnowledgeKind(kind), entry_id, user)
        except DraftdeskError as exc:
            raise _error(exc) from None
        return (
            gr.update(value=""),
            "",
            f"Deleted `{entry_id}`: it is gone from the store and stays gone after a re-index.",
            "",
            None,
            gr.update(choices=choices(kind), value=None),
            gr.update(value=False),
        )

    def upload(
        kind: str,
        file: str | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        user = acting_user(container, request)
        keep = gr.update()
        if not file:
            return keep, keep, keep, keep, keep, keep, keep
        try:
            text = admin.decode_upload(KnowledgeKind(kind), Path(file).name, Path(file).read_bytes())
        except DraftdeskError as exc:
            raise _error(exc) from None
        shown = gr.update(value=text, language=LANGUAGE[kind])
        try:
            saved = admin.save(
                KnowledgeKind(kind),
                text,
                user,
                lambda done, total: progress((done, total), desc="Indexing", unit="chunks"),
            )
            editor, view, about, _, current = opened(kind, saved.id)
        except EntryInvalid as exc:
            # The uploaded text goes into the editor, so the problems can be fixed there.
            about = f"**Uploaded {html.escape(Path(file).name)}**, not saved: fix the problems, then Save."
            return shown, "", about, problems_html(exc.problems), None, keep, exc.message
        except DraftdeskError as exc:
            raise _error(exc) from None
        status = f"Uploaded and saved `{saved.id}` under the data directory."
        return editor, view, about, "", current, gr.update(choices=choices(kind), value=saved.id), status

    def reindex(
        kind: str,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[str, Any]:
        user = acting_user(container, request)
        try:
            s = admin.reindex(
                user,
                lambda done, total: progress((done, total), desc="Embedding changed entries", unit="chunks"),
            )
        except DraftdeskError as exc:
            raise _error(exc) from None
        status = (
            f"Re-indexed: {s.added} added, {s.updated} updated, {s.removed} removed, {s.unchanged} unchanged "
            f"({s.chunks_embedded} sections embedded in {s.seconds:.1f} s)."
        )
        return status, gr.update(choices=choices(kind))

    with gr.Accordion("Search the knowledge base", open=True):
        with gr.Row():
            query = gr.Textbox(
                label="Search the knowledge base",
                scale=4,
                placeholder="e.g. the checkout page spins forever on Black Friday",
            )
            button = gr.Button("Search", variant="primary", scale=1)
        with gr.Row():
            kinds = gr.CheckboxGroup(KINDS, label="Kinds", value=KINDS)
            incident_type = gr.Dropdown(
                [ALL] + [str(t) for t in IncidentType], value=ALL, label="Incident type"
            )
            k = gr.Slider(1, 20, value=5, step=1, label="Results")
            mmr = gr.Checkbox(label="Diversify (MMR)")
        results = gr.HTML(elem_id="dd-kb-results")
        inputs: list[Any] = [query, kinds, incident_type, k, mmr]
        button.click(search, inputs, results, api_name="search")
        query.submit(search, inputs, results, api_visibility="private")

    role_note = gr.Markdown(elem_id="dd-kb-role")
    current = gr.State(None)
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            kind = gr.Radio(KINDS, value=KINDS[0], label="Kind", elem_id="dd-kb-kind")
            entry = gr.Dropdown([], label="Entry", elem_id="dd-kb-entry", filterable=True)
            new_button = gr.Button("New entry", size="sm")
            upload_file = gr.File(
                label="Upload a file (.md guideline, .yaml incident or template)",
                file_types=[".md", ".markdown", ".yaml", ".yml"],
                type="filepath",
                elem_id="dd-kb-upload",
                height=110,
            )
            reindex_button = gr.Button("Re-index", size="sm")
        with gr.Column(scale=3):
            about = gr.Markdown(
                "Pick an entry to read or edit it, or start a new one.", elem_id="dd-kb-about"
            )
            with gr.Tabs():
                with gr.Tab("Edit"):
                    editor = gr.Code(
                        language="markdown",
                        lines=18,
                        max_lines=30,
                        label="File text",
                        elem_id="dd-kb-editor",
                        interactive=True,
                    )
                with gr.Tab("Read"):
                    view = gr.Markdown(elem_id="dd-kb-view", max_height=560)
            problems = gr.HTML(elem_id="dd-kb-problems")
            with gr.Row():
                validate_button = gr.Button("Validate", size="sm")
                save_button = gr.Button("Save", variant="primary", size="sm")
                confirm = gr.Checkbox(label="Yes, delete this entry", value=False, elem_id="dd-kb-confirm")
                delete_button = gr.Button("Delete", variant="stop", size="sm")
            status = gr.Markdown(elem_id="dd-kb-status")

    shown = [editor, view, about, problems, current]
    page.load(
        start,
        None,
        [entry, editor, role_note, save_button, delete_button, new_button, upload_file, reindex_button],
        show_progress="hidden",
    )
    kind.change(choose_kind, kind, entry, show_progress="hidden")
    entry.change(open_entry, [kind, entry], shown, show_progress="hidden")
    new_button.click(new_entry, kind, [*shown, entry])
    validate_button.click(validate, [kind, editor], [problems, status])
    save_button.click(save, [kind, editor], [*shown, entry, status])
    delete_button.click(delete, [kind, current, confirm], [*shown, entry, confirm])
    upload_file.upload(upload, [kind, upload_file], [*shown, entry, status])
    reindex_button.click(reindex, kind, [status, entry])
