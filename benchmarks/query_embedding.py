"""Query embeddings from many drafts at once, and document batches; prints a table for
docs/benchmarks.md.

    python benchmarks/query_embedding.py [--queries 40] [--threads 0]

Each row runs N threads, each embedding `--queries` review-like questions one at a time through
the configured e5 embedder (as concurrent drafts do), and reports wall and CPU milliseconds per
query; the last row embeds a batch of 128 guideline-length documents (as ingestion does).
`--threads` is `DRAFTDESK_EMBEDDING_THREADS` (0 = every core for a batch of documents).
"""

from __future__ import annotations

import argparse
import threading
import time

from draftdesk.adapters.embeddings.e5 import E5Embedder

PROBLEMS = [
    "the lid hinge broke after {n} days and water leaks on the counter",
    "order {n} arrived three weeks late and nobody answered my emails",
    "I was charged twice for order {n} and the refund has not arrived",
    "the colour of the rug is nothing like the photos, returned item {n}",
]


def _queries(count: int, offset: int) -> list[str]:
    return [PROBLEMS[i % len(PROBLEMS)].format(n=offset + i) for i in range(count)]


def _concurrent(embedder: E5Embedder, threads: int, per_thread: int) -> tuple[float, float]:
    work = [_queries(per_thread, t * per_thread) for t in range(threads)]

    def run(texts: list[str]) -> None:
        for text in texts:
            embedder.embed_query(text)

    pool = [threading.Thread(target=run, args=(w,)) for w in work]
    wall, cpu = time.perf_counter(), time.process_time()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    n = threads * per_thread
    return 1000 * (time.perf_counter() - wall) / n, 1000 * (time.process_time() - cpu) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=40, help="queries per thread")
    parser.add_argument("--threads", type=int, default=0, help="DRAFTDESK_EMBEDDING_THREADS")
    args = parser.parse_args()
    embedder = E5Embedder(threads=args.threads)
    embedder.embed_query("warm up")
    print("| drafts embedding at once | wall ms per query | CPU ms per query |")
    print("|---:|---:|---:|")
    for threads in (1, 4, 16):
        wall, cpu = _concurrent(embedder, threads, args.queries)
        print(f"| {threads} | {wall:.1f} | {cpu:.1f} |")
    docs = [f"Refund policy, part {i}: a refund goes to the original payment. " * 4 for i in range(128)]
    start = time.perf_counter()
    embedder.embed_documents(docs)
    print(f"\nA batch of 128 documents: {128 / (time.perf_counter() - start):.1f} documents/s")


if __name__ == "__main__":
    main()
