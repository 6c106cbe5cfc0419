"""The workspace in a real browser (Debian's Chromium driven by Playwright) against the app on
127.0.0.1: what an agent does all day, and that a reload loses nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from draftdesk.container import Container

from .conftest import SCREENSHOTS, CountingEmbedder, free_port, make_settings, serving


def _editor(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#dd-reply textarea")


def test_draft_edit_reload_and_approve_a_review_reply(server: str, page: Page) -> None:
    page.goto(server)
    page.get_by_label("Review", exact=True).fill(
        "The Arden lamp flickers at the lowest setting, which is the one I read by."
    )
    page.get_by_label("Product").fill("Arden Desk Lamp")
    page.get_by_label("Reviewer's name").fill("Priya")
    page.get_by_role("button", name="Draft reply").click()
    expect(_editor(page)).to_have_value(re.compile("Arden Desk Lamp"), timeout=30_000)
    expect(page.locator("#dd-report")).to_contain_text("score")

    edited = _editor(page).input_value() + " Thanks for reading with us, Priya."
    _editor(page).fill(edited)
    page.wait_for_timeout(3000)  # the editor saves as it changes
    page.reload()
    expect(_editor(page)).to_have_value(edited, timeout=30_000)
    expect(page.get_by_label("Product")).to_have_value("Arden Desk Lamp")
    expect(page.locator("#dd-report")).to_contain_text("score")  # the edited text, checked again

    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#dd-status")).to_contain_text("Approved by local user", timeout=30_000)
    expect(page.locator("#dd-status")).to_contain_text("words changed")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reviews.png"), full_page=True)


@pytest.mark.parametrize(("device", "width", "height"), [("tablet", 820, 1180), ("small-laptop", 1024, 640)])
def test_the_reviews_tab_fits_a_tablet_and_a_small_laptop(
    server: str, browser: Browser, device: str, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(server)
    page.get_by_label("Review", exact=True).fill("The Arden lamp flickers at the lowest setting.")
    page.get_by_label("Product").fill("Arden Desk Lamp")
    page.get_by_role("button", name="Draft reply").click()
    expect(_editor(page)).to_have_value(re.compile("Arden Desk Lamp"), timeout=30_000)
    # Nothing runs off the side: no sideways scrolling to reach the reply or its buttons.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for button in ("Approve", "Regenerate", "Discard"):
        target = page.get_by_role("button", name=button)
        target.scroll_into_view_if_needed()
        expect(target).to_be_visible()
        box = target.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (button, box)
    if device == "tablet":
        page.screenshot(path=str(SCREENSHOTS / "reviews-tablet.png"))
    context.close()


def test_an_empty_review_gets_a_message_and_keeps_what_was_typed(server: str, page: Page) -> None:
    page.goto(server)
    page.get_by_label("Product").fill("Brio Electric Kettle")
    page.get_by_role("button", name="Draft reply").click()
    expect(page.get_by_text("review text is empty").first).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Product")).to_have_value("Brio Electric Kettle")
    expect(_editor(page)).to_have_value("")


def test_a_language_model_that_is_down_still_gives_a_marked_template_draft(
    small_kb: Path, counting: CountingEmbedder, tmp_path: Path, page: Page
) -> None:
    # An OpenAI-compatible endpoint on a port where nothing listens: every call fails at once.
    dead = f"http://127.0.0.1:{free_port()}/v1"
    settings = make_settings(
        tmp_path,
        knowledge_dir=small_kb,
        llm_provider="openai",
        openai_base_url=dead,
        openai_api_key="test-key",
        llm_max_retries=0,
        llm_timeout=5,
    )
    container = Container(settings)
    container.embedder = counting  # type: ignore[misc]
    container.ensure_knowledge()
    with serving(container) as url:
        page.goto(url)
        page.get_by_label("Review", exact=True).fill("My Brio kettle leaks from the base after a week.")
        page.get_by_label("Product").fill("Brio Electric Kettle")
        page.get_by_role("button", name="Draft reply").click()
        expect(_editor(page)).to_have_value(re.compile("Brio Electric Kettle"), timeout=60_000)
        expect(page.get_by_text("this draft comes from the templates").first).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "reviews-llm-down.png"), full_page=True)
    container.close()


def test_bulk_draft_a_file_with_a_bad_row_and_approve_what_passes(
    server: str, page: Page, tmp_path: Path
) -> None:
    reviews = tmp_path / "wave.csv"
    reviews.write_text(
        "id,platform,product,rating,created_at,author,text\n"
        "W1,trustpilot,Brio Electric Kettle,1,2026-07-01T10:00:00+00:00,Ann,"
        '"The lid of my Brio pops open while it boils."\n'
        "W2,google,Arden Desk Lamp,2,2026-07-01T11:00:00+00:00,Ben,"
        '"The Arden lamp flickers on the lowest setting."\n'
        "W3,google,Arden Desk Lamp,9,2026-07-01T12:00:00+00:00,Cy,Nine stars is not a rating\n",
        encoding="utf-8",
    )
    page.goto(server)
    page.get_by_role("tab", name="Bulk").click()
    page.locator("#dd-bulk-file input[type=file]").set_input_files(str(reviews))
    page.get_by_role("button", name="Draft all").click()
    summary = page.locator("#dd-bulk-summary")
    expect(summary).to_contain_text("Drafted 2 replies", timeout=60_000)
    expect(summary).to_contain_text("wave.csv:4")  # the bad row, by its file and line
    table = page.locator("#dd-bulk-table")
    expect(table).to_contain_text("Brio Electric Kettle")
    expect(table).to_contain_text("Arden Desk Lamp")
    page.get_by_role("button", name="Approve all that pass").click()
    expect(page.locator("#dd-bulk-status")).to_contain_text("Approved", timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "bulk.png"), full_page=True)
