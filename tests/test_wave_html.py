"""The review-wave report as a standalone HTML page: offline, escaped, nothing silently missing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from draftdesk.domain.waves import (
    Action,
    DailyPoint,
    ProductSeries,
    Spike,
    SuspectedFake,
    Theme,
    WaveReport,
)
from draftdesk.services.wave_html import render_html

HOSTILE = "<script>alert(1)</script>"
START = date(2024, 5, 1)


def _days(counts: list[int], rating: float | None) -> list[DailyPoint]:
    return [
        DailyPoint(day=START + timedelta(days=i), count=n, mean_rating=rating) for i, n in enumerate(counts)
    ]


def _report() -> WaveReport:
    theme = dict(review_ids=["r1", "r2"], first=START, last=START + timedelta(days=4))
    return WaveReport(
        reviews=40,
        negative=12,
        period_start=START,
        period_end=START + timedelta(days=6),
        seconds=1.25,
        series=[
            ProductSeries(product="Kettle K2", days=_days([2, 3, 2, 14, 12, 3, 2], 2.5)),
            ProductSeries(product="Toaster T1", days=_days([1, 0, 1, 1, 0, 1, 1], None)),
        ],
        spikes=[
            Spike(
                product="Kettle K2",
                start=date(2024, 5, 4),
                end=date(2024, 5, 5),
                count=26,
                baseline=2.4,
                mean_rating=1.6,
                trigger="lid cracked",
            )
        ],
        themes=[
            Theme(label="lid cracks", count=8, share=0.667, words=["lid", "crack"], **theme),
            Theme(label="late delivery", count=4, share=0.333, examples=["Came a week late."], **theme),
        ],
        suspected_fakes=[SuspectedFake(id="r99", reasons=[f"text says {HOSTILE}", "new account"])],
        incident_links=[],
        actions=[
            Action(theme="lid cracks", root_cause="a bad batch?", fix="swap lids", reply_strategy="apologise")
        ],
        announcement="We changed the lid supplier.",
        follow_up="",
        problems=["row 7: no rating"],
    )


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(_report(), title="May wave")


def _section(page: str, anchor: str) -> str:
    match = re.search(rf'<section id="{anchor}".*?</section>', page, re.S)
    assert match, f"section {anchor} is missing"
    return str(match.group(0))


def test_is_a_whole_document_that_parses(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>May wave</title>" in page
    HTMLParser().feed(page)  # raises nothing on well-formed-enough markup


def test_needs_nothing_from_the_network(page: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<link" not in page and "<img" not in page and "@import" not in page
    assert "url(" not in page


def test_volume_and_theme_charts_are_inline_svg(page: str) -> None:
    volume = _section(page, "volume")
    assert "<svg" in volume and "<polyline" in volume and "Kettle K2" in volume and "Toaster T1" in volume
    assert "<rect" in volume  # the shaded spike band
    assert "<svg" in _section(page, "ratings")
    bars = _section(page, "theme-chart")
    assert "<svg" in bars and "lid cracks" in bars and "late delivery" in bars
    assert bars.count("<rect") == 2
    assert 'aria-label="Reviews per theme"' in bars


def test_header_and_spike_details_are_shown(page: str) -> None:
    header = page.split("</header>")[0]
    for text in ("2024-05-01 to 2024-05-07", "40", "12", "1.25 s"):
        assert text in header
    spikes = _section(page, "spikes")
    for text in ("Kettle K2", "2024-05-04", "2024-05-05", "26", "2.4", "lid cracked"):
        assert text in spikes
    assert "66.7%" in _section(page, "themes")


def test_hostile_text_is_shown_as_text_never_as_markup(page: str) -> None:
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _section(page, "fakes")


def test_empty_sections_say_none_found_and_problems_are_visible(page: str) -> None:
    assert "None found" in _section(page, "incidents")
    assert "None found" in _section(page, "follow-up")
    assert "We changed the lid supplier." in _section(page, "announcement")
    assert 'class="warning"' in page and "row 7: no rating" in page


def test_an_empty_report_still_renders_every_section() -> None:
    page = render_html(WaveReport(reviews=0, negative=0))
    for anchor in ("volume", "theme-chart", "themes", "spikes", "fakes", "incidents", "actions"):
        assert "None found" in _section(page, anchor)
    assert 'class="warning"' not in page
