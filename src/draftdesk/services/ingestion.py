"""Idempotent ingestion: validate everything, then embed only what changed."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from draftdesk.adapters.chroma_store import ChromaStore
from draftdesk.adapters.embeddings import Embedder
from draftdesk.domain.enums import KnowledgeKind
from draftdesk.domain.knowledge import Incident
from draftdesk.errors import StoreMismatchError
from draftdesk.services.chunking import Chunk, chunk_knowledge, incident_chunk
from draftdesk.services.knowledge_overlay import load_merged

Progress = Callable[[int, int], None]
PAGE = 5000


class IngestSummary(BaseModel):
    """Counts are per knowledge entry (a guideline file, an incident, a template message)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks_embedded: int = 0
    chunks_deleted: int = 0
    seconds: float = 0.0
    notices: list[str] = Field(default_factory=list)
    entries: dict[str, int] = Field(default_factory=dict)


class IngestionService:
    def __init__(self, store: ChromaStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def ingest(
        self,
        root: Path,
        rebuild: bool = False,
        progress: Progress | None = None,
        filed: Path | None = None,
    ) -> IngestSummary:
        """Make the store mirror `root` with the app's own knowledge under `filed` over it: entries
        edited, added or deleted in the app, and resolved incidents (see knowledge_overlay)."""
        started = time.perf_counter()
        # Raises before anything is written. The overlay lives outside the company's knowledge
        # directory, so a re-ingest keeps it.
        loaded = load_merged(root, filed)
        summary = IngestSummary(notices=list(loaded.notices))
        chunks = chunk_knowledge(loaded.kb)
        plans = {kind: self._plan(kind, chunks[kind], rebuild, summary) for kind in KnowledgeKind}
        total = sum(len(add) for _, add, _ in plans.values())
        done = 0
        for kind, (collection, to_add, to_delete) in plans.items():
            for batch in _batches(to_add, self._batch_size()):
                vectors = self.embedder.embed_documents([c.embed_text for c in batch])
                collection.upsert(
                    ids=[c.id for c in batch],
                    embeddings=vectors,
                    documents=[c.document for c in batch],
                    metadatas=[c.metadata for c in batch],
                )
                done += len(batch)
                if progress:
                    progress(done, total)
            if to_delete:
                collection.delete(ids=to_delete)
            summary.chunks_embedded += len(to_add)
            summary.chunks_deleted += len(to_delete)
            summary.entries[str(kind)] = len({c.doc_id for c in chunks[kind]})
        if progress and total == 0:
            progress(0, 0)
        summary.seconds = round(time.perf_counter() - started, 2)
        return summary

    def add_incident(self, incident: Incident, path: Path, root: Path) -> None:
        """Index one incident now, replacing an earlier version of it, without touching anything else."""
        chunk = incident_chunk(incident, path, root)
        collection = self.store.collection(KnowledgeKind.INCIDENTS, self.embedder.model_id)
        collection.delete(where={"doc_id": incident.id})
        collection.upsert(
            ids=[chunk.id],
            embeddings=self.embedder.embed_documents([chunk.embed_text]),
            documents=[chunk.document],
            metadatas=[chunk.metadata],
        )

    def _plan(
        self, kind: KnowledgeKind, chunks: list[Chunk], rebuild: bool, summary: IngestSummary
    ) -> tuple[Any, list[Chunk], list[str]]:
        if rebuild:
            self.store.drop(kind)
        try:
            collection = self.store.collection(kind, self.embedder.model_id)
        except StoreMismatchError:
            self.store.drop(kind)
            summary.notices.append(f"rebuilt '{kind}': the embedding model changed")
            collection = self.store.collection(kind, self.embedder.model_id)
        existing = _existing(collection)
        wanted = {c.id: c for c in chunks}
        old_docs: dict[str, set[str]] = defaultdict(set)
        for chunk_id, doc_id in existing.items():
            old_docs[doc_id].add(chunk_id)
        new_docs: dict[str, set[str]] = defaultdict(set)
        for c in chunks:
            new_docs[c.doc_id].add(c.id)
        for doc_id, ids in new_docs.items():
            if doc_id not in old_docs:
                summary.added += 1
            elif old_docs[doc_id] == ids:
                summary.unchanged += 1
            else:
                summary.updated += 1
        summary.removed += len(old_docs.keys() - new_docs.keys())
        to_add = [c for cid, c in wanted.items() if cid not in existing]
        to_delete = [cid for cid in existing if cid not in wanted]
        return collection, to_add, to_delete

    def _batch_size(self) -> int:
        try:
            return min(256, int(self.store.client.get_max_batch_size()))
        except Exception:  # older servers do not report it
            return 256


def _existing(collection: Any) -> dict[str, str]:
    """chunk id → doc id of everything already stored."""
    found: dict[str, str] = {}
    offset = 0
    while True:
        page = collection.get(include=["metadatas"], limit=PAGE, offset=offset)
        for chunk_id, meta in zip(page["ids"], page["metadatas"] or [], strict=False):
            found[chunk_id] = str((meta or {}).get("doc_id", chunk_id))
        if len(page["ids"]) < PAGE:
            return found
        offset += PAGE


def _batches(items: list[Chunk], size: int) -> list[list[Chunk]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
