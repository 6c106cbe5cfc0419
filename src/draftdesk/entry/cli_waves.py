"""`draftdesk waves`: the wave report of a file of reviews, as a table, JSON or a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from draftdesk.domain.waves import WaveReport
from draftdesk.entry.cli_support import container_scope, err, first_start, out
from draftdesk.services.wave_html import render_html


def waves(
    input: Annotated[
        Path, typer.Argument(help="Reviews with dates, as .csv or .jsonl (review records).", dir_okay=False)
    ],
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report, with its charts, to this HTML file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Find the themes, spikes, suspected fakes and linked incidents of a wave of reviews."""
    with container_scope() as c:
        first_start(c)
        report = c.waves.analyze_file(input)
    if html is not None:
        html.write_text(render_html(report, f"Review wave report: {input.name}"), encoding="utf-8")
    if as_json:
        print(report.model_dump_json(indent=2, exclude={"series"}))
    else:
        _print(report)
    if html is not None:
        err.print(f"Report written to {html}")


def _print(report: WaveReport) -> None:
    out.print(
        f"{report.reviews} reviews, {report.negative} rated 1-3, "
        f"{report.period_start} to {report.period_end} ({report.seconds} s)"
    )
    themes = Table("theme", "reviews", "first", "last", "products", title="Themes")
    for t in report.themes:
        themes.add_row(
            escape(t.label), str(t.count), str(t.first), str(t.last), escape(", ".join(t.products))
        )
    out.print(themes)
    spikes = Table("product", "start", "end", "reviews", "usual a day", "trigger", title="Spikes")
    for s in report.spikes:
        spikes.add_row(
            escape(s.product),
            str(s.start),
            str(s.end),
            str(s.count),
            f"{s.baseline:g}",
            escape(s.trigger or "-"),
        )
    out.print(spikes)
    fakes = Table(
        "review", "why", title="Suspected fakes: report them to the platform, do not argue in public"
    )
    for f in report.suspected_fakes:
        fakes.add_row(escape(f.id), escape("; ".join(f.reasons)))
    out.print(fakes)
    for link in report.incident_links:
        out.print(
            f"Incident {escape(link.incident_id)} ({escape(link.title)}): {len(link.review_ids)} reviews"
        )
    actions = Table("theme", "root cause (to confirm)", "fix", "reply", title="Actions")
    for a in report.actions:
        actions.add_row(escape(a.theme), escape(a.root_cause), escape(a.fix), escape(a.reply_strategy))
    out.print(actions)
    for problem in report.problems:
        err.print(f"[yellow]Skipped:[/] {escape(problem)}")
