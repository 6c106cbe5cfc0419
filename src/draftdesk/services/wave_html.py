"""A review-wave report as one self-contained HTML page: inline CSS and SVG, nothing fetched.

Every piece of text from the report goes through `html.escape`: review texts, labels and
reasons are hostile user input, so a review saying "<script>" shows up as those characters.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date

from draftdesk.domain.waves import ProductSeries, Spike, WaveReport

NONE_FOUND = '<p class="none">None found.</p>'
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
WIDTH, LEFT, RIGHT, TOP, BOTTOM = 760, 48, 16, 24, 36

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;
margin:0 auto;max-width:1100px;padding:1rem 1.5rem 3rem;background:#fff}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #d8dde6;padding-bottom:.2rem}
.meta{display:flex;flex-wrap:wrap;gap:.4rem 2rem;margin:0;padding:0;list-style:none;color:#445}
.meta b{color:#1d2430}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid #d8dde6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
ul.ex{margin:0;padding-left:1.1rem}.none{color:#667;font-style:italic}
.warning{border:2px solid #c77700;background:#fff6e5;padding:.6rem 1rem;border-radius:6px}
blockquote{margin:0;border-left:4px solid #9aa7bd;background:#f7f8fb;padding:.2rem 1rem}
pre{white-space:pre-wrap;word-wrap:break-word;font:inherit}
svg{width:100%;height:auto;max-width:900px;display:block}svg text{font:11px sans-serif;fill:#334}
.legend{display:flex;flex-wrap:wrap;gap:1rem;font-size:13px}.swatch{display:inline-block;width:12px;
height:12px;margin-right:4px;vertical-align:middle}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def _color(index: int) -> str:
    return COLORS[index % len(COLORS)]


def _num(value: float) -> str:
    return _fmt(value, 2).rstrip("0").rstrip(".")


def _table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table; headers are escaped here, cells must already be HTML (built with `_e`)."""
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    cap = f'<caption class="sr">{_e(caption)}</caption>'
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value: object, num: bool = False) -> str:
    return f'<td class="num">{_e(value)}</td>' if num else f"<td>{_e(value)}</td>"


def _section(anchor: str, heading: str, body: str) -> str:
    h2 = f'<h2 id="{anchor}-h">{_e(heading)}</h2>'
    return f'<section id="{anchor}" aria-labelledby="{anchor}-h">{h2}{body}</section>'


def _header(report: WaveReport, title: str) -> str:
    start = report.period_start.isoformat() if report.period_start else "?"
    end = report.period_end.isoformat() if report.period_end else "?"
    items = [
        ("Period", f"{start} to {end}"),
        ("Reviews", str(report.reviews)),
        ("Negative reviews", str(report.negative)),
        ("Analysis time", f"{_fmt(report.seconds, 2)} s"),
    ]
    meta = "".join(f"<li>{_e(k)}: <b>{_e(v)}</b></li>" for k, v in items)
    return f'<header><h1>{_e(title)}</h1><ul class="meta" aria-label="Summary">{meta}</ul></header>'


def _problems(report: WaveReport) -> str:
    if not report.problems:
        return ""
    items = "".join(f"<li>{_e(p)}</li>" for p in report.problems)
    return (
        f'<div class="warning" role="alert"><strong>{len(report.problems)} row(s) could not be read'
        f"</strong><ul>{items}</ul></div>"
    )


class _Axis:
    """Maps days and values onto the plot area of a line chart."""

    def __init__(self, first: date, last: date, top: float, bottom: float, height: int) -> None:
        self.first, self.span = first, max((last - first).days, 1)
        self.top, self.bottom, self.height = top, bottom, height
        self.step = (WIDTH - LEFT - RIGHT) / (self.span + 1)

    def x(self, day: date) -> float:
        return LEFT + self.step / 2 + (day - self.first).days * self.step

    def y(self, value: float) -> float:
        scale = (value - self.bottom) / ((self.top - self.bottom) or 1)
        return TOP + (1 - scale) * (self.height - TOP - BOTTOM)


def _svg(label: str, height: int, body: str) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{_e(label)}">'
        f"<title>{_e(label)}</title>{body}</svg>"
    )


