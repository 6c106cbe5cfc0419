"""The checker against messages labelled by people: the floors the issue sets for every family.

The labelled sets live in tests/data (replies and incident updates written for this project,
each with the families a careful editor found). A family that drops below its floor means
agents would start seeing drafts flagged for nothing, or bad drafts passed as fine.
"""

from __future__ import annotations

from pathlib import Path

from draftdesk.container import Container
from draftdesk.services.label_eval import GOOD, LABELLED_FAMILIES, evaluate, read_labelled
from draftdesk.services.repetition import PublishedReply

from .conftest import make_settings

DATA = Path(__file__).parent / "data"


def test_every_family_meets_its_precision_and_recall_floor(full_store: Container, tmp_path: Path) -> None:
    items = read_labelled(sorted(DATA.glob("tone_labelled_*.jsonl")))
    c = Container(make_settings(tmp_path))
    try:
        c.embedder = full_store.embedder  # type: ignore[misc]
        published = (DATA / "tone_published.jsonl").read_text(encoding="utf-8").splitlines()
        c.published.add([PublishedReply.model_validate_json(line) for line in published if line.strip()])
        scores = evaluate(c.messages, items)
    finally:
        c.close()
    assert len(items) >= 250
    below = {
        name: f"support {s.support}, precision {s.precision:.2f}, recall {s.recall:.2f}; "
        f"missed {s.misses[:3]}; false alarms {s.false_alarms[:3]}"
        for name, s in scores.items()
        if s.support < 10 or s.precision < 0.9 or s.recall < 0.85
    }
    assert set(scores) == {GOOD, *LABELLED_FAMILIES}
    assert not below, below
