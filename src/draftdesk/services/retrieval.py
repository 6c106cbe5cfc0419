"""Ranked search over the knowledge store, shared by the drafting services, the UI and the CLI."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any, Literal

import numpy as np
from langchain_core.vectorstores.utils import maximal_marginal_relevance
from pydantic import BaseModel, Field

from draftdesk.adapters.chroma_store import ChromaStore
from draftdesk.adapters.embeddings import Embedder
from draftdesk.domain.enums import Channel, IncidentType, KnowledgeKind, Severity, Stage
from draftdesk.errors import InputError

MAX_QUERY_CHARS = 2000
SNIPPET_CHARS = 240
# Query vectors kept (about 1.5 KB each). Embedding a query is most of a search's cost, and the same
# query comes back often: a regenerate, a wave of reviews about one problem, an agent's repeated search.
QUERY_CACHE = 4096


class SearchFilters(BaseModel):
    """Metadata filters. A kind whose records cannot carry a filter is left out of the search."""

    type: IncidentType | None = None
    stage: Stage | None = None
    channel: Channel | None = None
    severity: Severity | None = None
    since: datetime | None = None
    until: datetime | None = None


class SearchRequest(BaseModel):
    query: str
    kinds: list[KnowledgeKind] = Field(default_factory=lambda: list(KnowledgeKind))
    filters: SearchFilters = Field(default_factory=SearchFilters)
    k: int = Field(5, ge=1, le=100)
    mmr: bool = False
    mmr_diversity: float = Field(0.5, ge=0.0, le=1.0)


class Hit(BaseModel):
    id: str  # the knowledge entry: guideline id, incident id or template id
    kind: KnowledgeKind
    title: str
    section: str = ""  # the guideline heading the hit comes from
    source: str
    snippet: str
    score: float
    text: str
    metadata: dict[str, Any]


class RetrievalService:
    def __init__(self, store: ChromaStore, embedder: Embedder, cache_size: int = QUERY_CACHE) -> None:
        self.store = store
        self.embedder = embedder
        self.cache_size = cache_size
        self._vectors: OrderedDict[str, np.ndarray[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.embedded = 0  # queries that needed the model (the rest came from the cache)

    def search(self, request: SearchRequest) -> list[Hit]:
        query = " ".join(request.query.split())
        if not query:
            raise InputError("The search text is empty.", "Type a few words that describe what you need.")
        vector = self._vector(query[:MAX_QUERY_CHARS])
        fetch = request.k * 4 if request.mmr else request.k
        candidates: list[tuple[Hit, np.ndarray[Any, Any]]] = []
        for kind in request.kinds:
            where = _where(kind, request.filters)
            if where is False:
                continue
            candidates += self._query_kind(kind, vector, where, fetch, with_vectors=request.mmr)
        candidates.sort(key=lambda pair: pair[0].score, reverse=True)
        if request.filters.type:
            # a type's own template beats the generic fallback that the filter also admits
            candidates.sort(key=lambda pair: pair[0].metadata.get("type") == "generic")
        if not request.mmr:
            return [hit for hit, _ in candidates[: request.k]]
        if not candidates:
            return []
        chosen = maximal_marginal_relevance(
            vector,
            [vec.tolist() for _, vec in candidates],
            lambda_mult=1 - request.mmr_diversity,
            k=request.k,
        )
        return [candidates[i][0] for i in chosen]

    def _vector(self, query: str) -> np.ndarray[Any, Any]:
        with self._lock:
            vector = self._vectors.get(query)
            if vector is not None:
                self._vectors.move_to_end(query)
                return vector
        # Outside the lock: concurrent drafts embed in parallel (the model releases the GIL).
        vector = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        vector.setflags(write=False)
        with self._lock:
            self.embedded += 1
            self._vectors[query] = vector
            while len(self._vectors) > self.cache_size:
                self._vectors.popitem(last=False)
        return vector

    def _query_kind(
        self,
        kind: KnowledgeKind,
        vector: np.ndarray[Any, Any],
        where: dict[str, Any] | None,
        n: int,
        with_vectors: bool,
    ) -> list[tuple[Hit, np.ndarray[Any, Any]]]:
        collection = self.store.collection(kind, self.embedder.model_id, create=False)
        if collection is None:
            return []
        include = ["documents", "metadatas", "distances"] + (["embeddings"] if with_vectors else [])
        result = collection.query(
            query_embeddings=[vector.tolist()], n_results=n, where=where, include=include
        )
        hits = []
        vectors = result.get("embeddings")
        for i, chunk_id in enumerate(result["ids"][0]):
            meta = result["metadatas"][0][i] or {}
            document = result["documents"][0][i] or ""
            section = str(meta.get("section") or "")
            hits.append(
                (
                    Hit(
                        id=str(meta.get("doc_id", chunk_id)),
                        kind=kind,
                        title=_title(meta, document),
                        section=section,
                        source=str(meta.get("source", "")),
                        snippet=_snippet(document),
                        score=round(1.0 - float(result["distances"][0][i]), 4),
                        text=document,
                        metadata=dict(meta),
                    ),
                    np.asarray(vectors[0][i]) if vectors is not None else vector,
                )
            )
        return hits

    def entry_text(self, kind: str, entry_id: str, title: str = "") -> str:
        """The stored text of one knowledge entry, by its id: the section whose hit title is
        `title` when there is one (what a draft cited), else the whole entry; "" if unknown."""
        if kind not in {str(k) for k in KnowledgeKind}:
            return ""
        collection = self.store.collection(KnowledgeKind(kind), self.embedder.model_id, create=False)
        if collection is None:
            return ""
        found = collection.get(where={"doc_id": entry_id}, include=["documents", "metadatas"])
        chunks = sorted(
            zip(found["documents"] or [], found["metadatas"] or [], strict=False),
            key=lambda pair: int((pair[1] or {}).get("position") or 0),
        )
        cited = [doc for doc, meta in chunks if title and _title(meta or {}, doc) == title]
        return "\n\n".join(cited or [doc for doc, _ in chunks])


def _title(meta: Any, document: str) -> str:
    """What a hit is called: the entry's title, and the guideline section it comes from."""
    title = str(meta.get("title") or document.split("\n", 1)[0])
    section = str(meta.get("section") or "")
    return f"{title} › {section}" if section else title


