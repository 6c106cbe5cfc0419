"""What every embedding backend offers. It is also a LangChain `Embeddings`."""

from __future__ import annotations

from abc import abstractmethod

from langchain_core.embeddings import Embeddings


class Embedder(Embeddings):
    """Unit-length vectors, so cosine similarity is a dot product."""

    #: Recorded on every collection: vectors from different models must never mix.
    model_id: str

    @abstractmethod
    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
