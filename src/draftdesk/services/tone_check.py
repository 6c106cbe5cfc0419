"""Checks every draft before a human sees it: the rules that drive the revision loop.

Phrase rules are data (the `phrases` of the guidelines); the rest are patterns that hold
for any store. The full checker (specificity, repetition, reading grade) builds on this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from draftdesk.domain.drafts import Family, Severity, ToneIssue, ToneReport
from draftdesk.domain.enums import PhraseFamily
from draftdesk.domain.knowledge import KnowledgeBase
from draftdesk.services.language import detect_language

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}|\[\[|\]\]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_PHONE = re.compile(r"(?<![\w:])\+?\d[\d ()-]{7,}\d\b")
_ORDER = re.compile(
    r"(?i)\b(?:order|bestellung|commande|pedido|ordine)\s*(?:no\.?|number|nr\.?|#|n°)?\s*#?\d{4,}\b|#\d{5,}"
)
_CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b|(?i:ending(?: in)?|endet auf|se terminant par)\s+\d{4}\b")
_URL = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s)]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|ly|co|info|biz|xyz|shop|example)(?:/[^\s)]*)?"
)
_TIME = re.compile(r"\b\d{1,2}[:.h]\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b", re.I)
_MONEY = re.compile(
    r"(?:(?:[£€$]|\b(?:EUR|GBP|USD)\s?)\d+(?:[.,]\d+)?"
    r"|\b\d+(?:[.,]\d+)?\s?(?:€|EUR|GBP|USD|euros?|pounds?|dollars?)\b)",
    re.I,
)
_PERCENT = re.compile(
    r"(?i)\b\d{1,3}\s?(?:%|per ?cent\b|prozent\b|pour ?cent\b|por ?ciento\b|per ?cento\b|procent\b)"
)
_SHOUT = re.compile(r"\b[A-ZÄÖÜÉÈ]{4,}(?:\s+[A-ZÄÖÜÉÈ]{2,}){2,}\b")
INSULT = re.compile(
    r"(?i)\b(?:fuck\w*|shit\w*|idiots?|morons?|stupid|bastards?|arsch\w*|schei(?:ss|ß)\w*|idioten?|merde|connards?|"
    r"putain|mierda|idiotas?|imbéciles?|cazz\w*|stronz\w*|idioti|klootzak\w*|kut\w*)\b"
)
_FAMILY = {
    PhraseFamily.GENERIC: Family.GENERIC,
    PhraseFamily.DEFENSIVE: Family.DEFENSIVE,
    PhraseFamily.JARGON: Family.JARGON,
    PhraseFamily.SUGARCOAT: Family.SUGARCOAT,
}


@dataclass(frozen=True)
class PhraseRule:
    pattern: re.Pattern[str]
    text: str
    family: Family
    why: str
    instead: str


@dataclass
class CheckContext:
    """What a draft may rely on: anything it states that is not here is unsupported."""

    limit: int | None = None
    language: str | None = None
    facts_text: str = ""
    allowed_domains: tuple[str, ...] = ()
    extra_allowed: list[str] = field(default_factory=list)
    instructions: str = ""  # text the draft must never quote (the system prompt)
    product: str | None = None  # a reply must name it
    contact: str | None = None  # a reply must point there as its next step


def _phrase_pattern(text: str) -> re.Pattern[str]:
    words = re.findall(r"\w+", text.lower())
    # Tolerate punctuation and spacing between the words, and UK/US spelling of -ise/-ize.
    parts = [
        re.escape(w).replace("is", "i[sz]") if w.endswith(("ise", "ised", "ising")) else re.escape(w)
        for w in words
    ]
    return re.compile(r"(?i)\b" + r"\W+".join(parts) + r"\b")


class ToneChecker:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.rules = [
            PhraseRule(_phrase_pattern(p.text), p.text, _FAMILY[p.family], p.why, p.instead)
            for g in kb.guidelines
            for p in g.meta.phrases
        ]
        self.policy_text = " ".join(
            a.max_value + " " + a.offer for g in kb.guidelines for a in g.meta.allowances
        )

    def check(self, text: str, ctx: CheckContext) -> ToneReport:
        if not text.strip():
            return report(
                [
                    ToneIssue(
                        rule="empty",
                        family=Family.MISSING_ELEMENT,
                        severity=Severity.ERROR,
                        message="The draft is empty.",
                        suggestion="Write the message, or draft it again.",
                    )
                ]
            )
        issues = [*self._phrases(text), *_private(text), *_style(text)]
        issues += self._claims(text, ctx)
        issues += _links(text, ctx.allowed_domains)
        issues += _required(text, ctx)
        issues += _layout(text)
        issues += _insults(text)
        if ctx.instructions:
            issues += _leak(text, ctx.instructions)
        if ctx.limit is not None and len(text) > ctx.limit:
            issues.append(
                ToneIssue(
                    rule="length_limit",
                    family=Family.TOO_LONG,
                    severity=Severity.ERROR,
                    span=(ctx.limit, len(text)),
                    message=f"{len(text)} characters; this channel allows {ctx.limit}.",
                    suggestion=f"Cut {len(text) - ctx.limit} characters: keep what, who, what next.",
                )
            )
        if ctx.language and len(text) >= 60:
            found, confidence = detect_language(text)
            if found != ctx.language and confidence > 0.8:
                issues.append(
                    ToneIssue(
                        rule="reply_language",
                        family=Family.WRONG_LANGUAGE,
                        severity=Severity.ERROR,
                        message=f"The draft is in '{found}' but the review is in '{ctx.language}'.",
                        suggestion=f"Write the reply in '{ctx.language}'.",
                    )
                )
        return report(issues)

    def _phrases(self, text: str) -> Iterable[ToneIssue]:
        for rule in self.rules:
            for m in rule.pattern.finditer(text):
                yield ToneIssue(
                    rule=f"phrase:{rule.text}",
                    family=rule.family,
                    severity=Severity.ERROR,
                    span=(m.start(), m.end()),
                    message=f"“{m.group(0)}”: {rule.why}",
                    suggestion=rule.instead,
                )

    def _claims(self, text: str, ctx: CheckContext) -> Iterable[ToneIssue]:
        facts = " ".join([ctx.facts_text, *ctx.extra_allowed])
        for pattern, what in ((_TIME, "time"), (_MONEY, "amount"), (_PERCENT, "percentage")):
            # A figure is licensed only by the same kind of figure: "GBP 50" never allows "50%".
            source = facts if what == "time" else f"{facts} {self.policy_text}"
            known = {_digits(m.group(0)) for m in pattern.finditer(source)}
            for m in pattern.finditer(text):
                if _digits(m.group(0)) in known:
                    continue
                yield ToneIssue(
                    rule=f"unsupported_{what}",
                    family=Family.UNSUPPORTED_CLAIM,
                    severity=Severity.ERROR,
                    span=(m.start(), m.end()),
                    message=f"The {what} “{m.group(0)}” is not in the facts or the compensation policy.",
                    suggestion=f"Remove the {what}, or add it to the facts if it is confirmed.",
                )


def _digits(value: str) -> str:
    """One spelling per figure: 14:30, 14.30, 14h30 and 2:30 pm are one time; 5.00 and 5 one amount."""
    time = re.fullmatch(r"(?i)(\d{1,2})(?:[:.h](\d{2}))?\s?(am|pm)?", value.strip())
    if time:
        hour, minute, half = int(time[1]), int(time[2] or 0), (time[3] or "").lower()
        hour = hour % 12 + (12 if half == "pm" else 0) if half else hour
        return f"{hour:02d}:{minute:02d}"
    digits = re.sub(r"\D", "", value)
    return digits[:-2] if re.search(r"[.,]00\b", value) else digits


def _insults(text: str) -> Iterable[ToneIssue]:
    for m in INSULT.finditer(text):
        yield ToneIssue(
            rule="insult",
            family=Family.DEFENSIVE,
            severity=Severity.ERROR,
            span=(m.start(), m.end()),
            message=f"“{m.group(0)}” is insulting or profane.",
            suggestion="Remove it; stay calm and offer help.",
        )


def _leak(text: str, secret: str) -> Iterable[ToneIssue]:
    """Eight words in a row from the instructions means the draft is quoting them."""
    words = re.findall(r"\w+", secret.lower())
    shingles = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    said = re.findall(r"\w+", text.lower())
    if any(" ".join(said[i : i + 8]) in shingles for i in range(len(said) - 7)):
        yield ToneIssue(
            rule="prompt_leak",
            family=Family.UNSUPPORTED_CLAIM,
            severity=Severity.ERROR,
            message="The draft repeats draftdesk's own instructions.",
            suggestion="Remove them; reply only to the customer.",
        )


def _required(text: str, ctx: CheckContext) -> Iterable[ToneIssue]:
    lowered = text.lower()
    words = [w for w in re.findall(r"\w+", (ctx.product or "").lower()) if len(w) >= 4]
    if words and not any(w in lowered for w in words):
        yield ToneIssue(
            rule="names_product",
            family=Family.MISSING_ELEMENT,
            severity=Severity.ERROR,
            message=f"The reply does not name the product ({ctx.product}).",
            suggestion="Name the product and the customer's actual problem.",
        )
    if ctx.contact and ctx.contact.lower() not in lowered:
        yield ToneIssue(
            rule="next_step",
            family=Family.MISSING_ELEMENT,
            severity=Severity.ERROR,
            message="The reply gives no next step.",
            suggestion=f"Tell the customer how to get help: {ctx.contact}.",
        )


def _private(text: str) -> Iterable[ToneIssue]:
    for pattern, what in (
        (_EMAIL, "an email address"),
        (_ORDER, "an order number"),
        (_CARD, "card digits"),
        (_PHONE, "a phone number"),
    ):
        for m in pattern.finditer(text):
            yield ToneIssue(
                rule="private_data",
                family=Family.PRIVATE_DATA,
                severity=Severity.ERROR,
                span=(m.start(), m.end()),
                message=f"“{m.group(0)}” looks like {what}; public text must not carry personal data.",
                suggestion="Remove it and ask the customer to contact you privately.",
            )


def _style(text: str) -> Iterable[ToneIssue]:
    for m in _PLACEHOLDER.finditer(text):
        yield ToneIssue(
            rule="unfilled_placeholder",
            family=Family.STYLE,
            severity=Severity.ERROR,
            span=(m.start(), m.end()),
            message=f"“{m.group(0)}” is a template placeholder that was never filled.",
            suggestion="Replace it with the fact, or remove the sentence.",
        )
    for m in re.finditer(r"[!?]{2,}", text):
        yield ToneIssue(
            rule="exclamation_run",
            family=Family.STYLE,
            severity=Severity.WARNING,
            span=(m.start(), m.end()),
            message="Runs of ! or ? read as shouting or sarcasm.",
            suggestion="Use one full stop.",
        )
    capitals = sum(w.isupper() and len(w) > 3 for w in re.findall(r"\w+", text))
    for m in _SHOUT.finditer(text):
        yield ToneIssue(
            rule="shouting",
            family=Family.STYLE,
            # A word or two in capitals is emphasis; a message in capitals is shouting.
            severity=Severity.ERROR if capitals > 5 else Severity.WARNING,
            span=(m.start(), m.end()),
            message="Several words in capitals read as shouting.",
            suggestion="Write them in normal case.",
        )
    if re.search(r"\*\*|__|(?m:^#{1,6}\s)", text):
        yield ToneIssue(
            rule="markup",
            family=Family.STYLE,
            severity=Severity.ERROR,
            message="Markdown markup (** or #) shows up as symbols on review sites and in messages.",
            suggestion="Write plain text.",
        )


_NOTES_LINE = re.compile(r"(?m)^\s*(?:[-*•]\s+|\d{1,2}[.)]\s|[A-Z][\w ]{0,30}:\s)")


def _layout(text: str) -> Iterable[ToneIssue]:
    """Customer messages are prose: labelled lines or bullets mean the model copied its instructions."""
    lines = _NOTES_LINE.findall(text)
    if len(lines) >= 2:
        yield ToneIssue(
            rule="notes_layout",
            family=Family.STYLE,
            severity=Severity.ERROR,
            message="The text reads like notes (labelled lines or bullets), not a message to a customer.",
            suggestion="Write it as a few plain sentences.",
        )


def _links(text: str, allowed: tuple[str, ...]) -> Iterable[ToneIssue]:
    for m in _URL.finditer(text):
        host = re.sub(r"(?i)^(https?://)?(www\.)?", "", m.group(0)).split("/")[0].lower().rstrip(".,")
        if any(host == d or host.endswith("." + d) for d in allowed):
            continue
        yield ToneIssue(
            rule="foreign_link",
            family=Family.UNSUPPORTED_CLAIM,
            severity=Severity.ERROR,
            span=(m.start(), m.end()),
            message=f"The link “{m.group(0)}” is not one of the store's own addresses.",
            suggestion="Remove it; point customers only to the store's help page or status page.",
        )


# Errors that mean the draft may be following instructions planted in a review.
UNSAFE_RULES = frozenset(
    {
        "foreign_link",
        "unsupported_amount",
        "unsupported_percentage",
        "private_data",
        "prompt_leak",
        "insult",
        "shouting",
    }
)


def report(issues: list[ToneIssue]) -> ToneReport:
    errors = sum(i.severity == Severity.ERROR for i in issues)
    warnings = len(issues) - errors
    return ToneReport(passed=errors == 0, score=max(0, 100 - 25 * errors - 8 * warnings), issues=issues)
