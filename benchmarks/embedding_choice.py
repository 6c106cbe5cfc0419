"""Compare the offline embedding backends on the retrieval question table: hit@3 by language, speed.

    python benchmarks/embedding_choice.py [--backends e5,minilm]

Prints a table; docs/benchmarks.md records the figures and the choice they justify.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from draftdesk.container import Container
from draftdesk.services.retrieval import SearchRequest
from draftdesk.settings import Settings

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "retrieval_questions.csv"


def evaluate(backend: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        container = Container(Settings(_env_file=None, data_dir=Path(tmp), embedding_backend=backend))  # type: ignore[call-arg]
        started = time.perf_counter()
        container.ensure_knowledge()
        ingest_s = time.perf_counter() - started
        hits: dict[str, list[bool]] = defaultdict(list)
        latencies = []
        for q in csv.DictReader(QUESTIONS.open(encoding="utf-8")):
            t = time.perf_counter()
            found = container.retrieval.search(SearchRequest(query=q["question"], k=3))
            latencies.append(time.perf_counter() - t)
            ok = q["expected"] in [h.id for h in found]
            hits["all"].append(ok)
            hits["en" if q["language"] == "en" else "de/fr/es"].append(ok)
        container.close()
    latencies.sort()
    return {
        "backend": backend,
        **{f"hit@3 {k}": f"{sum(v) / len(v):.0%} ({sum(v)}/{len(v)})" for k, v in hits.items()},
        "ingest s": f"{ingest_s:.1f}",
        "query p50 ms": f"{latencies[len(latencies) // 2] * 1000:.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="e5,minilm")
    rows = [evaluate(b) for b in parser.parse_args().backends.split(",")]
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")


if __name__ == "__main__":
    main()
