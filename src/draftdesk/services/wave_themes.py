"""Themes of a wave: reviews grouped by what they complain about, and each group's distinctive words.

Embeddings come from the store's model and are kept in the store (collection `review_vectors`,
keyed by a hash of the text), so a second analysis of the same reviews embeds nothing. Grouping
is plain NumPy: the vectors are centred on the wave's own mean (what every review shares, being a
review, says nothing about a theme), joined with the product (the same words mean a different
problem on a kettle and on a duvet; on the bundled sample theme purity is 0.57 without it and
0.88 with it), over-split by spherical k-means, and the pieces merged while their centres stay alike. A merged
group whose texts do not say one thing is split by its text or trimmed (theme purity on the
bundled sample 0.79 before that step, 0.86 after). A piece too small to be a theme stays unthemed.
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
# Mean pairwise cosine of a theme's centred text vectors below which its reviews do not say one
# thing: the product pulled unrelated complaints together (a desk's motor, its late delivery and
# its missing screws). Such a group is split by its text, or loses the reviews least like the rest.
# Unrelated reviews of a wave score about 0; one complaint in other words, 0.2 to 0.4.
COHERENCE = 0.12
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
    text = vectors - vectors.mean(axis=0)
    text /= np.linalg.norm(text, axis=1, keepdims=True) + 1e-9
    names = sorted(set(products))
    onehot = np.zeros((n, len(names)), dtype=np.float32)
    onehot[np.arange(n), [names.index(p) for p in products]] = PRODUCT_WEIGHT
    joined = np.hstack([text, onehot])
    joined /= np.linalg.norm(joined, axis=1, keepdims=True)
    k = min(n, max(2, int(n * PIECES_PER_REVIEW)), MAX_PIECES)
    labels = _spherical_kmeans(joined, k, seed)
    pieces = [np.flatnonzero(labels == c) for c in range(k)]
    pieces = [p for p in pieces if len(p)]
    themes: list[list[int]] = []
    for merged in _merge(joined, pieces):
        _coherent(text, [int(i) for i in merged], themes)
    return sorted((sorted(t) for t in themes), key=len, reverse=True)


def _coherent(text: Vectors, rows: list[int], out: list[list[int]]) -> None:
    """Append `rows` to `out` if they say one thing; else split them in two by their text (while
    there are enough for two themes), or drop the reviews least like the rest."""
    if len(rows) < MIN_THEME:
        return
    if _pairwise(text, rows) >= COHERENCE:
        out.append(rows)
        return
    if len(rows) >= 2 * MIN_THEME:
        halves = _bisect(text[rows])
        if 0 < halves.sum() < len(rows):
            for side in (0, 1):
                _coherent(text, [r for r, h in zip(rows, halves, strict=True) if h == side], out)
            return
    rows = list(rows)
    while len(rows) >= MIN_THEME and _pairwise(text, rows) < COHERENCE:
        total = text[rows].sum(axis=0)
        rows.remove(min(rows, key=lambda r: float(text[r] @ (total - text[r]))))
    if len(rows) >= MIN_THEME:
        out.append(rows)


def _bisect(x: Vectors) -> np.ndarray[Any, Any]:
    """Two-means from the two rows furthest apart in the group's main direction of difference:
    the same split whatever order the rows come in."""
    outlier = int(np.argmin(x @ x.sum(axis=0)))
    other = int(np.argmin(x @ x[outlier]))
    return _kmeans_from(x, x[[outlier, other]])


def _pairwise(text: Vectors, rows: list[int]) -> float:
    """Mean cosine over the pairs of rows (unit vectors), from the norm of their sum."""
    total = text[rows].sum(axis=0)
    n = len(rows)
    return (float(total @ total) - n) / (n * (n - 1))


def _spherical_kmeans(x: Vectors, k: int, seed: int) -> np.ndarray[Any, Any]:
    return _kmeans_from(x, x[_plus_plus(x, k, np.random.default_rng(seed))])


def _kmeans_from(x: Vectors, centres: Vectors, rounds: int = 25) -> np.ndarray[Any, Any]:
    """Spherical k-means from these starting centres, which it moves (pass rows copied from `x`)."""
    k = len(centres)
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
