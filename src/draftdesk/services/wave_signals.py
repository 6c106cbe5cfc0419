"""Spikes (a product's reviews far above its own baseline, and what set them off) and suspected fakes.

Fakes are judged by signals that do not depend on what a wave is about: copied text, a burst of
reviews within the hour, text with nothing specific to the product, a rating the words contradict,
one account posting many. Only combinations flag a review; a burst alone is what a real wave looks
like, and a specific complaint is never called fake for being angry or short.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from draftdesk.domain.reviews import Review
from draftdesk.domain.waves import DailyPoint, ProductSeries, Spike, SuspectedFake
from draftdesk.services.text_features import words
from draftdesk.services.wave_text import content_words, sentiment, specific_words, tokens, words_of

# An outside trigger is media or a person people point at, not the complaint itself.
_MEDIA = words_of(
    """
    video videos tiktok youtube youtuber instagram insta reel reels influencer viral news
    article reddit twitter facebook post posted blog podcast channel stream streamer livestream
    thread vídeo noticia artículo nachrichten artikel vidéo article notizia articolo
    """
)
_HANDLE = re.compile(r"(?:@|#)[\w.]{3,}|https?://\S+|\b[\w-]+\.(?:com|net|org|tv|io)\b", re.UNICODE)
_ATTACK = re.compile(
    r"\b(scam|fraud|crook|thie[fv]|rip.?off|stay away|avoid|zero stars?|worst|do(?:n't| not) buy|"
    r"(?:complete|total) waste|estaf|betr[uü]g|arnaq|truff)",
    re.IGNORECASE,
)
# Words that try to override the instructions of whatever writes the replies. No customer needs them
# to describe a product; past tense ("I ignored the care instructions") and a manual's instructions
# ("ignore the instructions in the box") do not match.
_OVERRIDE = re.compile(
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:your|previous|prior|above|earlier|all|"
    r"the\s+(?:previous|prior|above|earlier|system))\b[^.!?\n]{0,30}?\b(?:instructions?|rules|prompts?)\b|"
    r"\b(?:ignorier\w*|vergiss)\b[^.!?\n]{0,30}?\b(?:anweisungen|regeln|vorgaben)\b|"
    r"\b(?:ignorez|oubliez|oublie)\b[^.!?\n]{0,30}?\b(?:consignes|instructions|règles)\b|"
    r"\bignore\b[^.!?\n]{0,30}?\b(?:consignes|règles)\b|"
    r"\b(?:ignora|olvida)\b[^.!?\n]{0,30}?\b(?:instrucciones|reglas|istruzioni|regole)\b|"
    r"\b(?:dimentica)\b[^.!?\n]{0,30}?\b(?:istruzioni|regole)\b|"
    r"\b(?:negeer|vergeet)\b[^.!?\n]{0,30}?\b(?:instructies|regels)\b|"
    r"\bsystem\s?prompt|\bprompt (?:di|del|du) s[iy]st[eè]m|\bdeveloper mode\b|<\|im_start\|>|"
    r"\binstructions? (?:for|to) (?:the |an )?(?:ai|assistant|bot|chatbot|model)\b|"
    # Markup of chat prompts, meant to pass for the system's own words.
    r"(?:^|[.!?]\s+)system:\s|</?review>|###\s*(?:instruction|anweisung|instrucci|istruzion)|"
    r"\bfrom now on,? you are\b",
    re.IGNORECASE,
)

DUPLICATE_OVERLAP = 0.6
BURST_WINDOW = timedelta(hours=1)
BURST_SIZE = 5
MANY_WINDOW = timedelta(hours=48)
MANY_SIZE = 4


# --- spikes ----------------------------------------------------------------------------------


def daily_series(reviews: Sequence[Review]) -> list[ProductSeries]:
    by_product: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(list))
    for r in reviews:
        by_product[r.product][r.created_at.date()].append(r.rating)
    series = []
    for product in sorted(by_product, key=lambda p: -sum(len(v) for v in by_product[p].values())):
        days = by_product[product]
        series.append(
            ProductSeries(
                product=product,
                days=[
                    DailyPoint(day=d, count=len(days[d]), mean_rating=round(sum(days[d]) / len(days[d]), 2))
                    for d in sorted(days)
                ],
            )
        )
    return series


def spikes(reviews: Sequence[Review], series: Sequence[ProductSeries]) -> list[Spike]:
    found = []
    for s in series:
        if not s.days:
            continue
        # The product's own period: a product sold for a month is not quiet for the rest of the year.
        first, last = s.days[0].day, s.days[-1].day
        span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        counts = {p.day: p.count for p in s.days}
        daily = [counts.get(d, 0) for d in span]
        for start, end in _elevated_runs(daily):
            found.append(_spike(s.product, reviews, span, daily, start, end))
    return sorted(found, key=lambda sp: -sp.count)


def _elevated_runs(daily: list[int]) -> list[tuple[int, int]]:
    """Runs of days far above the usual rate (Poisson-like: mean plus four standard deviations),
    widened to the neighbouring days still clearly above it, so the start is the wave's first day."""
    ordered = sorted(daily)
    kept = ordered[: max(1, math.ceil(len(ordered) * 0.9))]  # the busiest tenth is what we look for
    usual = sum(kept) / len(kept)
    peak = max(3.0, usual + 4 * math.sqrt(max(usual, 0.25)) + 1)
    raised = max(2.0, usual + 1.5 * math.sqrt(max(usual, 0.25)))
    runs: list[tuple[int, int]] = []
    for i, n in enumerate(daily):
        if n < peak:
            continue
        start = end = i
        while start > 0 and daily[start - 1] >= raised:
            start -= 1
        while end + 1 < len(daily) and daily[end + 1] >= raised:
            end += 1
        if runs and start <= runs[-1][1] + 2:
            runs[-1] = (runs[-1][0], max(end, runs[-1][1]))
        else:
            runs.append((start, end))
    return runs


