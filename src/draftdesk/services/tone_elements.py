"""Is the message about *this* review or incident, and does it say what its reader needs?

Specificity compares the words a reply shares with its own review against the words it
would share with other reviews: a reply that fits a random review as well as its own is
generic, however fresh its phrasing. Required elements follow the playbook per message
kind, stage and channel.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from draftdesk.domain.drafts import Family, IncidentFacts, ToneIssue
from draftdesk.domain.enums import Channel, Stage
from draftdesk.services import tone_cues as cues
from draftdesk.services.text_features import content_stems
from draftdesk.services.tone_rules import MONEY, PERCENT, TIME, URL, issue, normal_figure

SHORT_CHANNELS = frozenset({Channel.SMS, Channel.BANNER, Channel.SOCIAL, Channel.IN_APP})
# Words every review and reply shares whatever it is about: they show no reading of the review.
_EMPTY = content_stems(
    "product item order purchase buy bought review experience customer service shop store time day days week "
    "good great nice bad love loved happy disappointed problem issue star stars recommend quality"
)


@dataclass(frozen=True)
class Background:
    """Reviews of the sample set: the 'any other review' a generic reply would fit equally well."""

    stems: list[frozenset[str]]
    idf: dict[str, float]

    @classmethod
    def of(cls, texts: Sequence[str]) -> Background:
        stems = [content_stems(t) - _EMPTY for t in texts]
        counts: dict[str, int] = {}
        for s in stems:
            for w in s:
                counts[w] = counts.get(w, 0) + 1
        n = max(1, len(stems))
        return cls(stems=stems, idf={w: math.log((n + 1) / (c + 0.5)) for w, c in counts.items()})

    def weight(self, shared: frozenset[str] | set[str]) -> float:
        default = math.log(len(self.stems) + 2)
        return sum(self.idf.get(w, default) for w in shared)


def specificity(reply: str, review: str, product: str | None, background: Background) -> float:
    """0 when the reply fits any review, 1 when it could only answer this one."""
    said = content_stems(reply) - _EMPTY
    named = bool(said & _product_stems(product))
    own = background.weight(said & (content_stems(review) - _EMPTY - _product_stems(product)))
    if not background.stems:
        beaten = 0.0 if own > 0 else 1.0
    else:
        beaten = sum(background.weight(said & other) >= own for other in background.stems) / len(
            background.stems
        )
    fit = 0.0 if own == 0 else 1.0 - beaten
    return round(0.35 * named + 0.65 * fit, 3)


def _product_stems(product: str | None) -> frozenset[str]:
    return frozenset(w for w in content_stems(product or "") if len(w) >= 4) - _EMPTY


def reply_elements(
    reply: str,
    review: str,
    product: str | None,
    complaint: bool,
    contact: str | None,
    score: float,
    require_product: bool = False,
    context: str = "",
) -> Iterable[ToneIssue]:
    """A reply fits this review (specific), and a complaint gets its problem named and a next step."""
    said = content_stems(reply) - _EMPTY
    named = bool(said & _product_stems(product))
    problem = content_stems(review) - _EMPTY - _product_stems(product)
    # Not naming the product, and fitting other reviews about as well as this one.
    vague = score < 0.3 and not named
    if vague:
        yield issue(
            "not_specific",
            Family.GENERIC,
            "The reply would fit almost any review: it names neither the product nor what the customer said.",
            "Name the product and the customer's actual problem or praise, in their terms.",
        )
    if require_product and not vague and _product_stems(product) and not named:
        yield issue(
            "names_product",
            Family.MISSING_ELEMENT,
            f"The reply does not name the product ({product}).",
            "Name the product the customer reviewed.",
        )
    # The store's notes describe the same problem in its own words ("expired sign-in tokens").
    problem_words = problem | (content_stems(context) - _EMPTY - _product_stems(product))
    if complaint and problem and not (said & problem_words or _concepts(said) & _concepts(problem)):
        yield issue(
            "acknowledges_problem",
            Family.MISSING_ELEMENT,
            "The reply does not mention the problem the customer described.",
            "Say what went wrong in the customer's terms before offering the fix.",
        )
    # Pointing to any of the store's own pages (help, status, returns) is a next step too.
    store = contact.split("/")[0].lower() if contact else None
    if complaint and not (store and store in reply.lower()) and not cues.NEXT_STEP.search(reply):
        yield issue(
            "next_step",
            Family.MISSING_ELEMENT,
            "The reply gives no next step: the customer cannot tell what happens now.",
            f"Say how to get the remedy{': ' + contact if contact else ''}.",
        )


_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_WHEN = re.compile(
    r"(?i)\b(?:" + "|".join(_MONTHS.split()) + r")\b\.?|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|\b(?:today|tonight|tomorrow)\b"
)
_CODE = re.compile(r"\b[A-Z]{2,}\d+\b")
# Words for the channel or the store itself: they say where, not what went wrong.
_WHERE = content_stems("website site app online shop store customers customer page pages lumen loom")


def _figure_tiers(text: str) -> tuple[set[str], set[str], set[str]]:
    """Codes and amounts, times, days: the figures of a text, most telling first."""
    return (
        {m.group(0).upper() for m in _CODE.finditer(text)}
        | {normal_figure(m.group(0)) for pattern in (MONEY, PERCENT) for m in pattern.finditer(text)},
        {normal_figure(m.group(0)) for m in TIME.finditer(text)},
        {m.group(0).lower()[:3] for m in _WHEN.finditer(text)},
    )


def _figures(text: str) -> set[str]:
    """What must be repeated exactly: the most telling kind of figure the text has.

    "Code LOOM15: 15% off until 30 June" is mentioned by LOOM15 or 15%, not by any date in June.
    """
    return next((tier for tier in _figure_tiers(text) if tier), set())


def _all_figures(text: str) -> set[str]:
    return set().union(*_figure_tiers(text))


# Common complaints in other words: "never received" is answered by "hasn't arrived".
_SAME_COMPLAINT = [
    content_stems(words)
    for words in (
        "arrive arrived received delivered delivery turned showed reached",
        "charged charge paid payment billed debited",
        "broken broke snapped cracked smashed shattered damaged dented bent torn ripped split",
        "late delayed delay waiting waited slow longer extra",
        "loud noisy noise rattles rattling buzzing",
        "missing lost absent",
        "wrong incorrect different",
        "colour color shade",
        "smell smells smelly odour stink",
        "leak leaks leaking dripping",
        "estimate estimated tracking",
        "stopped dead died faulty fault",
    )
]


def _counts(text: str) -> set[str]:
    """Numbers of two digits or more ("4,000", "85"): how many were hit, not which day."""
    return {n for n in (re.sub(r"\D", "", m) for m in re.findall(r"\d[\d,.]*", text)) if len(n) >= 2}


def _concepts(stems: frozenset[str]) -> set[int]:
    return {i for i, group in enumerate(_SAME_COMPLAINT) if stems & group}


def _mentions(text: str, fact: str | None, need: int = 1, topic: frozenset[str] = frozenset()) -> bool:
    """Does the text carry this fact? Its figures if it has any, else words of its own.

    Words the fact shares with the incident's topic do not count: "the duvet cover" is in
    every sentence about an oversold duvet cover, the swap to another cover is not.
    """
    if not fact:
        return True
    figures = _figures(fact)
    if figures:
        return bool(figures & _all_figures(text))
    wanted = (content_stems(fact) - topic) or content_stems(fact)
    return len(content_stems(text) & wanted) >= min(need, len(wanted))


def _offers(text: str, workaround: str, topic: frozenset[str]) -> bool:
    """The workaround in the facts' words, or one of them said as a way around: "the app still works"."""
    return _mentions(text, workaround, 2, topic) or bool(
        cues.WORKAROUND.search(text) and _mentions(text, workaround, 1, topic)
    )


