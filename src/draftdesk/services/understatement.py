"""Sugarcoating that only the facts reveal: a problem called small when the facts say it was big.

"Your parcel is running a touch behind" is honest for a one-day slip and sugarcoating when the
facts say seven to ten days. The tone model hears minimising words, but not the size of what
they shrink; this rule compares the two. It flags a minimiser next to a problem word ("a bit of
damage", "slightly late", "a small glitch") only when the facts show the real size: hours or
days of it, weeks, everyone or thousands affected, or harm (overheating, a risk of falls, a
shattered item, personal data seen).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from draftdesk.domain.drafts import Family, ToneIssue
from draftdesk.services.tone_rules import issue

_MINIMISER = (
    r"(?:a\s+(?:little|tiny)(?:\s+bit)?|a\s+bit(?:\s+of)?|a\s+touch|a\s+tad|slight(?:ly)?|minor|tiny|"
    r"small|brief(?:ly)?|a\s+few\s+extra|only\s+a\s+few|a\s+handful\s+of|quick)"
)
_PROBLEM = (
    r"(?:damage[ds]?|delay(?:s|ed)?|late(?:r)?|behind|longer|slow(?:er)?|sluggish|problems?|issues?|"
    r"glitch(?:es)?|hiccups?|blips?|snags?|trouble|disruption|interruption|outage|fault|marks?|"
    r"blemish|matter|incident|wobbl(?:e|y)|warm|temperamental|mishap|quirk|bump|tweak|precaution|"
    r"improvement|moved\s+around|inconvenience|parcels|orders|accounts|customers|drips?|leaks?)"
)
# A wait told as short: "a few extra days", "a little while".
_SHORT_WAIT = r"(?:a\s+few\s+extra\s+(?:hours|days)|a\s+(?:little|short)\s+while)"
_UNDERSTATED = re.compile(
    rf"\b{_MINIMISER}\b(?:\s+[\w'’-]+){{0,3}}?\s+{_PROBLEM}\b|\b{_PROBLEM}\s+(?:[\w'’-]+\s+){{0,2}}{_MINIMISER}\b"
    rf"|\b{_SHORT_WAIT}\b",
    re.IGNORECASE,
)

_NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_SPAN = re.compile(
    r"\b(\d+|" + "|".join(_NUMBER_WORDS) + r")(?:\s*(?:-|–|to)\s*(\d+))?\s+(hours?|days?|weeks?|months?)\b",
    re.IGNORECASE,
)
_CLOCK_RANGE = re.compile(r"\b(\d{1,2})[:.](\d{2})\s*(?:-|–|to|until)\s*(\d{1,2})[:.](\d{2})\b")
_MANY = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d{4,}\b")
_COUNT = re.compile(
    r"\b(\d+)\s+(?:customers|people|reports|orders|accounts|parcels|complaints)\b", re.IGNORECASE
)
MANY_AFFECTED = 50  # this many customers, orders or reports is no "handful"
_EVERYONE = re.compile(
    r"\b(?:all\s+(?:customers|orders|shoppers|uk\s+orders|parcels)|every(?:one|body|\s+customer|\s+order)|"
    r"no\s*one|nobody|not\s+loading\s+for\s+anyone)\b",
    re.IGNORECASE,
)
_HARM = re.compile(
    r"\b(?:injur\w*|burn\w*|fire|overheat\w*|scorch\w*|risk\s+of|falls?|shatter\w*|smash\w*|"
    r"completely\s+dead|will\s+not\s+charge|into\s+food|unauthori[sz]ed|without\s+permission|stolen|"
    r"safety|electric(?:al)?\s+(?:contacts|shock))\b",
    re.IGNORECASE,
)
_TERMS = re.compile(
    r"\b(?:valid|within|warranty|guarantee|return|returns|refund|refunds|code|expires)\b", re.I
)
# The smallest duration that no minimiser can honestly describe, per unit.
_BIG = {"hour": 2, "day": 3, "week": 1, "month": 1}


def understated(text: str, facts: str) -> Iterable[ToneIssue]:
    """A sugarcoat issue for each minimised problem, when the facts show it was not small."""
    size = _real_size(facts)
    if size is None:
        return
    for m in _UNDERSTATED.finditer(text):
        yield issue(
            "understated",
            Family.SUGARCOAT,
            f"“{m.group(0)}” makes the problem sound small, but the facts say {size}.",
            "Say plainly how big it was (how long, how many, what it did), then what you are doing about it.",
            (m.start(), m.end()),
        )


def _real_size(facts: str) -> str | None:
    """What in the facts shows the problem was big, in their own words; None if nothing does."""
    for m in _SPAN.finditer(facts):
        if _TERMS.search(facts[max(0, m.start() - 25) : m.start()]):
            continue  # "valid for 90 days", "returns within 30 days": terms, not the problem's size
        high = m.group(2) or m.group(1)
        value = int(high) if high.isdigit() else _NUMBER_WORDS[high.lower()]
        if value >= _BIG[m.group(3).lower().rstrip("s")]:
            return f"“{m.group(0)}”"
    for m in _CLOCK_RANGE.finditer(facts):
        start, end = int(m.group(1)) * 60 + int(m.group(2)), int(m.group(3)) * 60 + int(m.group(4))
        if (end - start) % (24 * 60) >= 120:
            return f"“{m.group(0)}”"
    for m in _COUNT.finditer(facts):
        if int(m.group(1)) >= MANY_AFFECTED:
            return f"“{m.group(0)}”"
    for pattern in (_EVERYONE, _MANY, _HARM):
        found = pattern.search(facts)
        if found:
            return f"“{found.group(0)}”"
    return None