def _spike(
    product: str, reviews: Sequence[Review], span: list[date], daily: list[int], start: int, end: int
) -> Spike:
    own = [r for r in reviews if r.product == product]
    inside = [r for r in own if span[start] <= r.created_at.date() <= span[end]]
    outside = [r for r in own if not span[start] <= r.created_at.date() <= span[end]]
    other_days = len(span) - (end - start + 1)
    trigger, ids = _trigger(inside, outside)
    return Spike(
        product=product,
        start=span[start],
        end=span[end],
        count=len(inside),
        baseline=round((sum(daily) - sum(daily[start : end + 1])) / max(other_days, 1), 2),
        mean_rating=round(sum(r.rating for r in inside) / max(len(inside), 1), 2),
        baseline_rating=round(sum(r.rating for r in outside) / len(outside), 2) if outside else None,
        trigger=trigger,
        trigger_review_ids=ids,
    )


def _trigger(inside: Sequence[Review], outside: Sequence[Review]) -> tuple[str | None, list[str]]:
    """A handle, link or media phrase that several reviews of the spike share and others rarely use."""

    def marks(text: str) -> set[str]:
        found = {m.lower().rstrip(".,!") for m in _HANDLE.findall(text)}
        said = content_words(text)
        for i, w in enumerate(said):
            if w in _MEDIA:
                found.add(w)
                if i > 0:
                    found.add(f"{said[i - 1]} {w}")
        return found

    counts = Counter(m for r in inside for m in marks(r.text))
    before = Counter(m for r in outside for m in marks(r.text))
    need = max(3, math.ceil(0.15 * len(inside)))
    candidates = [
        (n / len(inside) - before[m] / max(len(outside), 1), len(m.split()), m)
        for m, n in counts.items()
        if n >= need
    ]
    if not candidates:
        return None, []
    _, _, best = max(candidates)
    return best, [r.id for r in inside if best in marks(r.text)]


# --- suspected fakes -------------------------------------------------------------------------


def suspected_fakes(reviews: Sequence[Review]) -> list[SuspectedFake]:
    copies = _copies(reviews)
    bursts = _bursts(reviews)
    many = _many_by_one(reviews)
    vocabulary = _ProductVocabulary(reviews)
    found = []
    for r in reviews:
        generic = vocabulary.generic(r)
        reasons = []
        if r.id in copies:
            reasons.append(copies[r.id])
        if generic:
            reasons.append("generic text: nothing about this product, its use or the order")
        if r.id in bursts:
            reasons.append(bursts[r.id])
        if r.id in many:
            reasons.append(many[r.id])
        disagree = _disagreement(r)
        if disagree:
            reasons.append(disagree)
        attack = generic and r.rating <= 2 and _ATTACK.search(r.text) is not None
        if attack:
            reasons.append("an accusation with no detail of what went wrong")
        override = _OVERRIDE.search(r.text)
        if override:
            reasons.insert(0, f"tries to instruct whatever writes the replies (“{override.group(0)}”)")
        # Two signals at least: people do share a phrase, post on the same evening, or write briefly.
        # An attempt to steer automated replies is enough alone: it is written for a machine.
        if override or (len(reasons) >= 2 and (generic or r.id in copies or r.id in many)):
            found.append(SuspectedFake(id=r.id, reasons=reasons))
    return found


