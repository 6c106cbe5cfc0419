"""Which tone a sentence has, learned from the example sentences in the knowledge base.

Phrase patterns catch the wordings someone listed. Blame, minimising and stock lines come in
endless other wordings: "once it was in the courier's hands", "a few of you may have had
trouble". A naive Bayes model over words and word pairs is trained at start-up on the
`examples` of the guidelines (a few hundred sentences; it takes milliseconds). Each family's
examples are weighed against the neutral ones, which include the hard cases: a cause owned
plainly, a courier named without blame, a small number that is simply true.

A sentence is flagged when its log-odds for a family exceed that family's threshold. That
keeps the model quiet on ordinary sentences, so it adds what the patterns miss without
drowning agents in doubtful flags.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from draftdesk.services.text_features import fold

NEUTRAL = "neutral"
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+")
_CLAUSE = re.compile(r"[,;:—–]|\b(?:but|so|and|et|mais|donc|aber|und|pero|y|ma|e)\b", re.IGNORECASE)
CLAUSE_FAMILIES = frozenset({"defensive"})
# Smoothing for words a family never used; small, because the example sets are small.
_ALPHA = 0.5


def features(sentence: str) -> list[str]:
    """Words and word pairs, stop words kept: blame lives in "your end", "not our", "should have"."""
    tokens = [t.replace("’", "'") for t in _TOKEN.findall(fold(sentence))]
    tokens = ["0" if t.isdigit() else t for t in tokens]
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


@dataclass(frozen=True)
class Verdict:
    family: str
    odds: float
    start: int
    end: int


class ToneModel:
    def __init__(self, examples: Sequence[tuple[str, str]], thresholds: Mapping[str, float]) -> None:
        self.thresholds = thresholds
        self.counts: dict[str, Counter[str]] = {}
        for text, family in examples:
            self.counts.setdefault(family, Counter()).update(set(features(text)))
        self.vocab = set().union(*self.counts.values()) if self.counts else set()
        self.totals = {f: sum(c.values()) for f, c in self.counts.items()}
        self.families = sorted(f for f in self.counts if f != NEUTRAL)

    @property
    def ready(self) -> bool:
        return NEUTRAL in self.counts and bool(self.families)

    def _log_p(self, family: str, feature: str) -> float:
        size = len(self.vocab)
        return math.log((self.counts[family][feature] + _ALPHA) / (self.totals[family] + _ALPHA * size))

    def odds(self, sentence: str, family: str) -> float:
        """Average log-likelihood ratio per known feature, so long sentences are not favoured."""
        known = [f for f in set(features(sentence)) if f in self.vocab]
        if not known:
            return 0.0
        ratio = sum(self._log_p(family, f) - self._log_p(NEUTRAL, f) for f in known)
        return ratio / math.sqrt(len(known))

    def judge(self, text: str) -> Iterable[Verdict]:
        if not self.ready:
            return
        for m in re.finditer(r"[^.!?\n]+[.!?]*", text):
            sentence = m.group(0).strip()
            if len(sentence.split()) < 3 or _names_only(sentence):
                continue
            margin, odds, family = max(
                (odds - self.thresholds.get(f, math.inf), odds, f)
                for f in self.families
                for part in self._parts(sentence, f)
                for odds in [self.odds(part, f)]
            )
            if margin > 0:
                yield Verdict(family, round(odds, 2), m.start(), m.end())

    def _parts(self, sentence: str, family: str) -> list[str]:
        """The sentence, and for blame its clauses too: blame often sits in one clause of an
        otherwise factual sentence ("the size is in the title, so we're not sure how it came as a
        surprise"), and averaging over the whole sentence drowns it. Scoring clauses for the other
        families raised false alarms on the labelled sets."""
        if family not in CLAUSE_FAMILIES:
            return [sentence]
        clauses = [c.strip() for c in _CLAUSE.split(sentence) if len(c.split()) >= 3]
        return [sentence, *clauses] if len(clauses) > 1 else [sentence]


def _names_only(sentence: str) -> bool:
    """A sign-off ("Hollie, Little Lark") is names, not tone: a store called Little Lark minimises nothing."""
    return all(t[0].isupper() or t[0].isdigit() for t in _TOKEN.findall(sentence))
