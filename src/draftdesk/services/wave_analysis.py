"""Review-wave analysis: themes, spikes, suspected fakes, incident links and the actions they call for.

domain.md's order: find the root cause before replying, look for an outside trigger, spot the
fakes, reply by kind, fix the product or listing and say so. The CLI, the API and the screen call
`WaveAnalyzer.analyze`; nothing here drafts or publishes.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from draftdesk.adapters.llm.base import ChatLLM, LLMError
from draftdesk.domain.enums import KnowledgeKind
from draftdesk.domain.reviews import Review
from draftdesk.domain.waves import Action, IncidentLink, Theme, WaveReport
from draftdesk.errors import InputError
from draftdesk.services.prompt_library import PromptFile, fenced, new_fence
from draftdesk.services.retrieval import RetrievalService, SearchRequest
from draftdesk.services.review_io import ReviewBatch, csv_rows, decode_upload, parse_rows, read_reviews
from draftdesk.services.wave_signals import daily_series, spikes, suspected_fakes
from draftdesk.services.wave_text import words_of
from draftdesk.services.wave_themes import ReviewVectors, distinctive_words, group

NEGATIVE_MAX_RATING = 3
LABEL_EXAMPLES = 5
EXAMPLE_CHARS = 200


# What a theme's words point at, and what to fix: domain.md's list (product, listing photos, size
# guide, packaging), in the languages reviews arrive in. A break or a crack is a defect unless the
# theme talks about the box or the transit.
_FIXES: list[tuple[str, frozenset[str], str, str]] = [
    (
        "packaging or transit damage",
        words_of(
            "box boxes packaging packed packing carton parcel crushed dented smashed shattered transit "
            "damaged wrapping bubble karton verpackung emballage colis carton embalaje caja imballaggio"
        ),
        "Check the packaging and the carrier's handling; add protection for the parts that break.",
        "Apologise for the state it arrived in, offer a replacement or refund, and say the packaging "
        "is being changed.",
    ),
    (
        "listing photos or description",
        words_of(
            "colour color hue shade tone pictured picture pictures photo photos listing listed image "
            "images grey gray beige farbe couleur foto colore"
        ),
        "Reshoot the listing photos in daylight and name the colour plainly in the description.",
        "Thank them, say what the colour really is, and that the listing photos are being corrected.",
    ),
    (
        "size guide",
        words_of(
            "size sizes sizing small smaller bigger fit fits tight measurements dimensions inches größe "
            "taille tamaño taglia petite pequeño"
        ),
        "Correct the size guide with measured dimensions, and state them in the listing.",
        "Thank them, give the real measurements, and say the size guide has been updated.",
    ),
    (
        "delivery",
        words_of(
            "late delivery delayed shipping tracking courier lieferung livraison envío consegna retraso"
        ),
        "Find the carrier or warehouse delay and set delivery dates that hold.",
        "Apologise for the wait, give the order's real status, and the remedy the policy allows.",
    ),
]
_DEFECT = (
    "a product defect",
    "Inspect returned units for the failing part, stop shipping affected stock, and raise it with the maker.",
    "Acknowledge the specific fault, offer a replacement or refund and how to get it, and say what "
    "is being done.",
)


class WaveAnalyzer:
    """`llm` and `label_prompt`: when a model is configured, it gives each theme a short human label."""

    def __init__(
        self,
        vectors: ReviewVectors,
        retrieval: RetrievalService,
        llm: ChatLLM | None = None,
        label_prompt: PromptFile | None = None,
        related_incident_score: float = 0.86,
    ) -> None:
        self.vectors = vectors
        self.retrieval = retrieval
        self.llm = llm
        self.label_prompt = label_prompt
        self.related_incident_score = related_incident_score

    def analyze_file(self, path: Path) -> WaveReport:
        return self._batch(read_reviews(path))

    def analyze_records(self, items: Sequence[Any]) -> WaveReport:
        """Review records (dicts); a bad one is listed in `problems`, the rest are analysed."""
        return self._batch(parse_rows(list(enumerate(items, start=1)), Path("The request")))

    def analyze_csv(self, data: bytes) -> WaveReport:
        return self._batch(
            parse_rows(csv_rows(decode_upload(data), Path("The CSV upload")), Path("The CSV upload"))
        )

    def _batch(self, batch: ReviewBatch) -> WaveReport:
        problems = [str(p) for p in batch.problems]
        if not batch.reviews:
            raise InputError(
                "No review could be read" + (f": {problems[0]}" if problems else "."),
                "Send review records with id, platform, product, rating, created_at and text.",
            )
        return self.analyze(batch.reviews, problems)

    def analyze(self, reviews: Sequence[Review], problems: Sequence[str] = ()) -> WaveReport:
        started = time.perf_counter()
        fakes = suspected_fakes(reviews)
        faked = {f.id for f in fakes}
        # Fakes would make a theme of their own; what they say is no root cause.
        negative = [r for r in reviews if r.rating <= NEGATIVE_MAX_RATING and r.id not in faked]
        themes = self._themes(negative)
        texts = {r.id: r.text for r in negative}
        series = daily_series(reviews)
        days = [r.created_at.date() for r in reviews]
        report = WaveReport(
            reviews=len(reviews),
            negative=sum(r.rating <= NEGATIVE_MAX_RATING for r in reviews),
            period_start=min(days) if days else None,
            period_end=max(days) if days else None,
            themes=themes,
            spikes=spikes(reviews, series),
            suspected_fakes=fakes,
            incident_links=self._incident_links(themes),
            actions=[_action(t, [texts[i] for i in t.review_ids]) for t in themes],
            series=series,
            problems=list(problems),
        )
        report.announcement = announcement(report)
        report.follow_up = follow_up()
        report.seconds = round(time.perf_counter() - started, 2)
        return report

    def _themes(self, negative: Sequence[Review]) -> list[Theme]:
        texts = [r.text for r in negative]
        vectors = self.vectors.vectors(texts)
        groups = group(vectors, [r.product for r in negative])
        labels = distinctive_words(texts, groups)
        themes = []
        for rows, words in zip(groups, labels, strict=True):
            members = [negative[i] for i in rows]
            dates = [r.created_at.date() for r in members]
            themes.append(
                Theme(
                    label=self._label(words, members),
                    review_ids=[r.id for r in members],
                    count=len(members),
                    first=min(dates),
                    last=max(dates),
                    share=round(len(members) / max(len(negative), 1), 3),
                    words=words,
                    products=dict(Counter(r.product for r in members).most_common()),
                    examples=[_short(r.text) for r in members[:3]],
                    mean_rating=round(sum(r.rating for r in members) / len(members), 2),
                )
            )
        return themes

    def _label(self, words: list[str], members: Sequence[Review]) -> str:
        plain = ", ".join(words[:3]) or "unlabelled"
        if self.llm is None or self.label_prompt is None:
            return plain
        fence = new_fence("reviews")
        sample = "\n---\n".join(_short(r.text) for r in members[:LABEL_EXAMPLES])
        try:
            answer = self.llm.complete(
                self.label_prompt.render(words=", ".join(words), reviews=fenced(sample, fence), fence=fence)
            )
        except LLMError:
            return plain
        label = " ".join(answer.strip().strip("\"'.").split()[:8])
        # A label must read as one: an answer that drifts into sentences is no label.
        return label if 0 < len(label) <= 60 and "\n" not in answer.strip() else plain

    def _incident_links(self, themes: Sequence[Theme]) -> list[IncidentLink]:
        """A theme that reads like a past or open incident is tied to it: its replies must agree
        with what the incident record says."""
        links: dict[str, IncidentLink] = {}
        for theme in themes:
            query = " ".join(theme.words) + ". " + " ".join(theme.examples[:2])
            hits = self.retrieval.search(SearchRequest(query=query, kinds=[KnowledgeKind.INCIDENTS], k=1))
            for hit in hits:
                if hit.score < self.related_incident_score:
                    continue
                link = links.setdefault(
                    hit.id,
                    IncidentLink(
                        incident_id=hit.id, title=hit.title, review_ids=[], score=0.0, facts=hit.snippet
                    ),
                )
                link.review_ids += theme.review_ids
                link.score = max(link.score, round(hit.score, 3))
        return sorted(links.values(), key=lambda link: -len(link.review_ids))


def incident_context(report: WaveReport) -> dict[str, str]:
    """Per review tied to an incident, that incident's published facts: its reply must agree."""
    context: dict[str, str] = {}
    for link in report.incident_links:
        facts = f"Related incident {link.incident_id} ({link.title}), as published: {link.facts}"
        for review_id in link.review_ids:
            context.setdefault(review_id, facts)
    return context


