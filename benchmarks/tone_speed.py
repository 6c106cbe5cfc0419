"""Speed of the tone checker on this machine; prints a table for docs/benchmarks.md.

    python benchmarks/tone_speed.py [--published 10000] [--replies 200]

1. Rule checks (phrases, claims, private data, specificity, required elements, language,
   reading grade) per review reply: p50 and p95, target p95 <= 5 ms.
2. The repetition check against N published replies in the `published` Chroma collection
   (word shingles in memory plus a vector query): p50 and p95 per reply, target p95 <= 25 ms,
   with the share of it spent embedding the draft.
Replies are built by the template engine from the bundled sample reviews, so they are
realistic and varied; the published set is made of the same kind of text.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from draftdesk.container import Container
from draftdesk.domain.drafts import MessageKind, ReviewKind
from draftdesk.services.message_check import CheckedReview, CheckRequest
from draftdesk.services.repetition import PublishedReply
from draftdesk.settings import Settings
from drafting import sample_reviews  # the sibling benchmark script


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--published", type=int, default=10_000)
    parser.add_argument("--replies", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    samples = sample_reviews(10_000)  # every bundled sample review
    with tempfile.TemporaryDirectory() as tmp:
        c = Container(Settings(data_dir=Path(tmp), llm_provider="template"))
        try:
            drafts = []
            for n in range(args.replies):
                review = samples[n % len(samples)].model_copy(update={"id": f"B{n}"})
                drafts.append((review, c.reviews.draft(review).text))
            checker, messages = c.checker, c.messages
            checker.repetition = None
            rule_times = []
            for review, text in drafts:
                req = CheckRequest(
                    text=text,
                    kind=MessageKind.REVIEW_REPLY,
                    review=CheckedReview(
                        text=review.text,
                        rating=review.rating,
                        product=review.product,
                        platform=review.platform,
                        language=review.language,
                    ),
                )
                ctx = messages.context(req)
                started = time.perf_counter()
                checker.check(text, ctx)
                rule_times.append((time.perf_counter() - started) * 1000)
            # The published set: template replies to shuffled sample reviews under many seeds.
            published = []
            while len(published) < args.published:
                review = rng.choice(samples).model_copy(update={"id": f"P{len(published)}"})
                kind = ReviewKind.LEGITIMATE_COMPLAINT if (review.rating or 5) <= 3 else ReviewKind.POSITIVE
                text = c.drafting.templates.review_reply(review, kind, review.language or "en").text
                published.append(PublishedReply(id=f"P{len(published)}", text=text))
            started = time.perf_counter()
            for i in range(0, len(published), 1000):
                c.published.add(published[i : i + 1000])
            fill = time.perf_counter() - started
            c.published.similar("warm-up")
            rep_times, embed_times = [], []
            for _review, text in drafts:
                started = time.perf_counter()
                c.duplicate_embedder.embed_documents([text])
                embed_times.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                c.published.issues(text)
                rep_times.append((time.perf_counter() - started) * 1000)
        finally:
            c.close()
    print(f"{len(drafts)} template replies; {len(published)} published replies (filled in {fill:.0f} s)\n")
    print("| check | p50 ms | p95 ms | target p95 |\n|---|---:|---:|---:|")
    print(f"| rule checks per reply | {pct(rule_times, 0.5):.2f} | {pct(rule_times, 0.95):.2f} | 5 |")
    rep = f"{pct(rep_times, 0.5):.1f} | {pct(rep_times, 0.95):.1f}"
    print(f"| repetition vs {len(published):,} published | {rep} | 25 |")
    print(f"| of which embedding the draft | {pct(embed_times, 0.5):.1f} | {pct(embed_times, 0.95):.1f} | |")


if __name__ == "__main__":
    main()
