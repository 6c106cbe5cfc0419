"""Ingest a folder of real style guides (no draftdesk front matter) and search it.

    python benchmarks/style_guides.py ../shared/realdata/brand_guidelines

Shows what happens to a company's own Markdown/MDX guides: which files were imported with
default metadata, which were skipped, how many sections were stored, and the top hits for
a few questions an agent would ask.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from draftdesk.container import Container
from draftdesk.domain.enums import KnowledgeKind
from draftdesk.services.retrieval import SearchRequest
from draftdesk.settings import Settings

QUESTIONS = [
    "how should an error message be worded",
    "should we use active or passive voice",
    "tone when writing to a frustrated customer",
    "how long should a social media post be",
    "writing legal content in plain language",
]


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/realdata/brand_guidelines")
    with tempfile.TemporaryDirectory() as tmp:
        container = Container(Settings(_env_file=None, data_dir=Path(tmp)))  # type: ignore[call-arg]
        summary = container.ingestion.ingest(folder)
        for notice in summary.notices:
            print(f"- {notice}")
        print(f"\n{summary.added} guides, {summary.chunks_embedded} sections, {summary.seconds:.1f} s\n")
        print("| question | top hit (guide › section) | score |\n|---|---|---|")
        for q in QUESTIONS:
            (hit,) = container.retrieval.search(SearchRequest(query=q, kinds=[KnowledgeKind.GUIDELINES], k=1))
            print(f"| {q} | {hit.title} | {hit.score:.2f} |")
        container.close()


if __name__ == "__main__":
    main()
