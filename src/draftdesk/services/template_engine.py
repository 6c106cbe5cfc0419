"""Drafts with no model at all: pre-written templates and reply phrasing filled with the request's facts.

Deterministic, so a comms lead mid-outage always gets a usable draft. It never invents a
value: an optional `[[ ]]` segment whose facts are unknown is left out, and a sentence that
needs an unknown fact is dropped (and reported), never left with `{eta}` in it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from draftdesk.domain.drafts import IncidentFacts, ReviewKind, ReviewRequest
from draftdesk.domain.enums import Channel
from draftdesk.domain.knowledge import (
    OPTIONAL_SEGMENT_RE,
    PLACEHOLDER_RE,
    KnowledgeBase,
    ReplyPhrasing,
    Template,
)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
QUOTES = {"de": ("„", "“"), "fr": ("«\u00a0", "\u00a0»"), "es": ("«", "»"), "it": ("«", "»")}
# A quote of the customer's words is what makes a template reply specific; it must never
# carry an instruction, a link or contact data back into public view.
_UNQUOTABLE = re.compile(
    r"(?i)https?://|www\.|@|\d{4,}|%|[£€$]|[<>{}\[\]|#]|\b(?:ignore|instruction|prompt|system|assistant|"
    r"ignorier|anweisung|ignore[rz]|consigne|ignora|instrucci|istruzion|negeer|instructie)"
)


@dataclass
class Filled:
    text: str
    title: str | None = None
    dropped: list[str] = field(default_factory=list)  # placeholders whose sentence had to go
    template_ids: list[str] = field(default_factory=list)


def fill(text: str, values: dict[str, str]) -> tuple[str, set[str]]:
    """Fill placeholders; returns the text and the placeholders that had no value."""

    def optional(m: re.Match[str]) -> str:
        needed = PLACEHOLDER_RE.findall(m.group(1))
        return m.group(1) if all(values.get(n) for n in needed) else ""

    text = OPTIONAL_SEGMENT_RE.sub(optional, text)
    missing: set[str] = set()
    kept = []
    for sentence in _SENTENCE_END.split(text.strip()):
        needed = set(PLACEHOLDER_RE.findall(sentence))
        absent = {n for n in needed if not values.get(n)}
        if absent:
            missing |= absent
            continue
        kept.append(PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], sentence))
    return _tidy(" ".join(kept)), missing


def _tidy(text: str) -> str:
    # Collapse ordinary spaces only: French puts a no-break space before : ; ? ! on purpose.
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()
    text = re.sub(r" +([.,;:!?])", r"\1", text)
    return re.sub(r"\.\.+", ".", text)


def fit(text: str, limit: int | None) -> str:
    """Whole sentences only: drop trailing ones until the text fits (never cut mid-sentence)."""
    if limit is None or len(text) <= limit:
        return text
    sentences = _SENTENCE_END.split(text)
    while len(sentences) > 1 and len(" ".join(sentences)) > limit:
        sentences.pop()
    return " ".join(sentences)


def fact_values(facts: IncidentFacts, store_name: str, contact: str) -> dict[str, str]:
    values = {"store_name": store_name, "contact": contact}
    for name, value in facts.known().items():
        # Templates put {workaround} and {cause} mid-sentence: a clause, not a sentence.
        clause = value.strip().rstrip(".") if name in ("workaround", "cause", "affected") else value.strip()
        if name in ("workaround", "cause") and clause[:2].istitle() and not clause[:2].isupper():
            clause = clause[0].lower() + clause[1:]
        values[name] = clause
    return values


class TemplateEngine:
    def __init__(
        self,
        kb: KnowledgeBase,
        store_name: str,
        contact: str,
        replies: dict[str, ReplyPhrasing] | None = None,
    ) -> None:
        self.store_name = store_name
        self.contact = contact
        self.messages: dict[tuple[str, str, str], Template] = {
            (t.incident_type, str(t.message.stage), str(t.message.channel)): t for t in kb.templates
        }
        self.replies = replies if replies is not None else kb.replies

    # --- incidents -------------------------------------------------------------------
    def template_for(self, facts: IncidentFacts, channel: Channel) -> Template | None:
        for kind in (str(facts.type), "generic"):
            found = self.messages.get((kind, str(facts.stage), str(channel)))
            if found:
                return found
        return None

    def channel_message(self, facts: IncidentFacts, channel: Channel, limit: int | None) -> Filled:
        values = fact_values(facts, self.store_name, self.contact)
        if channel == Channel.EMAIL and not self.template_for(facts, channel):
            return self._email_from_status_page(facts, values, limit)
        if channel == Channel.IN_APP and not self.template_for(facts, channel):
            # The app notice reads like the text message, without the sender prefix.
            base = self.channel_message(facts, Channel.SMS, limit)
            base.text = fit(re.sub(rf"^{re.escape(self.store_name)}:\s*", "", base.text), limit)
            return base
        template = self.template_for(facts, channel)
        if template is None:
            return Filled(text="", dropped=["template"])
        text, missing = fill(template.message.text, values)
        title = fill(template.message.title, values)[0] if template.message.title else None
        return Filled(text=fit(text, limit), title=title, dropped=sorted(missing), template_ids=[template.id])

    def _email_from_status_page(
        self, facts: IncidentFacts, values: dict[str, str], limit: int | None
    ) -> Filled:
        page = self.channel_message(facts, Channel.STATUS_PAGE, None)
        body = f"{page.text}\n\n{facts.actions.strip()}\n\n— The {self.store_name} team"
        if facts.stage in ("resolved", "follow_up"):
            body = (
                f"{page.text}\n\nThank you for your patience, and we're sorry for the trouble this "
                f"caused.\n\n— The {self.store_name} team"
            )
        return Filled(text=body, title=page.title, dropped=page.dropped, template_ids=page.template_ids)

    # --- review replies ----------------------------------------------------------------
    def review_reply(
        self, review: ReviewRequest, kind: ReviewKind, language: str, limit: int | None = None
    ) -> Filled:
        """A reply within the platform's limit: a shorter quote first, then none, then fewer sentences."""
        filled = Filled(text="")
        for words in (14, 8, 0):
            filled = self._reply(review, kind, language, words)
            if limit is None or len(filled.text) <= limit:
                return filled
        head, body, signoff = filled.text.split("\n\n", 2)
        room = (limit or 0) - len(head) - len(signoff) - 4
        return Filled(text=f"{head}\n\n{fit(body, room)}\n\n{signoff}", template_ids=filled.template_ids)

    def _reply(self, review: ReviewRequest, kind: ReviewKind, language: str, quote_words: int) -> Filled:
        phrasing = self.replies.get(language) or self.replies.get("en")
        if phrasing is None:
            return Filled(text="", dropped=["replies"])
        seed = review.id or review.text
        quote = quote_of(review.text, phrasing.language, quote_words) if quote_words else ""
        product = review.product or _generic_product(phrasing.language)
        values = {
            "author": _first_name(review.author),
            "product": product,
            "quote": quote,
            "contact": self.contact,
            "store_name": self.store_name,
        }
        slots = phrasing.kinds[str(kind)]
        parts = [
            _pick(phrasing.greeting if values["author"] else phrasing.greeting_anonymous, seed, "greeting"),
            _pick(_usable(slots.acknowledge, quote), seed, "acknowledge"),
            _pick(slots.remedy, seed, "remedy") if slots.remedy else "",
            _pick(slots.next_step, seed, "next"),
        ]
        body = " ".join(fill(p, values)[0] for p in parts[1:] if p)
        greeting = fill(parts[0], values)[0]
        signoff = fill(_pick(phrasing.signoff, seed, "signoff"), values)[0]
        return Filled(
            text=f"{greeting}\n\n{body}\n\n{signoff}", template_ids=[f"replies/{phrasing.language}"]
        )

    def reply_language(self, language: str) -> str:
        return language if language in self.replies else "en"


