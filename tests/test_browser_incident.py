"""The Incident screen in a real browser (Debian's Chromium via Playwright) against the app on
127.0.0.1: open an incident, draft a pack, see each channel's counter against its limit, publish
within the limit, and find the facts and the cards again after a reload."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import SCREENSHOTS


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_draft_an_incident_pack_with_counters_publish_and_reload(server: str, page: Page) -> None:
    page.goto(server)
    page.get_by_role("tab", name="Incident").click()
    _choose(page, "Type", "checkout_failure")
    _choose(page, "Severity", "critical")
    page.get_by_label("Title", exact=True).first.fill("Card payments failing")
    page.get_by_role("button", name="Open incident").click()
    expect(page.locator("#dd-incident-info")).to_contain_text("Card payments failing", timeout=30_000)
    expect(page.locator("#dd-incident-info")).to_contain_text("next update")

    page.locator("#dd-fact-summary textarea").fill("Card payments are declined at checkout.")
    page.locator("#dd-fact-affected textarea").fill("customers paying by card")
    page.locator("#dd-fact-actions textarea").fill("We are working with our payment provider on it.")
    page.locator("#dd-fact-workaround textarea").fill("you can still pay with PayPal")
    page.locator("#dd-fact-next textarea").fill("14:30 UTC")
    page.get_by_role("button", name="Draft the pack").click()

    sms = page.locator("#dd-text-sms textarea")
    expect(sms).to_have_value(re.compile(r"\S"), timeout=60_000)
    drafted = sms.input_value()
    counter = page.locator("#dd-count-sms")
    expect(counter).to_contain_text(f"{len(drafted)} / 160 characters")
    expect(page.locator("#dd-text-banner textarea")).to_be_visible()
    expect(page.locator("#dd-count-banner")).to_contain_text("/ 120 characters")
    expect(page.locator("#dd-report-sms")).to_contain_text("score")

    # Typing past the limit turns the counter red at once, and approval is refused.
    long_text = drafted + " We are very sorry for the trouble this causes." * 4
    sms.fill(long_text)
    expect(counter).to_contain_text(f"{len(long_text)} / 160 characters")
    expect(counter.locator(".dd-over")).to_be_visible()
    page.get_by_role("button", name="Approve SMS").click()
    expect(page.get_by_text("this channel allows 160").first).to_be_visible(timeout=30_000)

    sms.fill(drafted)
    expect(counter.locator(".dd-ok")).to_be_visible()
    page.get_by_role("button", name="Approve SMS").click()
    expect(page.locator("#dd-status-sms")).to_contain_text("Published by local user", timeout=30_000)
    expect(page.locator("#dd-timeline")).to_contain_text(drafted[:40])

    edited = page.locator("#dd-text-email textarea").input_value() + " Thank you for bearing with us."
    page.locator("#dd-text-email textarea").fill(edited)
    page.wait_for_timeout(3000)  # the cards and the facts save as they change
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "incident.png"), full_page=True)

    page.reload()
    page.get_by_role("tab", name="Incident").click()
    expect(page.locator("#dd-fact-summary textarea")).to_have_value(
        "Card payments are declined at checkout.", timeout=30_000
    )
    expect(page.locator("#dd-text-email textarea")).to_have_value(edited)
    expect(page.locator("#dd-timeline")).to_contain_text(drafted[:40])
