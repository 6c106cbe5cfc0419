"""The History screen: every draft version, filtered; the words a person changed before publishing
it; the charts that say whether drafts are getting better; and the filtered rows as CSV.

All figures come from `HistoryService`; this page only turns them into tables, HTML and plots.
"""

from __future__ import annotations

import functools
import html
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from draftdesk.container import Container
from draftdesk.domain.history import HistoryCharts, HistoryFilters, HistoryRow, WordDiff
from draftdesk.errors import DraftdeskError
from draftdesk.services.history import ANY, charts_of, csv_of, history_filters

PAGE_ROWS = 200  # table rows sent to the browser at once; the charts and the export cover every row
KINDS = [ANY, "review_reply", "incident_update"]
APPROVED = [ANY, "yes", "no"]
COLUMNS = [
    "draft",
    "drafted (UTC)",
    "kind",
    "channel",
    "v",
    "engine",
    "drafted by",
    "check",
    "issues",
    "approved",
    "approved by",
    "words changed",
]
NO_DIFF = "<p class='dd-muted'>Select a row (or pick a draft) to see what was changed before publishing.</p>"
DIFF_CSS = """
#dd-history-diff .dd-diff { line-height: 1.7; white-space: pre-wrap; }
#dd-history-diff del { color: #b91c1c; background: #fee2e2; text-decoration: line-through; }
#dd-history-diff ins { color: #166534; background: #dcfce7; text-decoration: none; font-weight: 600; }
"""


def _error(exc: DraftdeskError) -> gr.Error:
    return gr.Error(f"{exc.message} {exc.hint or ''}".strip())


def table_rows(rows: list[HistoryRow]) -> list[list[Any]]:
    return [
        [
            r.draft_id,
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            r.kind,
            r.channel,
            r.version,
            r.engine,
            r.drafted_by,
            "" if r.check_passed is None else f"{'pass' if r.check_passed else 'fail'} · {r.check_score}",
            ", ".join(r.issue_families),
            "yes" if r.approved else "no",
            r.approved_by or "",
            "" if r.edit_distance is None else r.edit_distance,
        ]
        for r in rows
    ]


def draft_choices(rows: list[HistoryRow]) -> list[tuple[str, str]]:
    return [
        (
            f"#{r.draft_id} · {r.channel} v{r.version} · {r.drafted_by} · {r.created_at:%Y-%m-%d}",
            str(r.draft_id),
        )
        for r in rows
    ]


def diff_html(diff: WordDiff) -> str:
    """Deleted words struck through in red, inserted words in green; everything escaped."""
    parts: list[str] = []
    for seg in diff.segments:
        old, new = html.escape(" ".join(seg.old)), html.escape(" ".join(seg.new))
        if seg.op == "equal":
            parts.append(old)
        if seg.op in ("delete", "replace"):
            parts.append(f"<del title='deleted'>{old}</del>")
        if seg.op in ("insert", "replace"):
            parts.append(f"<ins title='inserted'>{new}</ins>")
    where = f"draft #{diff.draft_id} · {html.escape(diff.channel)} v{diff.version}"
    if diff.approved:
        head = (
            f"<p><b>{where}</b> · approved by {html.escape(diff.approved_by or '')} · "
            f"<b>{diff.distance}</b> word{'s' if diff.distance != 1 else ''} changed</p>"
        )
    else:
        head = f"<p><b>{where}</b> · <i>{html.escape(diff.note)}</i></p>"
    return f"{head}<div class='dd-diff'>{' '.join(parts)}</div>"


def summary_markdown(charts: HistoryCharts) -> str:
    if not charts.drafts:
        return "No drafts match these filters."
    rate = "–" if charts.approval_rate is None else f"{charts.approval_rate:.0%}"
    median = "–" if charts.median_edit_distance is None else f"{charts.median_edit_distance:g}"
    return (
        f"**{charts.drafts}** draft versions · **{charts.approved}** approved · "
        f"approval rate **{rate}** of requests · median **{median}** words changed before publishing"
    )


