"""Sign-in in a real browser (Debian's Chromium via Playwright) against the app on 127.0.0.1: a wrong
password gets nowhere, the header says who is signed in, an agent's incident approval is refused
by the service, and every approval carries the name of the account that made it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from draftdesk.container import Container
from draftdesk.domain.users import Role

from .conftest import SCREENSHOTS, CountingEmbedder, add_accounts, make_settings, serving, sign_in
from .test_browser_incident import _choose


@pytest.fixture
def team(tmp_path: Path, small_kb: Path, counting: CountingEmbedder) -> Iterator[tuple[str, Container]]:
    container = Container(make_settings(tmp_path, knowledge_dir=small_kb))
    container.embedder = counting  # type: ignore[misc]
    container.ensure_knowledge()
    add_accounts(container, ana=Role.AGENT, lee=Role.LEAD)
    with serving(container) as url:
        yield url, container
    container.close()


def _pack_for_an_incident(page: Page) -> None:
    page.get_by_role("tab", name="Incident").click()
    _choose(page, "Type", "checkout_failure")
    page.get_by_label("Title", exact=True).first.fill("Card payments failing")
    page.get_by_role("button", name="Open incident").click()
    expect(page.locator("#dd-incident-info")).to_contain_text("Card payments failing", timeout=30_000)
    page.locator("#dd-fact-summary textarea").fill("Card payments are declined at checkout.")
    page.locator("#dd-fact-affected textarea").fill("customers paying by card")
    page.locator("#dd-fact-actions textarea").fill("We are working with our payment provider on it.")
    page.locator("#dd-fact-next textarea").fill("14:30 UTC")
    page.get_by_role("button", name="Draft the pack").click()
    expect(page.locator("#dd-text-status_page textarea")).to_have_value(re.compile(r"\S"), timeout=60_000)


def test_sign_in_and_an_agent_is_refused_an_incident_approval(
    team: tuple[str, Container], browser: Browser, page: Page
) -> None:
    url, container = team
    page.goto(url)
    page.get_by_label("username").fill("ana")
    page.get_by_label("password").fill("not-her-password")
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_text(re.compile("incorrect", re.I))).to_be_visible(timeout=15_000)
    expect(page.get_by_role("tab", name="Reviews")).to_have_count(0)

    sign_in(page, url, "ana")
    expect(page.locator("#dd-user")).to_contain_text("agent")
    page.get_by_label("Review", exact=True).fill("The Arden lamp flickers at the lowest setting.")
    page.get_by_label("Product").fill("Arden Desk Lamp")
    page.get_by_role("button", name="Draft reply").click()
    expect(page.locator("#dd-reply textarea")).to_have_value(re.compile("Arden"), timeout=30_000)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#dd-status")).to_contain_text("Approved by ana", timeout=30_000)

    _pack_for_an_incident(page)
    expect(page.locator("#dd-incident-role")).to_contain_text("a comms lead approves them")
    page.get_by_role("button", name="Approve Status page").click()
    expect(page.get_by_text("only a comms lead may approve incident updates").first).to_be_visible(
        timeout=30_000
    )
    expect(page.locator("#dd-timeline")).not_to_contain_text("Card payments are declined")
    incident_id = container.incident_workspace.incidents()[0].id
    assert container.incident_workspace.get(incident_id).timeline == []
    page.screenshot(path=str(SCREENSHOTS / "signin-agent-refused.png"), full_page=True)

    # The lead, in another browser, publishes it; the record says who did.
    lead_context = browser.new_context(viewport={"width": 1280, "height": 900})
    lead = lead_context.new_page()
    sign_in(lead, url, "lee")
    expect(lead.locator("#dd-user")).to_contain_text("lead")
    expect(lead.locator("#dd-incident-role")).to_be_hidden()
    _pack_for_an_incident(lead)
    lead.get_by_role("button", name="Approve Status page").click()
    expect(lead.locator("#dd-status-status_page")).to_contain_text("Published by lee", timeout=30_000)
    lead_context.close()
    approvals = [a for r in container.records.recent() for a in r.approvals]
    assert sorted(a.approved_by for a in approvals) == ["ana", "lee"]


def test_without_accounts_the_header_says_it_is_a_single_local_user(server: str, page: Page) -> None:
    page.goto(server)
    expect(page.locator("#dd-user")).to_contain_text("Single local user", timeout=30_000)
    expect(page.locator("#dd-user")).to_contain_text("draftdesk users add")
