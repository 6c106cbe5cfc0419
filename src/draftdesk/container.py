"""Wires adapters into services from one Settings object; entry points hold one of these."""

from __future__ import annotations

from functools import cached_property

from draftdesk.adapters.chroma_store import ChromaStore
from draftdesk.adapters.embeddings import Embedder, build_embedder
from draftdesk.domain.enums import KnowledgeKind
from draftdesk.services.ingestion import IngestionService, IngestSummary, Progress
from draftdesk.services.retrieval import RetrievalService
from draftdesk.settings import Settings


class Container:
    """Built lazily: the CLI's `--help` must not load a model or open the store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def embedder(self) -> Embedder:
        return build_embedder(self.settings)

    @cached_property
    def store(self) -> ChromaStore:
        return ChromaStore(self.settings)

    @cached_property
    def ingestion(self) -> IngestionService:
        return IngestionService(self.store, self.embedder)

    @cached_property
    def retrieval(self) -> RetrievalService:
        return RetrievalService(self.store, self.embedder)

    def knowledge_size(self) -> dict[str, int]:
        return self.store.counts([str(k) for k in KnowledgeKind])

    def ensure_knowledge(self, progress: Progress | None = None) -> IngestSummary | None:
        """On first start (an empty store) ingest the configured knowledge base; else do nothing."""
        if any(self.knowledge_size().values()):
            return None
        return self.ingestion.ingest(self.settings.resolved_knowledge_dir, progress=progress)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