def _frame(axis: _Axis, y_labels: Sequence[float], last: date) -> str:
    base = axis.height - BOTTOM
    parts = [f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#889"/>']
    for value in y_labels:
        y = axis.y(value)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e4e7ee"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_e(_fmt(value, 0))}</text>')
    for day, anchor in {axis.first: "start", last: "end"}.items():
        x = axis.x(day)
        parts.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="{anchor}">{_e(day.isoformat())}</text>')
    return "".join(parts)


def _spike_band(axis: _Axis, spike: Spike, index: int) -> str:
    lo = max(axis.x(spike.start) - axis.step / 2, LEFT)
    hi = min(axis.x(spike.end) + axis.step / 2, WIDTH - RIGHT)
    if hi <= lo:
        return ""
    tip = f"Spike: {spike.product}, {spike.start} to {spike.end}, {spike.count} reviews"
    height = axis.height - TOP - BOTTOM
    at_right = lo > WIDTH / 2  # keep the label inside the chart
    label = f'x="{hi - 3 if at_right else lo + 3:.1f}" y="{TOP - 6 + (index % 2) * 12}"'
    return (
        f'<g><title>{_e(tip)}</title><rect x="{lo:.1f}" y="{TOP}" width="{hi - lo:.1f}" height="{height}" '
        f'fill="#f0c14b" fill-opacity="0.3"/><text {label} text-anchor="{"end" if at_right else "start"}">'
        f"{_e(f'Spike: {spike.product} ({spike.start} to {spike.end})')}</text></g>"
    )


def _line(axis: _Axis, points: Sequence[tuple[date, float]], color: str, name: str) -> str:
    if not points:
        return ""
    coords = " ".join(f"{axis.x(d):.1f},{axis.y(v):.1f}" for d, v in points)
    dots = "".join(
        f'<circle cx="{axis.x(d):.1f}" cy="{axis.y(v):.1f}" r="2.5" fill="{color}">'
        f"<title>{_e(f'{name}, {d.isoformat()}: {_num(v)}')}</title></circle>"
        for d, v in points
    )
    return f'<g><polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>{dots}</g>'


def _legend(series: Sequence[ProductSeries]) -> str:
    items = "".join(
        f'<span><span class="swatch" style="background:{_color(i)}"></span>{_e(s.product)}</span>'
        for i, s in enumerate(series)
    )
    return f'<div class="legend" aria-label="Products">{items}</div>'


def _days(series: Sequence[ProductSeries]) -> list[date]:
    return sorted({p.day for s in series for p in s.days})


def _volume_chart(report: WaveReport) -> str:
    days = _days(report.series)
    if not days:
        return NONE_FOUND
    peak = max(max((p.count for s in report.series for p in s.days), default=0), 1)
    axis = _Axis(days[0], days[-1], peak, 0, 280)
    bands = "".join(_spike_band(axis, s, i) for i, s in enumerate(report.spikes))
    lines = "".join(
        _line(axis, [(p.day, p.count) for p in s.days], _color(i), s.product)
        for i, s in enumerate(report.series)
    )
    body = _frame(axis, sorted({0, peak // 2, peak}), days[-1]) + bands + lines
    return _svg("Reviews per day and product; shaded bands are spikes", 280, body) + _legend(report.series)


def _rating_chart(report: WaveReport) -> str:
    rated = [[(p.day, p.mean_rating) for p in s.days if p.mean_rating is not None] for s in report.series]
    days = _days(report.series)
    if not days or not any(rated):
        return '<p class="none">No daily ratings available.</p>'
    axis = _Axis(days[0], days[-1], 5, 1, 180)
    lines = "".join(
        _line(axis, pts, _color(i), s.product)
        for i, (s, pts) in enumerate(zip(report.series, rated, strict=True))
    )
    chart = _svg("Mean rating per day and product, 1 to 5", 180, _frame(axis, (1, 3, 5), days[-1]) + lines)
    return chart + _legend(report.series)


def _theme_bars(report: WaveReport) -> str:
    if not report.themes:
        return NONE_FOUND
    row, label_w = 26, 260
    peak = max(max(t.count for t in report.themes), 1)
    scale = (WIDTH - label_w - 60) / peak
    bars = []
    for i, theme in enumerate(report.themes):
        y, short = TOP + i * row, theme.label if len(theme.label) <= 40 else theme.label[:39] + "…"
        bars.append(
            f"<g><title>{_e(f'{theme.label}: {theme.count} reviews')}</title>"
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(short)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{max(theme.count * scale, 1):.1f}" height="{row - 8}" '
            f'fill="{COLORS[0]}"/><text x="{label_w + theme.count * scale + 6:.1f}" y="{y + 15}">'
            f"{theme.count}</text></g>"
        )
    return _svg("Reviews per theme", TOP * 2 + row * len(report.themes), "".join(bars))


def _examples(texts: Sequence[str]) -> str:
    if not texts:
        return "<td></td>"
    return '<td><ul class="ex">' + "".join(f"<li>{_e(t)}</li>" for t in texts[:3]) + "</ul></td>"


def _themes_table(report: WaveReport) -> str:
    if not report.themes:
        return NONE_FOUND
    rows = (
        [
            _td(t.label),
            _td(t.count, True),
            _td(f"{t.share * 100:.1f}%", True),
            _td(t.first),
            _td(t.last),
            _td(", ".join(t.words)),
            _td(", ".join(f"{p} ({n})" for p, n in t.products.items())),
            _examples(t.examples),
        ]
        for t in report.themes
    )
    headers = ("Theme", "Count", "Share", "First", "Last", "Top words", "Products", "Examples")
    return _table("Themes", headers, rows)


def _spikes_table(report: WaveReport) -> str:
    if not report.spikes:
        return NONE_FOUND
    rows = (
        [
            _td(s.product),
            _td(s.start),
            _td(s.end),
            _td(s.count, True),
            _td(_fmt(s.baseline), True),
            _td(s.trigger or "—"),
        ]
        for s in report.spikes
    )
    return _table("Spikes", ("Product", "Start", "End", "Reviews", "Baseline per day", "Trigger"), rows)


def _fakes_table(report: WaveReport) -> str:
    if not report.suspected_fakes:
        return NONE_FOUND
    rows = ([_td(f.id), _td("; ".join(f.reasons)), _td(f.advice)] for f in report.suspected_fakes)
    return _table("Suspected fake reviews", ("Review", "Reasons", "Advice"), rows)


def _incidents_table(report: WaveReport) -> str:
    if not report.incident_links:
        return NONE_FOUND
    rows = (
        [_td(i.incident_id), _td(i.title), _td(len(i.review_ids), True), _td(", ".join(i.review_ids))]
        for i in report.incident_links
    )
    return _table("Incident links", ("Incident", "Title", "Reviews", "Review ids"), rows)


def _actions_table(report: WaveReport) -> str:
    if not report.actions:
        return NONE_FOUND
    rows = ([_td(a.theme), _td(a.root_cause), _td(a.fix), _td(a.reply_strategy)] for a in report.actions)
    return _table("Actions", ("Theme", "Root cause (hypothesis)", "Fix", "Reply strategy"), rows)


def _draft(text: str) -> str:
    return f"<blockquote><pre>{_e(text)}</pre></blockquote>" if text.strip() else NONE_FOUND


def render_html(report: WaveReport, title: str = "Review wave report") -> str:
    """The whole report as one HTML document that needs nothing but a browser, even offline."""
    sections = [
        _section("volume", "Daily review volume", _volume_chart(report)),
        _section("ratings", "Mean rating per day", _rating_chart(report)),
        _section("theme-chart", "Themes at a glance", _theme_bars(report)),
        _section("themes", "Themes", _themes_table(report)),
        _section("spikes", "Spikes", _spikes_table(report)),
        _section("fakes", "Suspected fake reviews", _fakes_table(report)),
        _section("incidents", "Incident links", _incidents_table(report)),
        _section("actions", "Actions", _actions_table(report)),
        _section("announcement", "What we changed (draft announcement)", _draft(report.announcement)),
        _section("follow-up", "Follow-up message (draft)", _draft(report.follow_up)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
        f"{_header(report, title)}{_problems(report)}<main>{''.join(sections)}</main></body></html>\n"
    )
