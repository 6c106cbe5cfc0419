"""With DRAFTDESK_CHROMA_URL, draftdesk works against a real Chroma server, and takes no lock."""

from __future__ import annotations

from pathlib import Path

from draftdesk.container import Container
from draftdesk.services.retrieval import SearchRequest

from .conftest import CountingEmbedder, make_settings


def test_two_processes_share_a_chroma_server(
    chroma_url: str, tmp_path: Path, small_kb: Path, counting: CountingEmbedder
) -> None:
    first = Container(make_settings(tmp_path / "a", chroma_url=chroma_url))
    second = Container(make_settings(tmp_path / "b", chroma_url=chroma_url))
    for c in (first, second):
        c.embedder = counting  # type: ignore[misc]
    summary = first.ingestion.ingest(small_kb)
    assert summary.added == 11
    hits = second.retrieval.search(SearchRequest(query="kettle lid cracks at the hinge", k=1))
    assert hits[0].id == "INC-2024-007"
    assert second.ingestion.ingest(small_kb).unchanged == 11
    assert not (tmp_path / "a" / "chroma").exists()  # nothing embedded locally
