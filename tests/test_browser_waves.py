"""The Waves tab in a real browser (Debian's Chromium via Playwright) against the app on 127.0.0.1:
the bundled sample analysed into its kettle wave, themes and fakes; then a small file of one's
own, with a bad row, drafted and approved."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from draftdesk.container import Container

from .conftest import SCREENSHOTS, drafting_container, serving

ANALYSIS = 180_000  # ms: the first analysis embeds every review of the sample
HEADER = "id,platform,product,rating,created_at,author,text\n"
SMALL = [
    (
        "Brio Electric Kettle",
        1,
        "The lid hinge snapped after three weeks and now the lid will not stay shut.",
    ),
    ("Brio Electric Kettle", 1, "Lid pops open while it boils, so it never switches itself off. Dangerous."),
    ("Brio Electric Kettle", 2, "The hinge on the lid cracked. Boils fast but the lid is flimsy."),
    ("Brio Electric Kettle", 1, "Lid hinge broke on day ten. Steam everywhere, the kettle keeps boiling."),
    ("Brio Electric Kettle", 5, "Quiet, quick and the water tastes clean. Very happy with it."),
    ("Arden Desk Lamp", 2, "The Arden lamp flickers on the lowest setting, the one I read by."),
    ("Arden Desk Lamp", 4, "Nice warm light and a sturdy base; the cable could be longer."),
    ("Nimbus Duvet", 2, "The king size duvet is smaller than my cover; the size guide is unclear."),
    ("Nimbus Duvet", 5, "Warm without being heavy. Washed well too."),
    ("Kora Mug Set", 1, "Two of the four mugs arrived smashed; the box had no padding at all."),
    ("Kora Mug Set", 4, "Lovely glaze, a good weight in the hand."),
    ("Cove Bath Towels", 3, "Soft at first but they shed fluff in every wash so far."),
]


def small_file(tmp_path: Path) -> Path:
    """Twelve reviews over three days, and a thirteenth row with a rating of nine."""
    lines = [
        f'W{n:02d},shop,{product},{rating},2026-07-0{1 + n % 3}T10:{n:02d}:00+00:00,Customer {n},"{text}"'
        for n, (product, rating, text) in enumerate(SMALL, start=1)
    ]
    lines.append("W13,shop,Arden Desk Lamp,9,2026-07-03T12:00:00+00:00,Cy,Nine stars is not a rating")
    path = tmp_path / "small-wave.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rows(page: Page, table: str) -> Locator:
    # The rows shown; the table also has a hidden sizing row.
    return page.locator(f"#dd-waves-{table} .virtual-body [role=row]")


def test_analyse_the_sample_then_draft_and_approve_a_small_wave(
    full_store: Container, tmp_path: Path, page: Page
) -> None:
    container = drafting_container(full_store, tmp_path / "data")
    with serving(container) as url:
        page.goto(url)
        page.get_by_role("tab", name="Waves").click()
        page.get_by_role("button", name="Analyse").click()
        expect(page.get_by_text("or use the bundled sample").first).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Use the bundled sample").click()
        expect(page.locator("#dd-waves-source")).to_contain_text("bundled sample", timeout=30_000)
        page.get_by_role("button", name="Analyse").click()

        spikes = page.locator("#dd-waves-spikes")
        expect(spikes).to_contain_text("Wave: Brio Electric Kettle", timeout=ANALYSIS)
        expect(spikes).to_contain_text("reviews against")
        expect(page.locator("#dd-waves-summary")).to_contain_text("198 reviews")
        expect(page.locator("#dd-waves-problems")).to_be_hidden()
        first_theme = _rows(page, "themes").first
        expect(first_theme).to_contain_text("lid")
        expect(first_theme).to_contain_text("hinge")
        expect(first_theme).to_contain_text("Brio Electric Kettle")
        expect(_rows(page, "fakes").first).to_contain_text("platform")
        assert _rows(page, "fakes").count() >= 1
        expect(page.locator("#dd-waves-links")).to_contain_text("INC-2024-007")
        expect(_rows(page, "actions").first).to_contain_text("Hypothesis")
        expect(page.locator("#dd-waves-announcement textarea")).to_have_value(
            re.compile("What we changed on the Brio Electric Kettle")
        )
        expect(page.locator("#dd-waves-follow-up textarea")).to_have_value(re.compile("honest review"))
        for plot, label in {
            "volume": "Brio Electric Kettle",
            "rating": "mean rating",
            "theme-bars": "lid",
        }.items():
            drawn = page.locator(f"#dd-waves-{plot} svg.marks")
            expect(drawn).to_be_visible(timeout=30_000)
            expect(drawn).to_contain_text(label)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "waves.png"), full_page=True)

        # A file of one's own: its bad row is named, the other twelve are analysed and drafted.
        page.locator("#dd-waves-file input[type=file]").set_input_files(str(small_file(tmp_path)))
        expect(page.locator("#dd-waves-source")).to_be_empty(timeout=30_000)
        page.get_by_role("button", name="Analyse").click()
        expect(page.locator("#dd-waves-summary")).to_contain_text("12 reviews", timeout=ANALYSIS)
        # The charts draw the new file: its products, not the sample's.
        expect(page.locator("#dd-waves-volume svg.marks")).to_contain_text("Kora Mug Set", timeout=30_000)
        expect(page.locator("#dd-waves-rating svg.marks")).to_contain_text("Cove Bath Towels")
        expect(page.locator("#dd-waves-volume svg.marks")).not_to_contain_text("Wren Bluetooth Speaker")
        # Fewer products in the charts: the legend follows.
        page.locator("#dd-waves-products .token").filter(has_text="Kora Mug Set").locator(
            ".token-remove"
        ).click()
        expect(page.locator("#dd-waves-volume svg.marks")).not_to_contain_text("Kora Mug Set", timeout=30_000)
        expect(page.locator("#dd-waves-volume svg.marks")).to_contain_text("Brio Electric Kettle")
        problems = page.locator("#dd-waves-problems")
        expect(problems).to_be_visible()
        expect(problems).to_contain_text("small-wave.csv:14")
        page.get_by_role("button", name="Draft replies for this wave").click()
        expect(page.locator("#dd-waves-drafts-summary")).to_contain_text(
            "Drafted 12 replies", timeout=120_000
        )
        expect(_rows(page, "drafts")).to_have_count(12)
        expect(page.locator("#dd-waves-drafts")).to_contain_text("Brio Electric Kettle")
        page.get_by_role("button", name="Approve all that pass").click()
        expect(page.locator("#dd-waves-status")).to_contain_text("Approved", timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "waves-drafts.png"), full_page=True)
    container.close()
