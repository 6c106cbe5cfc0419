"""Precision and recall of the tone checker per family, on messages labelled by people.

A labelled line is a `check` request plus `labels`: the families a careful editor found
(an empty list means the message is good as it is). A family is predicted when the report
has at least one error of that family; `good` is predicted when it has no error at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from draftdesk.domain.drafts import Family
from draftdesk.services.message_check import CheckRequest, MessageChecker

GOOD = "good"
LABELLED_FAMILIES = [f.value for f in Family if f != Family.STYLE]


@dataclass
class Labelled:
    request: CheckRequest
    labels: set[str]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


def read_labelled(paths: Iterable[Path]) -> list[Labelled]:
    items = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                items.append(Labelled(CheckRequest.model_validate(data), set(data.get("labels") or [])))
    return items


def evaluate(checker: MessageChecker, items: list[Labelled]) -> dict[str, Score]:
    reports = checker.check_many([i.request for i in items])
    scores = {name: Score() for name in [GOOD, *LABELLED_FAMILIES]}
    for item, report in zip(items, reports, strict=True):
        predicted = {f.value for f in report.families} & set(LABELLED_FAMILIES)
        actual = item.labels or {GOOD}
        predicted = predicted or {GOOD}
        for name, score in scores.items():
            found = {i.message for i in report.errors if i.family.value == name}
            if name in actual and name in predicted:
                score.tp += 1
            elif name in predicted:
                score.fp += 1
                score.false_alarms.append(f"{item.request.id}: {'; '.join(sorted(found)) or 'flagged'}")
            elif name in actual:
                score.fn += 1
                score.misses.append(f"{item.request.id}: {item.request.text[:100]}")
    return scores