def _action(theme: Theme, texts: Sequence[str]) -> Action:
    """The family the theme's distinctive words name and most of its reviews mention; a product
    defect when none stands out."""
    products = ", ".join(theme.products)
    said = [set(re.findall(r"\w+", t.lower())) for t in texts]
    scored = [
        (2 * len(set(theme.words) & cues) + 4 * sum(bool(s & cues) for s in said) / max(len(said), 1), n)
        for n, (_, cues, _, _) in enumerate(_FIXES)
    ]
    score, best = max(scored)
    if score >= 1.2:  # a distinctive word, or three reviews in ten
        cause, _, fix, strategy = _FIXES[best]
    else:
        cause, fix, strategy = _DEFECT
    return Action(
        theme=theme.label,
        root_cause=f"Hypothesis: {cause} ({products}); {theme.count} reviews describe it. Confirm it first.",
        fix=fix,
        reply_strategy=strategy,
    )


def announcement(report: WaveReport) -> str:
    """A 'what we changed' draft, to publish when the fix ships: the team fills in what changed."""
    if not report.themes:
        return ""
    theme = report.themes[0]
    product = next(iter(theme.products), "the product")
    return (
        f"What we changed on the {product}\n\n"
        f"Over {theme.first:%-d %B} to {theme.last:%-d %B}, {theme.count} of you told us about the same "
        f"problem ({theme.label}). You were right, and here is what we did about it: "
        "[describe the fix and the date it shipped]. If yours is affected, reply to your order email "
        "and we will replace or refund it as our policy sets out. Thank you for telling us."
    )


def follow_up() -> str:
    return (
        "Hello, thank you for your order. If you have a moment, we would value an honest review of "
        "what you bought, good or bad: it helps other customers choose and shows us what to fix. "
        "There is no reward for a review, and every review is welcome whatever its rating."
    )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"
