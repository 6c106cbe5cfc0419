"""The Knowledge screen in a real browser (Debian's Chromium via Playwright) against the app on
127.0.0.1, signed in as a lead: an invalid edit shows its field problems and changes no file; a valid
edit of a guideline is saved as a knowledge file, and the next review draft cites the new text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from draftdesk.adapters.embeddings import Embedder
from draftdesk.container import Container
from draftdesk.domain.users import Role

from .conftest import SCREENSHOTS, add_accounts, make_settings, serving, sign_in

INTRO = "may offer customers, and who must approve it."
NEW_RULE = (
    " When a lamp shade arrives scratched, we post a new shade by express courier within 48 hours "
    "and the customer keeps the old one."
)


@pytest.fixture
def app(tmp_path: Path, small_kb: Path, embedder: Embedder) -> Iterator[tuple[str, Container]]:
    container = Container(make_settings(tmp_path / "data", knowledge_dir=small_kb))
    container.embedder = embedder  # type: ignore[misc]
    container.ensure_knowledge()
    add_accounts(container, lee=Role.LEAD)
    with serving(container) as url:
        yield url, container
    container.close()


def _set_editor(page: Page, text: str) -> None:
    """Replace the editor's text as a paste would."""
    content = page.locator("#dd-kb-editor .cm-content")
    content.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def test_a_lead_edits_a_guideline_that_the_next_draft_cites(
    app: tuple[str, Container], page: Page, small_kb: Path
) -> None:
    url, container = app
    company_file = small_kb / "guidelines" / "compensation-policy.md"
    company_text = company_file.read_text("utf-8")
    overlay_file = container.settings.filed_knowledge_dir / "guidelines" / "compensation-policy.md"

    sign_in(page, url, "lee")
    page.get_by_role("tab", name="Knowledge").click()
    expect(page.locator("#dd-kb-role")).to_contain_text("You may add, edit and delete entries")
    page.locator("#dd-kb-entry input").click()
    page.get_by_role("option", name=re.compile(r"^compensation-policy · Compensation policy")).click()
    expect(page.locator("#dd-kb-about")).to_contain_text("compensation-policy", timeout=30_000)
    expect(page.locator("#dd-kb-editor .cm-content")).to_contain_text("title: Compensation policy")

    # An invalid edit: the problems are shown per field, and no file changes.
    invalid = company_text.replace("applies_to: [review_reply", "applies_to: [carrier_pigeon, review_reply")
    _set_editor(page, invalid)
    page.get_by_role("button", name="Save", exact=True).click()
    problems = page.locator("#dd-kb-problems")
    expect(problems).to_contain_text("nothing was saved", timeout=30_000)
    expect(problems).to_contain_text("applies_to.0")
    expect(problems).to_contain_text("carrier_pigeon")
    # Nothing typed is lost: the editor still holds the invalid text (it renders the lines in view).
    page.locator("#dd-kb-editor .cm-content").click()
    page.keyboard.press("Control+Home")
    expect(page.locator("#dd-kb-editor .cm-content")).to_contain_text("carrier_pigeon")
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("#dd-kb-status")).to_contain_text("Not valid yet", timeout=30_000)
    assert not overlay_file.exists()
    assert company_file.read_text("utf-8") == company_text

    # A valid edit: a new title and a new rule.
    edited = company_text.replace("title: Compensation policy", "title: Compensation policy (revised)")
    assert INTRO in edited
    edited = edited.replace(INTRO, INTRO + NEW_RULE)
    _set_editor(page, edited)
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("#dd-kb-status")).to_contain_text("Valid", timeout=30_000)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#dd-kb-status")).to_contain_text("Saved compensation-policy", timeout=60_000)
    expect(problems).to_have_text("")
    assert overlay_file.read_text("utf-8") == edited
    assert company_file.read_text("utf-8") == company_text  # the company's own file is never written
    expect(page.locator("#dd-kb-about")).to_contain_text("edited here")
    page.get_by_role("tab", name="Read").click()
    expect(page.locator("#dd-kb-view")).to_contain_text("new shade by express courier")
    page.get_by_role("tab", name="Edit").click()
    page.locator("#dd-kb-editor .cm-content").click()
    page.keyboard.press("Control+Home")
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "knowledge.png"), full_page=True)

    # The next draft cites the edited guideline, by its new title, with the new rule.
    page.get_by_role("tab", name="Reviews").click()
    page.get_by_label("Review", exact=True).fill(
        "The shade of my Arden desk lamp arrived scratched all over. Not happy."
    )
    page.get_by_label("Product").fill("Arden Desk Lamp")
    page.get_by_label("Reviewer's name").fill("Ben")
    page.get_by_role("button", name="Draft reply").click()
    expect(page.locator("#dd-reply textarea")).to_have_value(re.compile("Arden"), timeout=60_000)
    page.get_by_text("Sources", exact=True).click()
    # The policy cited with every reply ("what may be offered") is the edited entry, in full.
    cited = page.locator("#dd-sources details", has_text="what may be offered").first
    expect(cited.locator("summary")).to_contain_text("Compensation policy (revised)")
    cited.locator("summary").click()
    expect(cited.locator(".dd-source-text")).to_contain_text("new shade by express courier within 48 hours")
