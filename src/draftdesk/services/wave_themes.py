"""Themes of a wave: reviews grouped by what they complain about, and each group's distinctive words.

Embeddings come from the store's model and are kept in the store (collection `review_vectors`,
keyed by a hash of the text), so a second analysis of the same reviews embeds nothing. Grouping
is plain NumPy: the vectors are centred on the wave's own mean (what every review shares, being a
review, says nothing about a theme), joined with the product (the same words mean a different
problem on a kettle and on a duvet; on the bundled sample theme purity is 0.57 without it and
0.88 with it), over-split by spherical k-means, and the pieces merged while their centres stay alike.
A piece too small to be a theme stays unthemed.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from draftdesk.adapters.chroma_store import ChromaStore
from draftdesk.adapters.embeddings import Embedder
from draftdesk.services.wave_text import content_words

COLLECTION = "review_vectors"
MERGE_SIMILARITY = 0.7  # cosine of two pieces' centres above which they are one theme
PRODUCT_WEIGHT = 0.7  # of the product's one-hot part against the unit text vector
PIECES_PER_REVIEW = 0.3
MAX_PIECES = 120
MIN_THEME = 3
Vectors = np.ndarray[Any, np.dtype[np.float32]]


class ReviewVectors:
    """Review embeddings, cached in the store by text so a wave is embedded once."""

    def __init__(self, store: ChromaStore, embedder: Embedder) -> None:
        self.store, self.embedder = store, embedder
        self.embedded = 0

    def vectors(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        collection = self.store.collection(COLLECTION, self.embedder.model_id, create=True)
        found: dict[str, list[float]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 5000):
            got = collection.get(ids=unique[start : start + 5000], include=["embeddings"])
            found.update(zip(got["ids"], got["embeddings"], strict=False))
        missing = [i for i, k in enumerate(keys) if k not in found]
        new_keys = list(dict.fromkeys(keys[i] for i in missing))
        if new_keys:
            first = {keys[i]: texts[i] for i in missing}
            fresh = np.asarray(self.embedder.embed_documents([first[k] for k in new_keys]), dtype=np.float32)
            self.embedded += len(new_keys)
            for start in range(0, len(new_keys), 5000):
                part = slice(start, start + 5000)
                collection.upsert(ids=new_keys[part], embeddings=fresh[part].tolist())
            found.update(zip(new_keys, fresh.tolist(), strict=True))
        return np.asarray([found[k] for k in keys], dtype=np.float32)


def group(vectors: Vectors, products: Sequence[str], seed: int = 0) -> list[list[int]]:
    """Indices of the rows in each theme, largest first; rows in no theme are left out."""
    n = len(vectors)
    if n < MIN_THEME:
        return []
    centred = vectors - vectors.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True) + 1e-9
    names = sorted(set(products))
    onehot = np.zeros((n, len(names)), dtype=np.float32)
    onehot[np.arange(n), [names.index(p) for p in products]] = PRODUCT_WEIGHT
    centred = np.hstack([centred, onehot])
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    k = min(n, max(2, int(n * PIECES_PER_REVIEW)), MAX_PIECES)
    labels = _spherical_kmeans(centred, k, seed)
    pieces = [np.flatnonzero(labels == c) for c in range(k)]
    pieces = [p for p in pieces if len(p)]
    merged = _merge(centred, pieces)
    themes = [sorted(int(i) for i in g) for g in merged if len(g) >= MIN_THEME]
    return sorted(themes, key=len, reverse=True)


def _spherical_kmeans(x: Vectors, k: int, seed: int, rounds: int = 25) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(seed)
    centres = x[_plus_plus(x, k, rng)]
    labels = np.zeros(len(x), dtype=int)
    for _ in range(rounds):
        new = np.argmax(x @ centres.T, axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        for c in range(k):
            members = x[labels == c]
            if len(members):
                centre = members.sum(axis=0)
                centres[c] = centre / (np.linalg.norm(centre) + 1e-9)
    return labels


def _plus_plus(x: Vectors, k: int, rng: np.random.Generator) -> list[int]:
    chosen = [int(rng.integers(len(x)))]
    closest = 1 - x @ x[chosen[0]]
    for _ in range(1, k):
        weights = np.clip(closest, 0, None) ** 2
        total = float(weights.sum())
        pick = int(rng.choice(len(x), p=weights / total)) if total > 0 else int(rng.integers(len(x)))
        chosen.append(pick)
        closest = np.minimum(closest, 1 - x @ x[pick])
    return chosen


def _merge(x: Vectors, pieces: list[np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
    """Average-linkage merging of the pieces until no two are alike enough."""
    groups = [list(p) for p in pieces]
    while len(groups) > 1:
        centres = np.stack([_centre(x, g) for g in groups])
        sims = centres @ centres.T
        np.fill_diagonal(sims, -1.0)
        a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[a, b] < MERGE_SIMILARITY:
            break
        groups[a] += groups[b]
        del groups[b]
    return [np.asarray(g) for g in groups]


def _centre(x: Vectors, rows: list[Any]) -> Vectors:
    centre = x[rows].mean(axis=0)
    result: Vectors = centre / (np.linalg.norm(centre) + 1e-9)
    return result


def distinctive_words(texts: Sequence[str], groups: Sequence[Sequence[int]], top: int = 5) -> list[list[str]]:
    """Per group, the words it uses far more than the rest of the wave (class-based TF-IDF)."""
    counts = [Counter(w for i in g for w in set(content_words(texts[i]))) for g in groups]
    everywhere = Counter(w for t in texts for w in set(content_words(t)))
    n = max(len(texts), 1)
    result = []
    for g, words in zip(groups, counts, strict=True):
        size = max(len(g), 1)
        # A word two reviews share says more than one review's; a small group may have none.
        floor = 2 if any(c >= 2 for c in words.values()) else 1
        scored = {w: (c / size) * math.log(1 + n / everywhere[w]) for w, c in words.items() if c >= floor}
        result.append([w for w, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:top]])
    return result
