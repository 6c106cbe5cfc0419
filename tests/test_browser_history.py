"""The History screen in a real browser (Debian's Chromium via Playwright) against the app on
127.0.0.1: drafts recorded through the services show up, the filters narrow the table, a row
opens the words changed before publishing, and the charts render."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from draftdesk.container import Container
from draftdesk.ui import history_page

from .conftest import SCREENSHOTS, serving
from .test_history import record_history


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_filter_the_history_open_a_diff_and_see_the_charts(container: Container, page: Page) -> None:
    record_history(container)  # Sam's and Lee's drafts over 2-11 March, some approved after edits
    with serving(container) as url:
        page.goto(url)
        page.get_by_role("tab", name="History").click()
        table = page.locator("#dd-history-table")
        body = table.locator(".virtual-body")  # the rows shown; the table also has a hidden sizing row
        rows = body.locator("[role=row]")
        expect(rows).to_have_count(8, timeout=30_000)
        expect(page.locator("#dd-history-summary")).to_contain_text("8 draft versions")

        # Sam drafted five versions; with "not approved" only the kettle reply's first version is left.
        _choose(page, "User (drafted or approved)", "sam")
        expect(rows).to_have_count(5, timeout=30_000)
        page.locator("#dd-history-approved").get_by_label("no", exact=True).check()
        expect(rows).to_have_count(1, timeout=30_000)
        expect(rows.first).to_contain_text("2026-03-02 15:00")
        expect(rows.first).to_contain_text("fail · 60")
        page.locator("#dd-history-approved").get_by_label("yes", exact=True).check()
        expect(rows).to_have_count(4, timeout=30_000)
        expect(body).not_to_contain_text("fail")
        # Lee's own work that was never published: the rug reply and the incident SMS.
        _choose(page, "User (drafted or approved)", "lee")
        page.locator("#dd-history-approved").get_by_label("no", exact=True).check()
        expect(rows).to_have_count(2, timeout=30_000)
        expect(body).to_contain_text("sms")
        page.locator("#dd-history-approved").get_by_label("yes", exact=True).check()
        expect(rows).to_have_count(4, timeout=30_000)
        _choose(page, "User (drafted or approved)", "sam")
        expect(rows).to_have_count(4, timeout=30_000)

        # A row opens the words changed before publishing: "so" struck out, "Arden" added.
        rows.filter(has_text="2026-03-02 10:00").locator("[role=gridcell]").nth(1).click()
        diff = page.locator("#dd-history-diff")
        expect(diff.locator("del")).to_have_text("so", timeout=30_000)
        expect(diff.locator("ins")).to_have_text("Arden")
        expect(diff).to_contain_text("2 words changed")
        assert diff.locator("del").evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"

        # Back to everything: the charts draw every series.
        _choose(page, "User (drafted or approved)", "any")
        page.locator("#dd-history-approved").get_by_label("any", exact=True).check()
        expect(rows).to_have_count(8, timeout=30_000)
        plots = {"per-day": "2026-03-11", "rate": "2026-03-09", "weekly": "2026-W11 · openai"}
        plots |= {"issues": "too_long", "agents": "lee"}
        for plot, label in plots.items():
            drawn = page.locator(f"#dd-history-{plot} svg.marks")
            expect(drawn).to_be_visible(timeout=30_000)
            expect(drawn).to_contain_text(label)
        expect(page.locator("#dd-history-export")).to_be_enabled()
        with page.expect_download() as download:
            page.locator("#dd-history-export").click()
        exported = download.value.path().read_text(encoding="utf-8-sig")
        assert exported.count("\n") == 9 and "Arden" in exported  # a header and 8 rows

        rows.filter(has_text="2026-03-02 10:00").locator("[role=gridcell]").nth(1).click()
        expect(page.locator("#dd-history-diff del")).to_have_text("so", timeout=30_000)
        page.set_viewport_size({"width": 1280, "height": 900})
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "history.png"), full_page=True)

        # A bad date is refused with a message that says how to write it.
        page.locator("#dd-history-from textarea, #dd-history-from input").first.fill("2 March")
        page.locator("#dd-history-from textarea, #dd-history-from input").first.press("Enter")
        expect(page.get_by_text("YYYY-MM-DD").first).to_be_visible(timeout=30_000)


def test_the_table_shows_a_page_at_a_time_while_charts_and_export_cover_every_row(
    container: Container, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A batch job adds thousands of rows; three to a page shows the same paging with eight.
    monkeypatch.setattr(history_page, "PAGE_ROWS", 3)
    record_history(container)
    with serving(container) as url:
        page.goto(url)
        page.get_by_role("tab", name="History").click()
        rows = page.locator("#dd-history-table .virtual-body [role=row]")
        pager = page.locator("#dd-history-pager")
        newer, older = page.locator("#dd-history-newer"), page.locator("#dd-history-older")
        expect(pager).to_contain_text("Rows 1–3 of 8", timeout=30_000)
        expect(rows).to_have_count(3)
        expect(rows.first).to_contain_text("2026-03-11")  # newest first
        expect(page.locator("#dd-history-summary")).to_contain_text("8 draft versions")
        expect(newer).to_be_disabled()
        older.click()
        expect(pager).to_contain_text("Rows 4–6 of 8", timeout=30_000)
        older.click()
        expect(pager).to_contain_text("Rows 7–8 of 8", timeout=30_000)
        expect(rows).to_have_count(2)
        expect(rows.last).to_contain_text("2026-03-02")
        expect(older).to_be_disabled()
        newer.click()
        expect(pager).to_contain_text("Rows 4–6 of 8", timeout=30_000)
        with page.expect_download() as download:
            page.locator("#dd-history-export").click()
        assert download.value.path().read_text(encoding="utf-8-sig").count("\n") == 9  # all 8 rows
        # A filter starts again at the first page of what it lets through.
        _choose(page, "User (drafted or approved)", "sam")
        expect(pager).to_contain_text("Rows 1–3 of 5", timeout=30_000)
