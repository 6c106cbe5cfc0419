"""The Reviews tab in a real browser (Debian's Chromium through Playwright) against the app on
127.0.0.1: picking a review from an uploaded file, the sources with their text, problems marked
in the reply, regenerating with an instruction, and the keyboard shortcut for approving."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from draftdesk.container import Container

from .conftest import SCREENSHOTS, model_container, serving
from .fake_openai import FakeOpenAI

STOCK = (
    "Martha, we apologize for any inconvenience. A Brio Electric Kettle whose lid pops open while it "
    "boils is not acceptable, and we can send you a replacement. Message us at "
    "lumenandloom.example/help and we'll arrange it. Lumen & Loom Care team"
)
SHORT = (
    "Martha, sorry the lid of your Brio Electric Kettle pops open while it boils. We can send a "
    "replacement: message us at lumenandloom.example/help. Lumen & Loom Care team"
)


def _editor(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#dd-reply textarea")


def _upload(page: Page, path: Path) -> None:
    page.locator("#dd-review-file input[type=file]").set_input_files(str(path))


def test_pick_a_review_from_a_file_see_its_sources_and_regenerate_without_a_model(
    server: str, page: Page, tmp_path: Path
) -> None:
    wrong = tmp_path / "export.csv"
    wrong.write_text("id,text\nR1,The lamp flickers.\n", encoding="utf-8")
    reviews = tmp_path / "reviews.csv"
    reviews.write_text(
        "id,platform,product,rating,created_at,author,text\n"
        "R1,trustpilot,Brio Electric Kettle,1,2026-07-01T10:00:00+00:00,Ann,"
        '"The lid of my Brio pops open while it boils."\n'
        "R2,google,Arden Desk Lamp,2,2026-07-01T11:00:00+00:00,Ben,"
        '"The Arden lamp flickers on the lowest setting, the one I read by every night."\n'
        "R3,google,Arden Desk Lamp,9,2026-07-01T12:00:00+00:00,Cy,Nine stars is not a rating\n",
        encoding="utf-8",
    )
    page.goto(server)
    review = page.get_by_label("Review", exact=True)
    review.fill("The lamp flickers. " * 55_000)  # a paste of about 1 MB
    page.get_by_role("button", name="Draft reply").click()
    expect(page.get_by_text("longer than 20,000 characters").first).to_be_visible(timeout=30_000)
    assert len(review.input_value()) == len("The lamp flickers. " * 55_000)  # nothing cut or lost
    expect(_editor(page)).to_have_value("")

    page.get_by_text("Pick a review from a file").click()
    _upload(page, wrong)  # a file without the review columns: said in the page, nothing lost
    notes = page.locator("#dd-file-notes")
    expect(notes).to_contain_text("This file cannot be used", timeout=30_000)
    expect(notes).to_contain_text("lacks the column(s) platform, product, rating, created_at")
    assert len(review.input_value()) == len("The lamp flickers. " * 55_000)

    page.locator("#dd-review-file").get_by_role("button", name="Clear").click()
    _upload(page, reviews)
    expect(notes).to_contain_text("2 reviews to pick from", timeout=30_000)
    expect(notes).to_contain_text("reviews.csv:4")  # the bad row, by file and line
    page.locator("#dd-pick input").click()
    page.get_by_role("option", name=re.compile(r"^R2 · 2★ · The Arden lamp flickers")).click()
    expect(page.get_by_label("Review", exact=True)).to_have_value(re.compile("^The Arden lamp flickers"))
    expect(page.get_by_label("Product")).to_have_value("Arden Desk Lamp")
    expect(page.get_by_label("Reviewer's name")).to_have_value("Ben")
    expect(page.get_by_label("Stars")).to_have_value("2")
    expect(page.get_by_label("Platform")).to_have_value("google")

    page.get_by_role("button", name="Draft reply").click()
    expect(_editor(page)).to_have_value(re.compile("Arden Desk Lamp"), timeout=30_000)
    expect(page.locator("#dd-status")).to_contain_text("Draft 1 of this reply")
    first = _editor(page).input_value()

    page.get_by_text("Sources", exact=True).click()
    policy = page.locator("#dd-sources details", has_text="Compensation policy").first
    policy.locator("summary").click()
    expect(policy.locator(".dd-source-text")).to_contain_text("may offer customers, and who must approve it")

    page.get_by_label("Instruction for a new draft").fill("shorter")
    page.get_by_role("button", name="Regenerate").click()
    expect(page.locator("#dd-about")).to_contain_text("“shorter” needs a language model", timeout=30_000)
    expect(page.locator("#dd-status")).to_contain_text("Draft 2 of this reply")
    expect(_editor(page)).not_to_have_value(first)
    expect(_editor(page)).to_have_value(re.compile("Arden Desk Lamp"))


def _role(body: dict[str, Any]) -> str:
    if "You sort customer reviews" in str(body["messages"][0]["content"]):
        return "kind"
    return "reply"


def _answers(body: dict[str, Any]) -> str:
    if _role(body) == "kind":
        return json.dumps({"kind": "legitimate_complaint", "problem": "kettle lid pops open"})
    return SHORT if "shorter" in str(body["messages"][-1]["content"]) else STOCK


@pytest.fixture
def model_app(full_store: Container, tmp_path: Path) -> Iterator[tuple[str, Container]]:
    """The app drafting with the OpenAI client against a scripted server; no rewrites, so a
    draft's problem stays in the text for the agent to see."""
    with FakeOpenAI(responder=_answers) as fake:
        container = model_container(
            full_store, tmp_path, fake, openai_api_key="test-key", llm_timeout=10.0, max_revisions=0
        )
        with serving(container) as url:
            yield url, container
        container.close()