def _snippet(document: str) -> str:
    body = document.split("\n\n", 1)[-1] if "\n\n" in document else document
    body = " ".join(body.split())
    return body if len(body) <= SNIPPET_CHARS else body[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _where(kind: KnowledgeKind, f: SearchFilters) -> dict[str, Any] | Literal[False] | None:
    """A Chroma `where` clause, None for no filter, or False when the kind cannot match."""
    clauses: list[dict[str, Any]] = []
    if f.type:
        if kind == KnowledgeKind.INCIDENTS:
            clauses.append({"type": str(f.type)})
        elif kind == KnowledgeKind.TEMPLATES:
            clauses.append({"type": {"$in": [str(f.type), "generic"]}})
        else:
            return False
    if f.stage:
        if kind == KnowledgeKind.TEMPLATES:
            clauses.append({"stage": str(f.stage)})
        elif kind == KnowledgeKind.INCIDENTS:
            clauses.append({f"stage_{f.stage}": True})
        else:
            return False
    if f.channel:
        clauses.append({f"channel_{f.channel}": True})
    if f.severity or f.since or f.until:
        if kind != KnowledgeKind.INCIDENTS:
            return False
        if f.severity:
            clauses.append({"severity": str(f.severity)})
        if f.since:
            clauses.append({"started_ts": {"$gte": int(f.since.timestamp())}})
        if f.until:
            clauses.append({"started_ts": {"$lte": int(f.until.timestamp())}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
