"""The Bulk tab: a file of reviews drafted in one run, reviewed in a table, approved together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from draftdesk.container import Container
from draftdesk.errors import DraftdeskError
from draftdesk.services.bulk_drafting import BulkRow, approve_passing, draft_file
from draftdesk.ui.session import acting_user

COLUMNS = ["review", "product", "kind", "passes checks", "score", "draft reply"]


def approve_rows(container: Container, rows: list[dict[str, Any]], request: gr.Request, empty: str) -> str:
    """Approve the drafted rows that pass every check, as the signed-in user; `empty`: the message
    when nothing was drafted yet."""
    if not rows:
        raise gr.Error(empty)
    user = acting_user(container, request)
    try:
        n = approve_passing([BulkRow.model_validate(r) for r in rows], container.records, user)
    except DraftdeskError as exc:
        raise gr.Error(exc.message) from None
    return f"**Approved {n}** replies that pass every check; the others wait in the Reviews record."


def build_bulk_tab(container: Container) -> None:
    def run(
        file: str | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        if not file:
            raise gr.Error("Choose a CSV or JSON Lines file of reviews first.")
        try:
            result = draft_file(
                Path(file),
                container.reviews,
                container.records,
                lambda done, total: progress((done, total), desc="Drafting replies", unit="reviews"),
                by=acting_user(container, request).name,
                max_overlap=container.settings.duplicate_overlap,
            )
        except DraftdeskError as exc:
            raise gr.Error(str(exc)) from None
        table = [
            [r.review_id, r.product, r.kind, "yes" if r.passed else "no", r.score, r.reply]
            for r in result.rows
        ]
        passing = sum(r.passed for r in result.rows)
        summary = f"Drafted **{len(result.rows)}** replies; **{passing}** pass every check."
        if result.problems:
            summary += "\n\nNot drafted (fix these rows and upload again):\n" + "\n".join(
                # Gradio's upload folder means nothing to the user; the file name and line do.
                f"- {p.replace(str(Path(file)), Path(file).name)}"
                for p in result.problems
            )
        return table, summary, [r.model_dump() for r in result.rows]

    def approve(rows: list[dict[str, Any]], request: gr.Request) -> str:
        return approve_rows(container, rows, request, "Draft a file first.")

    drafted = gr.State([])
    with gr.Row():
        upload = gr.File(
            label="Reviews (CSV or JSON Lines)", file_types=[".csv", ".jsonl"], elem_id="dd-bulk-file"
        )
        draft_button = gr.Button("Draft all", variant="primary")
    summary = gr.Markdown(elem_id="dd-bulk-summary")
    table = gr.Dataframe(
        headers=COLUMNS,
        wrap=True,
        interactive=False,
        elem_id="dd-bulk-table",
        column_widths=["8%", "16%", "15%", "8%", "7%", "46%"],
    )
    approve_button = gr.Button("Approve all that pass", variant="primary")
    status = gr.Markdown(elem_id="dd-bulk-status")
    draft_button.click(run, upload, [table, summary, drafted])
    approve_button.click(approve, drafted, status)