def plot_frames(charts: HistoryCharts) -> tuple[pd.DataFrame, ...]:
    """One frame per chart. Days and weeks are labels, so a single day still draws a bar."""
    per_day = pd.DataFrame(
        {
            "day": pd.Series([d.day.isoformat() for d in charts.drafts_per_day], dtype="string"),
            "drafts": pd.Series([d.drafts for d in charts.drafts_per_day], dtype="int64"),
        }
    )
    rate = pd.DataFrame(
        {
            "day": pd.Series([d.day.isoformat() for d in charts.approval_rate_per_day], dtype="string"),
            "approval rate (%)": pd.Series(
                [round(d.rate * 100, 1) for d in charts.approval_rate_per_day], dtype="float64"
            ),
        }
    )
    weeks = charts.median_edit_distance_per_week
    weekly = pd.DataFrame(
        {
            "week · engine": pd.Series([f"{w.week} · {w.engine}" for w in weeks], dtype="string"),
            "engine": pd.Series([w.engine for w in weeks], dtype="string"),
            "median words changed": pd.Series([w.median_edit_distance for w in weeks], dtype="float64"),
        }
    )
    issues = pd.DataFrame(
        {
            "issue": pd.Series([i.family for i in charts.top_issues], dtype="string"),
            "drafts": pd.Series([i.drafts for i in charts.top_issues], dtype="int64"),
        }
    )
    agents = pd.DataFrame(
        {
            "agent": pd.Series([a.agent for a in charts.drafts_per_agent], dtype="string"),
            "drafts": pd.Series([a.drafts for a in charts.drafts_per_agent], dtype="int64"),
        }
    )
    return per_day, rate, weekly, issues, agents


