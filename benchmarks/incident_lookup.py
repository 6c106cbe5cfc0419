"""Which past incident a review reply cites: looked up by the review's text or by the model's summary.

    python benchmarks/incident_lookup.py [--summaries CACHE.json] [--realdata ../shared/realdata]

A review reply may mention a past incident about the same problem (late orders during a carrier
delay). The lookup can embed the review itself (up to 600 characters in any language) or the
model's one-line English problem summary, which retrieval embeds anyway to find the guidelines,
so the second costs no embedding of its own. This script compares the two on the bundled sample
(hand labels: the themes late_delivery, checkout_timeout, app_checkout_crash and refund_delay are
about an incident; the product faults are not) and, with --realdata, on real hotel reviews, none
of which is about a shop's incident. The summaries come from the configured model (the local one
by default); --summaries keeps them in a file so a second run asks the model nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from draftdesk.container import Container
from draftdesk.domain.drafts import ReviewRequest
from draftdesk.domain.enums import KnowledgeKind
from draftdesk.paths import bundled_dir
from draftdesk.services.retrieval import SearchRequest
from draftdesk.services.review_kind import heuristic_kind, model_kind
from draftdesk.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# The bundled sample's themes that a past incident of the knowledge base is about, and the incident
# types a link may rightly point to; every other review (and every hotel review) should link nothing.
RIGHT_TYPES = {
    "late_delivery": {"shipping_delay", "warehouse_backlog"},
    "checkout_timeout": {"checkout_failure", "slow_site", "site_outage"},
    "app_checkout_crash": {"checkout_failure"},
    "refund_delay": {"warehouse_backlog"},
    "kettle_lid_hinge": {"product_defect", "product_recall"},
}
SCORE = 0.86  # DraftingContext.related_incident_score


def sample(others: int) -> list[tuple[ReviewRequest, str]]:
    labels = {
        r["id"]: r["theme"] for r in csv.DictReader((ROOT / "tests/data/sample_review_labels.csv").open())
    }
    rows = csv.DictReader((bundled_dir("knowledge") / "samples" / "reviews.csv").open(encoding="utf-8"))
    items = [
        (
            ReviewRequest(id=r["id"], text=r["text"], rating=int(r["rating"]), product=r["product"]),
            labels.get(r["id"], ""),
        )
        for r in rows
        if int(r["rating"]) <= 3 and r["text"].strip()
    ]
    rest = [i for i in items if i[1] not in RIGHT_TYPES]
    # Every review about an incident, and an even spread of the others (the model is slow here).
    return [i for i in items if i[1] in RIGHT_TYPES] + rest[:: max(1, len(rest) // others)][:others]


def hotel(realdata: Path, n: int) -> list[tuple[ReviewRequest, str]]:
    rows = [json.loads(line) for line in (realdata / "reviews_with_replies.jsonl").open(encoding="utf-8")]
    low = [r for r in rows if int(r.get("rating") or 5) <= 3 and r["text"].strip()][:n]
    return [
        (ReviewRequest(id=str(r["id"]), text=r["text"][:2000], rating=int(r["rating"])), "hotel") for r in low
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--summaries", type=Path, default=Path(tempfile.gettempdir()) / "draftdesk-summaries.json"
    )
    parser.add_argument("--realdata", type=Path)
    parser.add_argument("--others", type=int, default=50, help="sample reviews not about an incident")
    parser.add_argument("--hotel", type=int, default=20, help="real hotel reviews to add")
    args = parser.parse_args()

    items = sample(args.others) + (hotel(args.realdata, args.hotel) if args.realdata else [])
    cache: dict[str, list[str]] = json.loads(args.summaries.read_text()) if args.summaries.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm_provider="local", llm_temperature=0.0)
        c = Container(settings)
        c.ensure_knowledge()
        rows = []
        for i, (review, theme) in enumerate(items):
            if review.id not in cache:
                assert c.llm is not None, "needs a model for the summaries"
                found, problem = model_kind(c.llm, c.prompts["review_kind"], review)
                cache[review.id] = [(found or heuristic_kind(review)).value, problem]
                args.summaries.write_text(json.dumps(cache, indent=1))
                print(f"{i + 1}/{len(items)} {review.id}: {cache[review.id]}", file=sys.stderr)
            kind, problem = cache[review.id]
            by_text = _top(c, review.text[:600])
            by_summary = _top(c, f"{kind.replace('_', ' ')}: {problem or review.text[:400]}")
            rows.append(Row(review.id, theme, by_text, by_summary, problem))
    _report(rows)


class Link(NamedTuple):
    id: str
    type: str
    score: float


class Row(NamedTuple):
    id: str
    theme: str
    by_text: Link
    by_summary: Link
    summary: str


def _top(c: Container, query: str) -> Link:
    hits = c.retrieval.search(SearchRequest(query=query, kinds=[KnowledgeKind.INCIDENTS], k=1))
    return Link(hits[0].id, str(hits[0].metadata.get("type", "")), hits[0].score) if hits else Link("", "", 0)


def _right(theme: str, link: Link) -> bool:
    return link.score >= SCORE and link.type in RIGHT_TYPES.get(theme, set())


def _report(rows: list[Row]) -> None:
    about = [r for r in rows if r.theme in RIGHT_TYPES]
    print(f"{len(rows)} reviews, {len(about)} about a past incident; a link needs score >= {SCORE}")
    print("| query | right links | wrong links |")
    print("|---|---:|---:|")
    for name, pick in (("the review's text", 2), ("the model's summary", 3)):
        links = [(r.theme, r[pick]) for r in rows]
        right = sum(1 for theme, link in links if _right(theme, link))
        wrong = sum(1 for theme, link in links if link.score >= SCORE and not _right(theme, link))
        print(f"| {name} | {right}/{len(about)} | {wrong}/{len(rows)} |")
    print("\nReviews about an incident or linked to one (id, theme, by text, by summary, summary):")
    for r in rows:
        if r.theme in RIGHT_TYPES or max(r.by_text.score, r.by_summary.score) >= SCORE:
            text, summary = r.by_text, r.by_summary
            print(
                f"  {r.id} {r.theme or '-'}: {text.type} {text.score:.3f} | "
                f"{summary.type} {summary.score:.3f} | {r.summary[:80]}"
            )


if __name__ == "__main__":
    main()
