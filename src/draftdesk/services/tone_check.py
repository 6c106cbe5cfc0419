"""Checks every draft, and every human edit, before it is published.

Phrase rules are data (the `phrases` of the guidelines, with variants written as
patterns); specificity, required elements and claims follow the playbook; repetition
against published replies comes from `repetition`. The drafting services feed the errors
back to the model; the `check` command audits any text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from draftdesk.domain.drafts import Family, IncidentFacts, MessageKind, Severity, ToneIssue, ToneReport
from draftdesk.domain.enums import Channel, PhraseFamily
from draftdesk.domain.knowledge import KnowledgeBase
from draftdesk.services import tone_rules as rules
from draftdesk.services.language import detect_language
from draftdesk.services.phrase_patterns import phrase_pattern
from draftdesk.services.rebuttal import rebuttals
from draftdesk.services.text_features import excerpt, reading_grade
from draftdesk.services.tone_elements import (
    Background,
    reply_elements,
    specificity,
    update_elements,
    update_specificity,
)
from draftdesk.services.tone_model import ToneModel
from draftdesk.services.tone_rules import issue
from draftdesk.services.understatement import understated

INSULT = rules.INSULT
_FAMILY = {
    PhraseFamily.GENERIC: Family.GENERIC,
    PhraseFamily.DEFENSIVE: Family.DEFENSIVE,
    PhraseFamily.JARGON: Family.JARGON,
    PhraseFamily.SUGARCOAT: Family.SUGARCOAT,
}
MAX_GRADE = 8.0


@dataclass(frozen=True)
class PhraseRule:
    pattern: re.Pattern[str]
    text: str
    family: Family
    why: str
    instead: str


@dataclass
class CheckContext:
    """What a draft is for and may rely on: anything it states that is not here is unsupported."""

    kind: MessageKind | None = None
    channel: Channel | None = None
    limit: int | None = None
    language: str | None = None
    facts_text: str = ""
    compensation: str | None = None  # what may be offered; None means the store's compensation policy
    allowed_domains: tuple[str, ...] = ()
    extra_allowed: list[str] = field(default_factory=list)
    instructions: str = ""  # text the draft must never quote (the system prompt)
    guidance: str = ""  # retrieved playbook text: a draft may echo a line, not be made of it
    product: str | None = None  # a reply must name it
    contact: str | None = None  # where a reply's next step points
    review_text: str | None = None
    complaint: bool = False  # a complaint needs its problem named and a next step
    require_product: bool = False  # a draft must name the product (an audited human reply need not)
    facts: IncidentFacts | None = None


class Repetition(Protocol):
    def issues(self, text: str) -> list[ToneIssue]: ...


# How sure the tone model must be per family (log-odds per feature), chosen on the labelled
# sets (docs/evaluation.md). Stock lines are easy to learn and easy to over-flag, so they need
# the most certainty. `tone_threshold` in the settings scales all three.
TONE_THRESHOLDS = {"generic": 4.0, "defensive": 3.0, "sugarcoat": 3.0}
_TONE_ADVICE = {
    Family.DEFENSIVE: (
        "This sentence reads as shifting the blame or arguing",
        "Own the problem and say what you will do about it; leave out who else is to blame.",
    ),
    Family.SUGARCOAT: (
        "This sentence plays the problem down",
        "Say plainly what happened and who it hit.",
    ),
    Family.GENERIC: (
        "This sentence is a stock line that would fit any message",
        "Replace it with something only this customer, or this incident, could be told.",
    ),
}


class ToneChecker:
    def __init__(
        self, kb: KnowledgeBase, background: Sequence[str] = (), tone_threshold: float = 1.0
    ) -> None:
        self.rules = [
            PhraseRule(phrase_pattern(p.text), p.text, _FAMILY[p.family], p.why, p.instead)
            for g in kb.guidelines
            for p in g.meta.phrases
        ]
        self.policy_text = " ".join(
            f"{a.max_value} {a.offer}" for g in kb.guidelines for a in g.meta.allowances
        )
        self.background = Background.of(background)
        self.model = ToneModel(
            [(e.text, e.family.value) for g in kb.guidelines for e in g.meta.examples],
            {family: value * tone_threshold for family, value in TONE_THRESHOLDS.items()},
        )
        self.repetition: Repetition | None = None

    def check(self, text: str, ctx: CheckContext) -> ToneReport:
        if not text.strip():
            return report(
                [
                    issue(
                        "empty",
                        Family.MISSING_ELEMENT,
                        "The draft is empty.",
                        "Write the message, or draft it again.",
                    )
                ]
            )
        facts = " ".join([ctx.facts_text, *ctx.extra_allowed])
        compensation = self.policy_text if ctx.compensation is None else ctx.compensation
        # An incident's facts are the store's own public information (its phone line, say); a
        # reply's context is what the store knows about one customer, so it licenses nothing.
        public = ctx.facts_text if ctx.kind == MessageKind.STATUS_UPDATE else ""
        issues = [
            *self._phrases(text, facts),
            *rules.private_data(
                text, ctx.allowed_domains, " ".join([public, ctx.contact or ""]), ctx.review_text or ""
            ),
            *rules.style(text),
        ]
        issues += self._tone(text, issues)
        issues += rules.figures(text, facts, compensation)
        issues += [i for i in understated(text, ctx.facts_text) if not _covered(issues, i.family, i.span)]
        issues += [i for i in rebuttals(text) if not _covered(issues, i.family, i.span)]
        cause_known = bool(ctx.facts.cause) if ctx.facts else bool(ctx.facts_text.strip())
        # A reason the customer gave themselves is theirs to hear back, not a cause we made up.
        issues += rules.promises(text, facts, compensation, cause_known, ctx.review_text or "")
        issues += rules.links(text, ctx.allowed_domains, ctx.review_text or "")
        issues += rules.insults(text)
        if ctx.instructions or ctx.guidance:
            issues += rules.leak(text, ctx.instructions, ctx.guidance)
        issues += _length(text, ctx)
        issues += _language(text, ctx)
        score, more = self._specific(text, ctx)
        if any(i.family == Family.WRONG_LANGUAGE for i in issues):
            # Words cannot match across languages: the language issue already says what to fix.
            more = [i for i in more if i.rule != "acknowledges_problem"]
        issues += more
        if self.repetition is not None and ctx.kind == MessageKind.REVIEW_REPLY:
            issues += self.repetition.issues(text)
        return report(_dedupe(issues), score)

    def _specific(self, text: str, ctx: CheckContext) -> tuple[float | None, list[ToneIssue]]:
        if ctx.facts is not None:
            score = update_specificity(text, ctx.facts)
            return score, list(update_elements(text, ctx.facts, ctx.channel, score))
        if ctx.review_text:
            score = specificity(text, ctx.review_text, ctx.product, self.background)
            found = reply_elements(
                text,
                ctx.review_text,
                ctx.product,
                ctx.complaint,
                ctx.contact,
                score,
                ctx.require_product,
                ctx.facts_text,
            )
            return score, list(found)
        return None, list(_product_and_contact(text, ctx))

    def _tone(self, text: str, found: list[ToneIssue]) -> Iterable[ToneIssue]:
        """Sentences the tone model hears as blame, minimising or stock, where no phrase already said so."""
        for v in self.model.judge(text):
            family = Family(v.family)
            if _covered(found, family, (v.start, v.end)):
                continue
            message, suggestion = _TONE_ADVICE[family]
            quote = excerpt(text[v.start : v.end])
            yield issue(f"{family.value}_tone", family, f"{message}: “{quote}”", suggestion, (v.start, v.end))

    def _phrases(self, text: str, facts: str = "") -> Iterable[ToneIssue]:
        for rule in self.rules:
            for m in rule.pattern.finditer(text):
                if rule.family == Family.JARGON and _plain_in(m.group(0), rule.pattern, facts):
                    continue
                yield issue(
                    "jargon_term" if rule.family == Family.JARGON else f"{rule.family.value}_phrase",
                    rule.family,
                    f"“{m.group(0)}”: {rule.why}",
                    rule.instead,
                    (m.start(), m.end()),
                )


def _covered(found: list[ToneIssue], family: Family, span: tuple[int, int] | None) -> bool:
    """Whether an issue of this family already covers (overlaps) this span."""
    return span is not None and any(
        i.family == family and i.span is not None and i.span[0] < span[1] and span[0] < i.span[1]
        for i in found
    )


def _product_and_contact(text: str, ctx: CheckContext) -> Iterable[ToneIssue]:
    """Without the review at hand, a reply must still name the product and the way to help."""
    lowered = text.lower()
    words = [w for w in re.findall(r"\w+", (ctx.product or "").lower()) if len(w) >= 4]
    if words and not any(w in lowered for w in words):
        yield issue(
            "names_product",
            Family.MISSING_ELEMENT,
            f"The reply does not name the product ({ctx.product}).",
            "Name the product and the customer's actual problem.",
        )
    if ctx.contact and ctx.contact.lower() not in lowered:
        yield issue(
            "next_step",
            Family.MISSING_ELEMENT,
            "The reply gives no next step.",
            f"Tell the customer how to get help: {ctx.contact}.",
        )


def _length(text: str, ctx: CheckContext) -> Iterable[ToneIssue]:
    if ctx.limit is not None and len(text) > ctx.limit:
        yield issue(
            "length_limit",
            Family.TOO_LONG,
            f"{len(text)} characters; this channel allows {ctx.limit}.",
            f"Cut {len(text) - ctx.limit} characters: keep what, who, what next.",
            (ctx.limit, len(text)),
        )
    if (ctx.language or "en") == "en" and (grade := reading_grade(text)) > MAX_GRADE:
        yield issue(
            "reading_grade",
            Family.STYLE,
            f"Reads at school grade {grade:.0f}; customer messages should stay at {MAX_GRADE:.0f} or below.",
            "Use shorter sentences and everyday words.",
            severity=Severity.WARNING,
        )


def _language(text: str, ctx: CheckContext) -> Iterable[ToneIssue]:
    if not ctx.language or len(text) < 40:
        return
    found, confidence = detect_language(text)
    if found != ctx.language and confidence > 0.8:
        yield issue(
            "reply_language",
            Family.WRONG_LANGUAGE,
            f"The draft is in '{found}' but the review is in '{ctx.language}'.",
            f"Write the reply in '{ctx.language}'.",
        )


def _dedupe(issues: list[ToneIssue]) -> list[ToneIssue]:
    """One issue per rule and span: overlapping phrase variants must not count twice."""
    seen: set[tuple[str, tuple[int, int] | None]] = set()
    kept = []
    for i in issues:
        key = (i.family.value, i.span)
        if key not in seen:
            seen.add(key)
            kept.append(i)
    return kept


def _plain_in(term: str, pattern: re.Pattern[str], facts: str) -> bool:
    """The store's facts use the word for customers ("a security certificate expired", "spare token
    bags"): a word, not an acronym (DNS, SDK), and not in a sentence marked internal."""
    if term.upper() == term:
        return False
    return any(
        pattern.search(sentence) and "internal" not in sentence.lower()
        for sentence in re.split(r"(?<=[.;!?])\s+|\n", facts)
    )


# Errors that mean the draft may be following instructions planted in a review.
UNSAFE_RULES = frozenset(
    {
        "foreign_link",
        "unsupported_amount",
        "unsupported_percentage",
        "unsupported_discount",
        "unsupported_voucher",
        "unsupported_gift",
        "private_data",
        "prompt_leak",
        "copied_guidance",
        "insult",
        "shouting",
        "repeated_text",
        "model_refusal",
    }
)


def report(issues: list[ToneIssue], specificity: float | None = None) -> ToneReport:
    errors = sum(i.severity == Severity.ERROR for i in issues)
    warnings = len(issues) - errors
    return ToneReport(
        passed=errors == 0,
        score=max(0, 100 - 25 * errors - 8 * warnings),
        issues=issues,
        specificity=specificity,
    )