def test_a_stock_phrase_is_marked_regenerate_shorter_and_ctrl_enter_approves(
    model_app: tuple[str, Container], page: Page
) -> None:
    url, container = model_app
    page.goto(url)
    page.get_by_label("Review", exact=True).fill("The lid of my Brio kettle pops open while it boils.")
    page.get_by_label("Product").fill("Brio Electric Kettle")
    page.get_by_label("Reviewer's name").fill("Martha")
    page.get_by_role("button", name="Draft reply").click()
    expect(_editor(page)).to_have_value(STOCK, timeout=30_000)

    mark = page.locator("#dd-marked mark", has_text="we apologize for any inconvenience")
    expect(mark).to_have_count(1)
    expect(mark).to_have_attribute("data-family", "generic")
    expect(mark).to_have_attribute("title", re.compile("generic: .*apologize for any inconvenience"))
    expect(page.locator("#dd-report")).to_contain_text("to fix")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reviews-highlight.png"))

    # The agent's edit is checked as it stands: deleting the stock line clears its mark.
    _editor(page).fill(STOCK.replace("we apologize for any inconvenience. A", "a"))
    expect(page.locator("#dd-marked mark", has_text="apologize")).to_have_count(0, timeout=30_000)

    page.get_by_label("Instruction for a new draft").fill("shorter")
    page.get_by_role("button", name="Regenerate").click()
    expect(_editor(page)).to_have_value(SHORT, timeout=30_000)
    expect(page.locator("#dd-status")).to_contain_text("Draft 2 of this reply, asked to be “shorter”")
    expect(page.locator("#dd-report")).to_contain_text("Passes the checks")
    expect(page.locator("#dd-marked mark")).to_have_count(0)
    page.reload()  # the new draft comes back, not the edit of the first one
    expect(_editor(page)).to_have_value(SHORT, timeout=30_000)
    expect(page.locator("#dd-report")).to_contain_text("Passes the checks")

    page.keyboard.press("Control+Enter")
    expect(page.locator("#dd-status")).to_contain_text("Approved by local user", timeout=30_000)
    (record,) = container.records.recent("review_reply")
    assert [d.text for d in record.drafts] == [STOCK, SHORT]  # both versions kept
    assert record.status == "approved" and record.approvals[-1].published_text == SHORT
