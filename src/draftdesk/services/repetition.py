"""Near-duplicates: of replies already published, and of other drafts in the same batch.

Twenty identical replies under twenty reviews look robotic. Two signals, because each
misses what the other sees: word-shingle overlap catches a pasted reply with a name
swapped; embedding similarity catches a light paraphrase. Published replies live in the
Chroma collection `published`, filled when a human approves a draft; the shingles of every
published reply are indexed in memory on first use so a check stays within milliseconds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from draftdesk.adapters.chroma_store import ChromaStore
from draftdesk.adapters.embeddings import Embedder
from draftdesk.domain.drafts import Family, ToneIssue
from draftdesk.services.text_features import excerpt, shingles
from draftdesk.services.tone_rules import issue
from draftdesk.settings import Settings

COLLECTION = "published"


class PublishedReply(BaseModel):
    id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=5000)
    product: str = ""
    review_id: str = ""
    approved_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


class Resemblance(BaseModel):
    id: str
    text: str
    overlap: float = Field(description="Share of the draft's 4-word shingles found in the other text.")
    similarity: float | None = Field(None, description="Cosine similarity of the embeddings.")


def overlap(mine: set[str], theirs: set[str]) -> float:
    return len(mine & theirs) / len(mine) if mine else 0.0


def resemblance_issue(match: Resemblance, where: str) -> ToneIssue:
    how = f"{match.overlap:.0%} of its wording"
    if match.similarity is not None:
        how += f", meaning {match.similarity:.2f} similar"
    quote = excerpt(match.text)
    return issue(
        "near_duplicate",
        Family.NEAR_DUPLICATE,
        f"Reads like {where} {match.id} ({how}): “{quote}”",
        "Rewrite it around this customer's own words, product and problem.",
    )


class PublishedReplies:
    """The `published` collection and its in-memory shingle index."""

    def __init__(
        self, store: Callable[[], ChromaStore], embedder: Callable[[], Embedder], settings: Settings
    ):
        self._store, self._embedder = store, embedder
        self.max_overlap = settings.duplicate_overlap
        self.max_similarity = settings.duplicate_similarity
        self._index: dict[str, set[str]] | None = None  # shingle -> ids
        self._texts: dict[str, str] = {}

    def _collection(self, create: bool = False) -> Any:
        return self._store().collection(COLLECTION, self._embedder().model_id, create=create)

    def add(self, replies: Sequence[PublishedReply]) -> int:
        if not replies:
            return 0
        col = self._collection(create=True)
        vectors = self._embedder().embed_documents([r.text for r in replies])
        col.upsert(
            ids=[r.id for r in replies],
            embeddings=vectors,
            documents=[r.text for r in replies],
            metadatas=[r.model_dump(exclude={"id", "text"}) for r in replies],
        )
        if self._index is not None:
            for r in replies:
                self._remember(r.id, r.text)
        return len(replies)

    def count(self) -> int:
        col = self._collection()
        return int(col.count()) if col is not None else 0

    def _remember(self, id_: str, text: str) -> None:
        assert self._index is not None
        self._texts[id_] = text
        for s in shingles(text):
            self._index[s].add(id_)

    def _load(self) -> dict[str, set[str]]:
        if self._index is None:
            self._index = defaultdict(set)
            col = self._collection()
            if col is not None:
                got = col.get(include=["documents"])
                for id_, text in zip(got["ids"], got["documents"] or [], strict=False):
                    self._remember(id_, text or "")
        return self._index

    def similar(self, text: str, k: int = 3) -> list[Resemblance]:
        """The published replies closest to `text`, by wording and by meaning."""
        index = self._load()
        if not self._texts:
            return []
        mine = shingles(text)
        hits = Counter(i for s in mine for i in index.get(s, ()))
        found = {
            i: Resemblance(id=i, text=self._texts[i], overlap=n / len(mine))
            for i, n in hits.most_common(k)
            if mine
        }
        col = self._collection()
        if col is not None:
            vector = self._embedder().embed_documents([text])[0]
            got = col.query(query_embeddings=[vector], n_results=min(k, len(self._texts)))
            for i, distance in zip(got["ids"][0], got["distances"][0], strict=False):
                match = found.get(i) or Resemblance(
                    id=i, text=self._texts.get(i, ""), overlap=overlap(mine, shingles(self._texts.get(i, "")))
                )
                match.similarity = round(1.0 - float(distance), 3)
                found[i] = match
        return sorted(found.values(), key=lambda m: (m.overlap, m.similarity or 0), reverse=True)

    def issues(self, text: str) -> list[ToneIssue]:
        for match in self.similar(text):
            if match.overlap >= self.max_overlap or (match.similarity or 0) >= self.max_similarity:
                return [resemblance_issue(match, "the published reply")]
        return []


class BatchReplies:
    """The drafts of one batch so far, each new draft checked against those before it."""

    def __init__(self, max_overlap: float, where: str = "draft") -> None:
        self.max_overlap, self.where = max_overlap, where
        self.seen: list[tuple[str, str, set[str]]] = []

    def add(self, id_: str, text: str) -> None:
        self.seen.append((id_, text, shingles(text)))

    def match(self, text: str) -> ToneIssue | None:
        mine = shingles(text)
        for id_, theirs_text, theirs in self.seen:
            share = overlap(mine, theirs)
            if share >= self.max_overlap:
                found = Resemblance(id=id_, text=theirs_text, overlap=round(share, 3))
                return resemblance_issue(found, self.where)
        return None


def batch_duplicates(texts: Sequence[str], ids: Sequence[str], max_overlap: float) -> dict[int, ToneIssue]:
    """Drafts of one batch that repeat an earlier draft of the same batch."""
    earlier = BatchReplies(max_overlap)
    found: dict[int, ToneIssue] = {}
    for n, text in enumerate(texts):
        repeat = earlier.match(text)
        if repeat is not None:
            found[n] = repeat
        earlier.add(ids[n], text)
    return found