class _ProductVocabulary:
    """Which words belong to a product: used by its reviews at least twice as often as by the rest.

    A review with none of them, nor any word outside the stock vocabulary of praise and abuse,
    could be about anything: "works perfectly and looks great in my home, fast delivery"."""

    def __init__(self, reviews: Sequence[Review]) -> None:
        self.total = max(len(reviews), 1)
        self.overall: Counter[str] = Counter()
        self.per_product: dict[str, Counter[str]] = defaultdict(Counter)
        self.size: Counter[str] = Counter()
        for r in reviews:
            said = set(content_words(r.text))
            self.overall.update(said)
            self.per_product[r.product].update(said)
            self.size[r.product] += 1

    def generic(self, r: Review) -> bool:
        stock = specific_words(r.text)
        if len(stock) <= 1:
            return True
        name = set(tokens(r.product))
        own, size = self.per_product[r.product], self.size[r.product]
        if size < 5 or size == self.total:  # too few reviews to tell what is the product's own
            return False
        return not any(
            w in name or (own[w] >= 3 and own[w] / size >= 2 * self.overall[w] / self.total) for w in stock
        )


def _shingles(text: str) -> set[str]:
    said = words(text)
    return {" ".join(said[i : i + 3]) for i in range(max(0, len(said) - 2))}


def _copies(reviews: Sequence[Review]) -> dict[str, str]:
    """Reviews whose wording mostly repeats another review's (a name or a word swapped)."""
    grams = [_shingles(r.text) for r in reviews]
    index: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for s in g:
            index[s].append(i)
    found: dict[str, str] = {}
    for i, mine in enumerate(grams):
        if len(mine) < 3:
            continue
        shared = Counter(j for s in mine for j in index[s] if j != i)
        for j, n in shared.most_common(3):
            overlap = n / min(len(mine), len(grams[j]))
            if overlap >= DUPLICATE_OVERLAP:
                found[reviews[i].id] = f"repeats the wording of review {reviews[j].id} ({overlap:.0%})"
                break
    return found


def _bursts(reviews: Sequence[Review]) -> dict[str, str]:
    by_product: dict[str, list[Review]] = defaultdict(list)
    for r in reviews:
        by_product[r.product].append(r)
    found = {}
    for product, items in by_product.items():
        items.sort(key=lambda r: r.created_at)
        lo = 0
        for hi in range(len(items)):
            while items[hi].created_at - items[lo].created_at > BURST_WINDOW:
                lo += 1
            if hi - lo + 1 >= BURST_SIZE:
                for r in items[lo : hi + 1]:
                    found[r.id] = f"one of {hi - lo + 1}+ reviews of {product} posted within an hour"
    return found


def _many_by_one(reviews: Sequence[Review]) -> dict[str, str]:
    by_author: dict[str, list[Review]] = defaultdict(list)
    for r in reviews:
        name = " ".join(r.author.lower().split())
        if name and name not in {"anonymous", "anon", "customer", "guest"}:
            by_author[name].append(r)
    found = {}
    for items in by_author.values():
        items.sort(key=lambda r: r.created_at)
        for r in items:
            near = [o for o in items if abs(o.created_at - r.created_at) <= MANY_WINDOW]
            if len(near) >= MANY_SIZE:
                found[r.id] = f"{r.author} posted {len(near)} reviews within 48 hours"
    return found


def _disagreement(r: Review) -> str | None:
    mood = sentiment(r.text)
    if r.rating >= 4 and mood <= -2:
        return f"{r.rating} stars, but the text is a complaint"
    if r.rating <= 2 and mood >= 2:
        return f"{r.rating} stars, but the text is praise"
    return None