def update_specificity(text: str, facts: IncidentFacts) -> float:
    about = content_stems(" ".join([facts.title, facts.summary, facts.affected, facts.workaround or ""]))
    shared = content_stems(text) & about
    return round(min(1.0, len(shared) / 4), 3)


def update_elements(
    text: str, facts: IncidentFacts, channel: Channel | None, score: float
) -> Iterable[ToneIssue]:
    """What customers need at this stage, on this channel (short channels carry less)."""
    if score < 0.25:
        yield issue(
            "not_specific",
            Family.GENERIC,
            "The update could be posted for any incident: it never says what is actually wrong.",
            "Say in plain words what customers cannot do, who is affected and what happens next.",
        )
    if facts.stage in (Stage.RESOLVED, Stage.FOLLOW_UP):
        missing = _closing_gaps(text, facts, channel in SHORT_CHANNELS)
    else:
        missing = _open_gaps(text, facts, channel in SHORT_CHANNELS)
    if missing:
        yield issue(
            "required_elements",
            Family.MISSING_ELEMENT,
            f"At this stage ({facts.stage}) the message should say {', '.join(missing)}.",
            "Add " + "; ".join(missing) + ", in one plain sentence each.",
        )


def _closing_gaps(text: str, facts: IncidentFacts, short: bool) -> list[str]:
    topic = content_stems(f"{facts.title} {facts.summary}")
    missing = []
    # What went wrong is not what changed: words shared with the cause do not count.
    story = content_stems(f"{facts.title} {facts.summary} {facts.cause or ''}")
    if facts.stage == Stage.FOLLOW_UP and not _mentions(text, facts.actions, 2, story):
        # "We have taken steps" fits every incident ever closed; the playbook asks what changed.
        missing.append("what has changed since")
    if facts.stage == Stage.RESOLVED:
        # The end state in the facts' own words counts too: "a new lamp was hand-delivered".
        if not (cues.FIXED.search(text) or _mentions(text, facts.actions, 2, topic)):
            missing.append("that the problem is fixed")
        # The playbook owes thanks, and an apology where it hurt; either one closes warmly, and
        # labelled closings that have one and not the other are judged complete by their readers.
        if not (cues.APOLOGY.search(text) or cues.THANKS.search(text)):
            missing.append("a word of apology or thanks")
    if not short and not _mentions(text, facts.compensation, 2, topic):
        missing.append(f"the compensation ({facts.compensation})")
    return missing