def write_export(text: str) -> str:
    """The CSV as a file Gradio can hand to the browser (it copies it into its own cache). With a
    byte-order mark, so that Excel reads names with accents as UTF-8."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = Path(tempfile.mkdtemp(prefix="draftdesk-history-")) / f"draftdesk-history-{stamp}.csv"
    path.write_text(text, encoding="utf-8-sig", newline="")
    return str(path)


def build_history_tab(container: Container, tab: gr.Tab) -> None:
    """Built inside `tab`; its query runs when the tab is opened, not on every page load."""

    def filters_of(*form: str | None) -> HistoryFilters:
        try:
            return history_filters(*form)
        except DraftdeskError as exc:
            raise _error(exc) from None

    def options(user: str | None, channel: str | None, engine: str | None) -> tuple[Any, ...]:
        try:
            found = container.history.options()
        except DraftdeskError as exc:
            raise _error(exc) from None
        # Keep what is chosen, even when it has no rows (yet).
        keep = {"user": user, "channel": channel, "engine": engine}
        lists = {"user": found.users, "channel": found.channels, "engine": found.engines}
        return tuple(
            gr.update(choices=[ANY] + lists[k] + ([v] if v and v != ANY and v not in lists[k] else []))
            for k, v in keep.items()
        )

    def page_of(rows: list[HistoryRow], page: int, total: int) -> tuple[Any, ...]:
        """The table, the draft picker and the pager for one page of rows."""
        first = page * PAGE_ROWS
        shown = f"Rows {first + 1:,}–{first + len(rows):,} of {total:,}, newest first" if rows else ""
        return (
            pd.DataFrame(table_rows(rows), columns=COLUMNS),
            gr.update(choices=draft_choices(rows), value=None),
            shown,
            page,
            gr.update(interactive=page > 0),
            gr.update(interactive=first + len(rows) < total),
        )

    def refresh(*form: str | None) -> tuple[Any, ...]:
        filters = filters_of(*form)
        try:
            rows = container.history.rows(filters)
        except DraftdeskError as exc:
            raise _error(exc) from None
        # The charts and the export cover every matching row; the table shows them a page at a time.
        charts = charts_of(rows)
        table, choices, shown, page, newer, older = page_of(rows[:PAGE_ROWS], 0, len(rows))
        return (
            table,
            summary_markdown(charts),
            choices,
            NO_DIFF,
            *plot_frames(charts),
            gr.update(value=write_export(csv_of(rows)), interactive=bool(rows)),
            shown,
            page,
            newer,
            older,
        )

    def turn(step: int, page: int, *form: str | None) -> tuple[Any, ...]:
        filters = filters_of(*form)
        try:
            total = container.history.count(filters)
            page = max(0, min(page + step, max(total - 1, 0) // PAGE_ROWS))
            rows = container.history.rows(filters, offset=page * PAGE_ROWS, limit=PAGE_ROWS)
        except DraftdeskError as exc:
            raise _error(exc) from None
        return page_of(rows, page, total)

    def show_diff(draft_id: str | None) -> str:
        if not draft_id:
            return NO_DIFF
        try:
            return diff_html(container.history.diff(int(draft_id)))
        except DraftdeskError as exc:
            raise _error(exc) from None

    def pick_row(evt: gr.SelectData) -> Any:
        row = evt.row_value or []
        return gr.update(value=str(row[0])) if row else gr.update()

    gr.HTML(f"<style>{DIFF_CSS}</style>", padding=False)
    with gr.Row(equal_height=True):
        user = gr.Dropdown([ANY], value=ANY, label="User (drafted or approved)", elem_id="dd-history-user")
        kind = gr.Dropdown(KINDS, value=ANY, label="Kind", elem_id="dd-history-kind")
        channel = gr.Dropdown([ANY], value=ANY, label="Channel", elem_id="dd-history-channel")
        engine = gr.Dropdown([ANY], value=ANY, label="Engine", elem_id="dd-history-engine")
        approved = gr.Radio(APPROVED, value=ANY, label="Approved", elem_id="dd-history-approved")
    with gr.Row(equal_height=True):
        date_from = gr.Textbox(
            label="From (YYYY-MM-DD, UTC)", placeholder="2026-03-01", elem_id="dd-history-from"
        )
        date_to = gr.Textbox(label="To (inclusive)", placeholder="2026-03-31", elem_id="dd-history-to")
        refresh_button = gr.Button("Refresh", variant="primary", elem_id="dd-history-refresh")
        export = gr.DownloadButton("Export CSV", interactive=False, elem_id="dd-history-export")
    summary = gr.Markdown(elem_id="dd-history-summary")
    table = gr.Dataframe(
        headers=COLUMNS,
        interactive=False,
        wrap=True,
        max_height=480,
        elem_id="dd-history-table",
        column_widths=["6%", "13%", "13%", "7%", "4%", "8%", "8%", "9%", "10%", "7%", "8%", "7%"],
        label="Draft versions (select a row to see its diff)",
    )
    with gr.Row(equal_height=True):
        newer = gr.Button("◀ Newer", size="sm", interactive=False, elem_id="dd-history-newer")
        pager = gr.Markdown(elem_id="dd-history-pager")
        older = gr.Button("Older ▶", size="sm", interactive=False, elem_id="dd-history-older")
    page = gr.State(0)
    picked = gr.Dropdown([], label="Draft", elem_id="dd-history-pick", allow_custom_value=False)
    diff = gr.HTML(NO_DIFF, elem_id="dd-history-diff")
    with gr.Row():
        per_day = gr.BarPlot(
            x="day",
            y="drafts",
            title="Drafts per day",
            sort="x",
            y_lim=[0, None],
            x_label_angle=-45,
            elem_id="dd-history-per-day",
        )
        rate = gr.LinePlot(
            x="day",
            y="approval rate (%)",
            title="Approval rate per day (requests approved / drafted)",
            sort="x",
            y_lim=[0, 100],
            x_label_angle=-45,
            elem_id="dd-history-rate",
        )
    with gr.Row():
        weekly = gr.BarPlot(
            x="week · engine",
            y="median words changed",
            color="engine",
            title="Median words changed before publishing, per ISO week and engine",
            sort="x",
            y_lim=[0, None],
            elem_id="dd-history-weekly",
        )
    with gr.Row():
        issues = gr.BarPlot(
            x="issue",
            y="drafts",
            title="Most frequent check issues (drafts)",
            sort="-y",
            y_lim=[0, None],
            elem_id="dd-history-issues",
        )
        agents = gr.BarPlot(
            x="agent",
            y="drafts",
            title="Drafts per agent",
            sort="-y",
            y_lim=[0, None],
            elem_id="dd-history-agents",
        )

    form: list[Any] = [user, kind, channel, engine, approved, date_from, date_to]
    outputs: list[Any] = [
        table,
        summary,
        picked,
        diff,
        per_day,
        rate,
        weekly,
        issues,
        agents,
        export,
        pager,
        page,
        newer,
        older,
    ]
    paged: list[Any] = [table, picked, pager, page, newer, older]
    chosen: list[Any] = [user, channel, engine]

    def load(*form: str | None) -> tuple[Any, ...]:
        return options(form[0], form[2], form[3]) + refresh(*form)

    for trigger in (refresh_button.click, tab.select):
        trigger(load, form, chosen + outputs, show_progress="minimal", api_visibility="private")
    for box in (user, kind, channel, engine, approved):
        box.input(refresh, form, outputs, show_progress="minimal", api_visibility="private")
    for day in (date_from, date_to):
        day.submit(refresh, form, outputs, show_progress="minimal", api_visibility="private")
    for button, step in ((newer, -1), (older, 1)):
        button.click(
            functools.partial(turn, step),
            [page, *form],
            paged,
            show_progress="minimal",
            api_visibility="private",
        )
    table.select(pick_row, None, picked, api_visibility="private")
    picked.change(show_diff, picked, diff, api_visibility="private")
