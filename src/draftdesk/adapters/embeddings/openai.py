"""Embeddings from the OpenAI API or any OpenAI-compatible server."""

from __future__ import annotations

from draftdesk.adapters.embeddings.base import Embedder
from draftdesk.errors import ConfigError
from draftdesk.settings import Settings


class OpenAIEmbedder(Embedder):
    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        key = settings.openai_key()
        if not key and not settings.openai_base_url:
            raise ConfigError(
                "The openai embedding backend needs an API key or a base URL.",
                "Set OPENAI_API_KEY (or DRAFTDESK_OPENAI_BASE_URL for a compatible server), "
                "or use DRAFTDESK_EMBEDDING_BACKEND=minilm.",
            )
        self.model_id = f"openai:{settings.openai_embedding_model}"
        self._client = OpenAIEmbeddings(  # type: ignore[call-arg]
            model=settings.openai_embedding_model,
            api_key=key or "not-needed",  # compatible servers often need no key
            base_url=settings.openai_base_url,
            check_embedding_ctx_length=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._client.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._client.embed_query(text)
