"""The Chroma adapter: an embedded directory (default) or a Chroma server, one collection per kind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from draftdesk.adapters.store_lock import StoreLock
from draftdesk.domain.enums import KnowledgeKind
from draftdesk.errors import StoreError, StoreMismatchError
from draftdesk.settings import Settings

MODEL_KEY = "embedding_model"


class ChromaStore:
    """Owns the client (and the directory lock in embedded mode). Vectors come from our embedder."""

    def __init__(self, settings: Settings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        self._lock: StoreLock | None = None
        # handles are cached: fetching one costs a round trip on every search
        self._collections: dict[str, Any] = {}
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            self.location = settings.chroma_url
            try:
                self.client = chromadb.HttpClient(
                    host=url.hostname or "localhost",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
            except Exception as exc:  # chromadb raises ValueError/ConnectionError variants
                raise StoreError(
                    f"Cannot reach the Chroma server at {settings.chroma_url}: {exc}",
                    "Start it with `chroma run --path DIR --port 8000`, or unset DRAFTDESK_CHROMA_URL "
                    "to use the embedded store.",
                ) from exc
            return
        path = settings.resolved_chroma_path
        self.location = str(path)
        _ensure_writable(path)
        self._lock = StoreLock(path)
        self._lock.acquire()
        try:
            self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as exc:
            self._lock.release()
            raise StoreError(
                f"The Chroma store at {path} cannot be opened: {exc}",
                "Check that the directory is a Chroma store, or point DRAFTDESK_CHROMA_PATH elsewhere.",
            ) from exc

    def close(self) -> None:
        if self._lock:
            self._lock.release()
            self._lock = None

    def collection(self, kind: str, model_id: str, create: bool = True) -> Any:
        """The collection for a kind; refuses one filled by a different embedding model."""
        cached = self._collections.get(kind)
        if cached is not None and cached[0] == model_id:
            return cached[1]
        if create:
            col = self.client.get_or_create_collection(
                kind,
                embedding_function=None,
                metadata={MODEL_KEY: model_id},
                configuration={"hnsw": {"space": "cosine"}},
            )
        else:
            try:
                col = self.client.get_collection(kind, embedding_function=None)
            except Exception:
                return None
        stored = (col.metadata or {}).get(MODEL_KEY)
        if stored and stored != model_id:
            raise StoreMismatchError(
                f"The '{kind}' collection was built with the embedding model '{stored}', "
                f"but draftdesk is set to '{model_id}'.",
                "Run `draftdesk ingest --rebuild` to re-embed the knowledge base.",
            )
        self._collections[kind] = (model_id, col)
        return col

    def drop(self, kind: str) -> None:
        self._collections.pop(kind, None)
        try:
            self.client.delete_collection(kind)
        except Exception:  # absent already: nothing to drop
            return

    def counts(self, kinds: Sequence[str] = tuple(KnowledgeKind)) -> dict[str, int]:
        names = {c.name for c in self.client.list_collections()}
        return {
            k: self.client.get_collection(k, embedding_function=None).count() if k in names else 0
            for k in kinds
        }


def _ensure_writable(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise StoreError(
            f"The Chroma directory {path} is not writable: {exc.strerror or exc}",
            "Set DRAFTDESK_DATA_DIR (or DRAFTDESK_CHROMA_PATH) to a directory you can write to.",
        ) from exc
    if not os.access(path, os.W_OK):
        raise StoreError(
            f"The Chroma directory {path} is not writable.",
            "Set DRAFTDESK_DATA_DIR to a directory you can write to.",
        )