def _open_gaps(text: str, facts: IncidentFacts, short: bool) -> list[str]:
    topic = content_stems(f"{facts.title} {facts.summary}")
    said = content_stems(text)
    missing = []
    # Naming only who is hit ("your Nest bunk bed") or where ("the app") says nothing of what is wrong.
    symptom = topic - content_stems(facts.affected) - _WHERE
    told = (
        said & symptom or _concepts(said) & _concepts(symptom) or _figures(facts.summary) & _all_figures(text)
    )
    if symptom and not told:
        missing.append("what is wrong")
    if short:
        timing = facts.next_update_at or facts.eta
        ways = [w for w in (timing, facts.workaround) if w]
        # A link to the store's status or help page carries what the message had no room for.
        if ways and not any(_mentions(text, w, 1, topic) for w in ways) and not URL.search(text):
            missing.append("the next update time, the workaround or a link to the status page")
        return missing
    affected = content_stems(facts.affected) - topic
    # "about 4,000 orders from 1-4 April" names them by their figures.
    if not (said & affected or cues.AFFECTED.search(text) or _counts(facts.affected) & _counts(text)):
        missing.append("who is affected")
    if not (cues.ACTION.search(text) or _mentions(text, facts.actions, 2, topic)):
        missing.append("what the team is doing")
    if facts.next_update_at and not _mentions(text, facts.next_update_at):
        missing.append(f"the next update time ({facts.next_update_at})")
    elif facts.eta and not facts.next_update_at and not _mentions(text, facts.eta, 2, topic):
        missing.append(f"the expected fix time ({facts.eta})")
    if facts.workaround and not _offers(text, facts.workaround, topic):
        missing.append("the workaround")
    return missing
