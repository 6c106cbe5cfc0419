"""The tone checker on real hotel replies and human judgements; prints the figures for docs/evaluation.md.

    python benchmarks/realdata_tone.py [--realdata ../shared/realdata]

1. reviews_with_replies.jsonl: the share of real management replies flagged generic (a stock
   phrase, or a reply that would fit the other reviews of the file as well as its own).
2. pairwise_response_judgments_hospo.jsonl: on the items where both annotators chose the
   same winner, how often the reply with the higher specificity score is the one they chose.
Nothing here is tuned to these items: the rules and the background come from draftdesk's own
knowledge base and from the file's own reviews.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

from draftdesk.container import Container
from draftdesk.domain.drafts import Family, MessageKind
from draftdesk.services.tone_check import CheckContext, ToneChecker
from draftdesk.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _ctx(review: str, rating: int | None) -> CheckContext:
    return CheckContext(
        kind=MessageKind.REVIEW_REPLY,
        review_text=review,
        complaint=rating is not None and rating <= 3,
        language="en",
    )


def generic_share(checker: ToneChecker, rows: list[dict]) -> None:
    flagged, by_rule, by_rating = 0, Counter(), Counter()
    totals = Counter()
    for r in rows:
        report = checker.check(r["reply"], _ctx(r["text"], r.get("rating")))
        generic = [i for i in report.errors if i.family == Family.GENERIC]
        band = "1-3" if (r.get("rating") or 5) <= 3 else "4-5"
        totals[band] += 1
        if generic:
            flagged += 1
            by_rating[band] += 1
            # A stock phrase by its words; a whole sentence heard by the tone model by its rule.
            by_rule.update(
                {
                    r["reply"][i.span[0] : i.span[1]].lower()
                    if i.span and i.rule.endswith("_phrase")
                    else i.rule
                    for i in generic
                }
            )
    print(f"\n## Real replies flagged generic ({len(rows)} replies)\n")
    print("| set | replies | flagged generic | share |\n|---|---:|---:|---:|")
    print(f"| all | {len(rows)} | {flagged} | {flagged / len(rows):.0%} |")
    for band in sorted(totals):
        print(
            f"| rating {band} | {totals[band]} | {by_rating[band]} | {by_rating[band] / totals[band]:.0%} |"
        )
    print("\n| stock phrase found, or rule | replies |\n|---|---:|")
    for rule, n in by_rule.most_common(12):
        print(f"| {rule} | {n} |")


def pairwise(checker: ToneChecker, rows: list[dict]) -> None:
    agreed = [
        r
        for r in rows
        if len(r["judgments"]) == 2
        and r["judgments"][0]["winner"] == r["judgments"][1]["winner"] in ("A", "B")
    ]
    right = wrong = ties = 0
    for r in agreed:
        a = checker.check(r["response_a"], _ctx(r["text"], None)).specificity or 0.0
        b = checker.check(r["response_b"], _ctx(r["text"], None)).specificity or 0.0
        if a == b:
            ties += 1
        elif ("A" if a > b else "B") == r["judgments"][0]["winner"]:
            right += 1
        else:
            wrong += 1
    decided = right + wrong
    print(f"\n## Specificity against human preference ({len(agreed)} items both annotators agreed on)\n")
    print("| items | agrees with annotators | disagrees | ties | agreement (ties as half) |")
    print("|---:|---:|---:|---:|---:|")
    share = (right + ties / 2) / len(agreed) if agreed else 0.0
    print(f"| {len(agreed)} | {right} | {wrong} | {ties} | {share:.0%} |")
    if decided:
        print(f"\nWhere the scores differ: {right / decided:.0%} agreement ({right}/{decided}).")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    args = parser.parse_args()
    replies = [json.loads(x) for x in (args.realdata / "reviews_with_replies.jsonl").open(encoding="utf-8")]
    judged = [
        json.loads(x)
        for x in (args.realdata / "pairwise_response_judgments_hospo.jsonl").open(encoding="utf-8")
    ]
    with tempfile.TemporaryDirectory() as tmp:
        c = Container(Settings(data_dir=Path(tmp), llm_provider="template"))
        kb = c.knowledge
    # "Any other review" is the file's own reviews: a reply is generic if it fits them as well.
    generic_share(ToneChecker(kb, background=[r["text"] for r in replies]), replies)
    pairwise(ToneChecker(kb, background=[r["text"] for r in judged]), judged)


if __name__ == "__main__":
    main()
