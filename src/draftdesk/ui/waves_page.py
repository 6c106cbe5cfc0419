"""The Waves tab: a file of reviews analysed for spikes, themes, fakes and incidents, then drafted.

The analysis and the drafting are the services'; this page only turns the report into text,
tables and charts, and keeps the report and its reviews for the drafting step.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from draftdesk.container import Container
from draftdesk.domain.reviews import Review
from draftdesk.domain.waves import Spike, WaveReport
from draftdesk.errors import DraftdeskError
from draftdesk.paths import bundled_dir
from draftdesk.services.bulk_drafting import BulkResult, draft_reviews
from draftdesk.services.review_io import read_reviews
from draftdesk.services.wave_analysis import incident_context
from draftdesk.ui.bulk_page import approve_rows
from draftdesk.ui.session import acting_user

SAMPLE = bundled_dir("knowledge") / "samples" / "reviews.csv"
NONE_FOUND = "None found."
THEME_COLUMNS = ["theme", "reviews", "share %", "first", "last", "products", "examples"]
FAKE_COLUMNS = ["review", "reasons", "advice"]
ACTION_COLUMNS = ["theme", "root cause (to confirm)", "fix", "reply strategy"]
DRAFT_COLUMNS = ["review", "product", "kind", "passes checks", "score", "draft reply"]
CHART_PRODUCTS = 5
PALETTE = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#9d755d"]
WAVES_CSS = """
#dd-waves-problems { background: #fff7e0; border-left: 4px solid #d97706; padding: 8px 12px; }
"""


def _error(exc: DraftdeskError, path: Path | None = None) -> gr.Error:
    text = f"{exc.message} {exc.hint or ''}".strip()
    return gr.Error(_named(text, path) if path else text)


def _named(text: str, path: Path) -> str:
    """Gradio's upload folder means nothing to the user; the file name does."""
    return text.replace(str(path), path.name)


def summary_markdown(report: WaveReport, path: Path) -> str:
    period = f"{report.period_start} to {report.period_end}" if report.period_start else "no dates"
    return (
        f"**{report.reviews}** reviews in `{html.escape(path.name)}` from {period}; **{report.negative}** "
        f"rated 1 to 3. Analysed in {report.seconds:g} s."
    )


def problems_markdown(problems: list[str], path: Path) -> str:
    lines = "\n".join(f"- {html.escape(_named(p, path))}" for p in problems)
    return f"**⚠ {len(problems)} row(s) could not be read and were left out:**\n\n{lines}"


def spike_line(spike: Spike) -> str:
    trigger = f'"{html.escape(spike.trigger)}"' if spike.trigger else "none found"
    if spike.trigger_review_ids:
        trigger += f" (shared by {len(spike.trigger_review_ids)} reviews)"
    usual = "" if spike.baseline_rating is None else f" against {spike.baseline_rating:g}"
    return (
        f"- **Wave: {html.escape(spike.product)}** from {spike.start} to {spike.end}: {spike.count} "
        f"reviews against {spike.baseline:g} a day, mean rating {spike.mean_rating:g}{usual}; "
        f"trigger: {trigger}"
    )


def spikes_markdown(report: WaveReport) -> str:
    lines = "\n".join(spike_line(s) for s in report.spikes) or NONE_FOUND
    return f"### Spikes\n\n{lines}"


def chart_products(report: WaveReport) -> list[str]:
    """Drawn at first: the products with a spike, then the busiest; a legend stays readable."""
    names = [s.product for s in report.spikes] + [s.product for s in report.series]
    return list(dict.fromkeys(names))[:CHART_PRODUCTS]


