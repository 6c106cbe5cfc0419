"""The tone checker on its own: what it flags is what an agent would have to fix by hand."""

from __future__ import annotations

from draftdesk.container import Container
from draftdesk.services.tone_check import CheckContext


def _rules(container: Container, text: str, **ctx: object) -> set[str]:
    return {i.rule for i in container.checker.check(text, CheckContext(**ctx)).errors}  # type: ignore[arg-type]


def test_a_figure_is_licensed_only_by_the_same_kind_of_figure(template_drafts: Container) -> None:
    # The policy allows up to GBP 50 of price difference: that never licenses "50% off".
    assert "unsupported_percentage" in _rules(template_drafts, "We will take 50% off your next order.")
    assert "unsupported_amount" not in _rules(template_drafts, "We will cover up to £50 of the difference.")
    assert "unsupported_amount" in _rules(template_drafts, "We will send you a £35 voucher.")


def test_times_match_the_facts_in_any_spelling(template_drafts: Container) -> None:
    facts = "next update at 15:00 UTC"
    assert "unsupported_time" not in _rules(template_drafts, "Next update by 3 pm UTC.", facts_text=facts)
    assert "unsupported_time" in _rules(template_drafts, "Next update by 4 pm UTC.", facts_text=facts)