def _usable(variants: list[str], quote: str) -> list[str]:
    return variants if quote else [v for v in variants if "{quote}" not in v] or variants


def _pick(variants: list[str], seed: str, salt: str) -> str:
    """The same review always gets the same variant; different reviews spread over all of them."""
    digest = hashlib.sha256(f"{salt}:{seed}".encode()).digest()
    return variants[int.from_bytes(digest[:4], "big") % len(variants)]


def _first_name(author: str) -> str:
    name = author.strip().split()[0] if author.strip() else ""
    # Handles such as "user12345" or anything with odd characters are not a name to greet.
    return name if re.fullmatch(r"[^\W\d_][\w'-]{0,29}", name) and not _UNQUOTABLE.search(author) else ""


def _generic_product(language: str) -> str:
    return {"de": "Bestellung", "fr": "commande", "es": "pedido", "it": "ordine", "nl": "bestelling"}.get(
        language, "order"
    )


def quote_of(text: str, language: str, max_words: int = 14) -> str:
    """A short excerpt of the customer's own words, safe to repeat in public; empty if none is."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        words = sentence.strip().strip("\"'“”„«»").split()
        if len(words) < 4 or _UNQUOTABLE.search(sentence):
            continue
        excerpt = " ".join(words[:max_words]).rstrip(".,;:!?")
        if len(words) > max_words:
            excerpt += "…"
        opening, closing = QUOTES.get(language, ("“", "”"))
        return f"{opening}{excerpt}{closing}"
    return ""


def phrasing_languages(replies: dict[str, ReplyPhrasing]) -> list[str]:
    return sorted(replies)