def series_frames(report: WaveReport, products: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reviews a day per product (a day without reviews counts 0), and the mean rating of the days
    that have reviews."""
    shown = [s for s in report.series if s.product in products]
    volume = [(p.day, s.product, p.count) for s in shown for p in s.days]
    rating = [(p.day, s.product, p.mean_rating) for s in shown for p in s.days if p.mean_rating]
    counts = pd.DataFrame(volume, columns=["day", "product", "count"])
    counts["day"] = pd.to_datetime(counts["day"])
    if report.period_start and report.period_end and shown:
        days = pd.date_range(report.period_start, report.period_end, freq="D")
        full = pd.MultiIndex.from_product([days, [s.product for s in shown]], names=["day", "product"])
        counts = counts.set_index(["day", "product"])["count"].reindex(full, fill_value=0).reset_index()
    means = pd.DataFrame(rating, columns=["day", "product", "mean rating"])
    means["day"] = pd.to_datetime(means["day"])
    return counts, means


def chart_values(v: dict[str, Any], report: WaveReport, products: list[str]) -> dict[Any, Any]:
    volume, rating = series_frames(report, products)
    return {v["volume"]: volume, v["rating"]: rating}


def chart_colors(v: dict[str, Any], report: WaveReport, products: list[str]) -> dict[Any, Any]:
    """A colour per product, the same in both charts. Sent after the data: a new colour map makes
    Gradio draw the chart again with the legend of the data it has (given together, the new map
    can be drawn with the old data, and with the same map it keeps the old legend)."""
    every = [s.product for s in report.series]
    colors = {p: PALETTE[every.index(p) % len(PALETTE)] for p in products if p in every}
    return {v["volume"]: gr.update(color_map=colors), v["rating"]: gr.update(color_map=colors)}


def theme_frames(report: WaveReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        [
            t.label,
            t.count,
            round(t.share * 100, 1),
            t.first.isoformat(),
            t.last.isoformat(),
            ", ".join(f"{p} ({n})" for p, n in t.products.items()),
            " ".join(f"“{e}”" for e in t.examples),
        ]
        for t in report.themes
    ]
    # Two themes may share a label; each keeps its own bar.
    labels = [f"{n}. {t.label}" for n, t in enumerate(report.themes, start=1)]
    bars = pd.DataFrame({"theme": labels, "reviews": [t.count for t in report.themes]})
    return bars, pd.DataFrame(rows, columns=THEME_COLUMNS)


def fake_rows(report: WaveReport) -> pd.DataFrame:
    rows = [[f.id, "; ".join(f.reasons), f.advice] for f in report.suspected_fakes]
    return pd.DataFrame(rows, columns=FAKE_COLUMNS)


def action_rows(report: WaveReport) -> pd.DataFrame:
    rows = [[a.theme, a.root_cause, a.fix, a.reply_strategy] for a in report.actions]
    return pd.DataFrame(rows, columns=ACTION_COLUMNS)


def links_markdown(report: WaveReport) -> str:
    lines = "\n".join(
        f"- **{html.escape(link.incident_id)}** {html.escape(link.title)}: {len(link.review_ids)} reviews "
        f"(similarity {link.score:g}); their replies are drafted with this incident's published facts."
        for link in report.incident_links
    )
    return f"### Incident links\n\n{lines or NONE_FOUND}"


def heading(title: str, count: int) -> str:
    return f"### {title} · {count}" if count else f"### {title}\n\n{NONE_FOUND}"


def draft_table(result: BulkResult) -> pd.DataFrame:
    rows = [
        [r.review_id, r.product, r.kind, "yes" if r.passed else "no", r.score, r.reply] for r in result.rows
    ]
    return pd.DataFrame(rows, columns=DRAFT_COLUMNS)


def drafts_markdown(result: BulkResult) -> str:
    passing = sum(r.passed for r in result.rows)
    summary = f"Drafted **{len(result.rows)}** replies; **{passing}** pass every check."
    if result.problems:
        summary += "\n\nNot drafted:\n" + "\n".join(f"- {html.escape(p)}" for p in result.problems)
    return summary


def _report_view() -> dict[str, Any]:
    """The report's components, in reading order: spikes and charts, themes, fakes, what to do."""
    v: dict[str, Any] = {}
    v["summary"] = gr.Markdown(elem_id="dd-waves-summary")
    v["problems"] = gr.Markdown(visible=False, elem_id="dd-waves-problems")
    v["spikes"] = gr.Markdown(elem_id="dd-waves-spikes")
    v["products"] = gr.Dropdown(
        [], multiselect=True, label="Products in the charts", elem_id="dd-waves-products"
    )
    v["volume"] = gr.LinePlot(
        x="day", y="count", color="product", title="Reviews a day per product", elem_id="dd-waves-volume"
    )
    v["rating"] = gr.ScatterPlot(
        x="day",
        y="mean rating",
        color="product",
        title="Mean rating a day per product (days with reviews)",
        y_lim=[1, 5],
        elem_id="dd-waves-rating",
    )
    v["themes_head"] = gr.Markdown()
    v["theme_bars"] = gr.BarPlot(
        x="theme",
        y="reviews",
        title="Reviews per theme (rated 1 to 3)",
        sort="-y",
        y_lim=[0, None],
        x_label_angle=-40,
        elem_id="dd-waves-theme-bars",
    )
    v["themes"] = _table(THEME_COLUMNS, "themes", ["14%", "8%", "6%", "9%", "9%", "15%", "39%"])
    v["fakes_head"] = gr.Markdown()
    v["fakes"] = _table(FAKE_COLUMNS, "fakes", ["8%", "52%", "40%"])
    v["links"] = gr.Markdown(elem_id="dd-waves-links")
    v["actions_head"] = gr.Markdown()
    v["actions"] = _table(ACTION_COLUMNS, "actions", ["16%", "28%", "28%", "28%"])
    with gr.Row():
        v["announcement"] = _draft_box(
            "“What we changed” announcement (edit before publishing)", "announcement"
        )
        v["follow_up"] = _draft_box("Follow-up asking for honest reviews (no incentive)", "follow-up")
    return v


def _draft_box(label: str, name: str) -> gr.Textbox:
    return gr.Textbox(label=label, lines=7, interactive=True, buttons=["copy"], elem_id=f"dd-waves-{name}")


def _table(columns: list[str], name: str, widths: list[str | int], **more: Any) -> gr.Dataframe:
    more = {"max_height": 420} | more
    return gr.Dataframe(
        headers=columns,
        interactive=False,
        wrap=True,
        column_widths=widths,
        elem_id=f"dd-waves-{name}",
        **more,
    )


def report_values(v: dict[str, Any], report: WaveReport, path: Path) -> dict[Any, Any]:
    bars, themes = theme_frames(report)
    products = chart_products(report)
    return chart_values(v, report, products) | {
        v["summary"]: summary_markdown(report, path),
        v["problems"]: gr.update(
            value=problems_markdown(report.problems, path), visible=bool(report.problems)
        ),
        v["spikes"]: spikes_markdown(report),
        v["products"]: gr.update(choices=[s.product for s in report.series], value=products),
        v["themes_head"]: heading("Themes", len(report.themes)),
        v["theme_bars"]: gr.update(value=bars, visible=bool(report.themes)),
        v["themes"]: gr.update(value=themes, visible=bool(report.themes)),
        v["fakes_head"]: heading("Suspected fakes", len(report.suspected_fakes)),
        v["fakes"]: gr.update(value=fake_rows(report), visible=bool(report.suspected_fakes)),
        v["links"]: links_markdown(report),
        v["actions_head"]: heading("Actions", len(report.actions)),
        v["actions"]: gr.update(value=action_rows(report), visible=bool(report.actions)),
        v["announcement"]: report.announcement,
        v["follow_up"]: report.follow_up,
    }


def build_waves_tab(container: Container) -> None:
    def use_sample() -> tuple[Any, ...]:
        note = f"Using the bundled sample `{SAMPLE.name}`; upload a file to analyse your own instead."
        return True, None, note

    def analyse(file: str | None, sample: bool) -> dict[Any, Any]:
        if not file and not sample:
            raise gr.Error("Upload a CSV or JSON Lines file of reviews, or use the bundled sample.")
        path = Path(file) if file else SAMPLE
        try:
            report = container.waves.analyze_file(path)
            reviews = read_reviews(path).reviews
        except DraftdeskError as exc:
            raise _error(exc, path) from None
        return report_values(view, report, path) | {
            results: gr.update(visible=True),
            kept: (report, reviews),
            drafted: [],
            drafts: gr.update(value=pd.DataFrame([], columns=DRAFT_COLUMNS), visible=False),
            drafts_summary: "",
            status: "",
        }

    def redraw(wave: tuple[WaveReport, list[Review]] | None, products: list[str]) -> dict[Any, Any]:
        return chart_values(view, wave[0], products) if wave else {}

    def recolor(wave: tuple[WaveReport, list[Review]] | None, products: list[str]) -> dict[Any, Any]:
        return chart_colors(view, wave[0], products) if wave else {}

    def draft(
        wave: tuple[WaveReport, list[Review]] | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        if not wave:
            raise gr.Error("Analyse a file first.")
        report, reviews = wave
        try:
            result = draft_reviews(
                reviews,
                container.reviews,
                container.records,
                lambda done, total: progress((done, total), desc="Drafting replies", unit="reviews"),
                by=acting_user(container, request).name,
                context=incident_context(report),
                max_overlap=container.settings.duplicate_overlap,
            )
        except DraftdeskError as exc:
            raise _error(exc) from None
        rows = [r.model_dump() for r in result.rows]
        return gr.update(value=draft_table(result), visible=True), drafts_markdown(result), rows, ""

    def approve(rows: list[dict[str, Any]], request: gr.Request) -> str:
        return approve_rows(container, rows, request, "Draft replies for the wave first.")

    gr.HTML(f"<style>{WAVES_CSS}</style>", padding=False)
    sample, kept, drafted = gr.State(False), gr.State(None), gr.State([])
    with gr.Row():
        upload = gr.File(
            label="Reviews (CSV or JSON Lines)",
            file_types=[".csv", ".jsonl"],
            height=140,
            elem_id="dd-waves-file",
        )
        with gr.Column(scale=0, min_width=220):
            sample_button = gr.Button("Use the bundled sample", elem_id="dd-waves-sample")
            analyse_button = gr.Button("Analyse", variant="primary", elem_id="dd-waves-analyse")
    source = gr.Markdown(elem_id="dd-waves-source")
    with gr.Column(visible=False) as results:
        view = _report_view()
        gr.Markdown("### Replies")
        draft_button = gr.Button("Draft replies for this wave", variant="primary")
        drafts_summary = gr.Markdown(elem_id="dd-waves-drafts-summary")
        drafts = _table(
            DRAFT_COLUMNS, "drafts", ["8%", "16%", "15%", "8%", "7%", "46%"], visible=False, max_height=640
        )
        approve_button = gr.Button("Approve all that pass", variant="primary")
        status = gr.Markdown(elem_id="dd-waves-status")

    outputs = [results, kept, drafted, drafts, drafts_summary, status, *view.values()]
    sample_button.click(use_sample, None, [sample, upload, source], api_visibility="private")
    upload.upload(lambda: (False, ""), None, [sample, source], api_visibility="private")
    charts, chosen = [view["volume"], view["rating"]], [kept, view["products"]]
    analysed = analyse_button.click(analyse, [upload, sample], outputs, api_visibility="private")
    analysed.success(recolor, chosen, charts, api_visibility="private")
    picked = view["products"].input(redraw, chosen, charts, api_visibility="private")
    picked.success(recolor, chosen, charts, api_visibility="private")
    draft_button.click(draft, kept, [drafts, drafts_summary, drafted, status], api_visibility="private")
    approve_button.click(approve, drafted, status, api_visibility="private")
