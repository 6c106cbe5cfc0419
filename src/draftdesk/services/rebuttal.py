"""Blame argued from the normal case: "every tin is checked by hand, so the dent happened in transit".

The tone model hears blame in its usual words ("your end", "should have"). A politer kind argues
from what usually happens to what must have happened this time: our checks, our tests, how many
arrive fine or how most people find it, and *so* the fault lies with the courier, the customer's
setup or the customer's taste. Customers read it as "not us". This rule flags a sentence that
states such a norm and then draws a conclusion from it about someone else. A conclusion about
what the store will do ("so we'll send a new one") is not a rebuttal, and nor is a norm with no
conclusion drawn ("every kettle is tested before it leaves us").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from draftdesk.domain.drafts import Family, ToneIssue
from draftdesk.services.text_features import excerpt
from draftdesk.services.tone_rules import issue

# What usually happens, or what the store always does.
_NORM = re.compile(
    r"(?i)\b(?:"
    r"(?:every|each|all (?:of )?our) (?:[\w-]+ ){0,3}(?:is|are|gets?|goes|go|was|were) (?:\w+ ){0,2}"
    r"(?:checked|tested|inspected|examined|packed|made|sealed|wrapped|approved)"
    r"|(?:is|are|was|were) (?:[\w-]+ )?(?:tested|checked|inspected|certified|playtested|proven)"
    r"|[\w-]+-tested|playtested|quality[- ]checked"
    r"|(?:the )?(?:vast |overwhelming )?majority"
    # "most people find it clicks", not "an error page for most people": how it goes, not who is hit
    r"|(?<!for )(?<!to )most (?:of (?:our|the|them) )?(?:\w+ )?"
    r"(?:find|love|like|enjoy|get|manage|have no|are happy|are fine|don't|never|say|agree|arrive|work)"
    r"|almost (?:always|never|all)|nearly (?:always|all)|in our experience"
    r"|(?:thousands|hundreds|millions|tens of thousands) of (?:\w+ ){0,2}(?:every|each|a|per|without|and)"
    r"|(?:has|have)n't changed|(?:has|have) not changed|(?:never|rarely) (?:had|have|see|seen) (?:a |any )?"
    r"(?:complaints?|problems?|issues?|reports?)"
    r"|no other (?:complaints?|reports?|customers?)"
    r"|passed (?:our|the|its|their) (?:\w+ )?(?:checks?|inspection|tests?|qc)"
    r")"
)
# A conclusion drawn from it, about anyone but the store acting.
_SO = re.compile(
    r"(?i)(?:,|\band)?\s*\b(?:so|which means|meaning|therefore|that's why|this means)\b\s+(?P<rest>[^.!?]*)"
)
_OWN_ACTION = re.compile(
    r"(?i)^(?:we|i)(?:'ll|'re|'ve| will| are| have| can| would|'d)\b(?! (?:not|never)\b)(?! don't)"
)
_DENIAL = re.compile(
    r"(?i)\b(?:we|i) (?:don't|do not) (?:think|believe)|(?:isn't|is not|wasn't|was not) (?:the|our) "
    r"(?:issue|problem|cause)|\bunlikely\b"
)


def rebuttals(text: str) -> Iterable[ToneIssue]:
    for m in re.finditer(r"[^.!?\n]+[.!?]*", text):
        sentence = m.group(0)
        norm = _NORM.search(sentence)
        if not norm:
            continue
        after = sentence[norm.end() :]
        so = _SO.search(after)
        concluded = so is not None and not _OWN_ACTION.match(so.group("rest").strip())
        if not (concluded or _DENIAL.search(after)):
            continue
        yield issue(
            "rebuttal",
            Family.DEFENSIVE,
            f"This argues from how things usually go that the fault lies elsewhere: “{excerpt(sentence)}”",
            "Drop the argument; acknowledge what happened to this customer and offer the fix.",
            (m.start(), m.end()),
        )
