"""Embedding backends, chosen by name (`DRAFTDESK_EMBEDDING_BACKEND`)."""

from __future__ import annotations

from collections.abc import Callable

from draftdesk.adapters.embeddings.base import Embedder
from draftdesk.errors import ConfigError
from draftdesk.settings import Settings


def _minilm(settings: Settings) -> Embedder:
    from draftdesk.adapters.embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder(settings.embedding_batch_size, settings.embedding_threads)


def _e5(settings: Settings) -> Embedder:
    from draftdesk.adapters.embeddings.e5 import E5Embedder

    return E5Embedder(settings.embedding_batch_size, settings.embedding_threads)


def _openai(settings: Settings) -> Embedder:
    from draftdesk.adapters.embeddings.openai import OpenAIEmbedder

    return OpenAIEmbedder(settings)


REGISTRY: dict[str, Callable[[Settings], Embedder]] = {"e5": _e5, "minilm": _minilm, "openai": _openai}


def build_embedder(settings: Settings) -> Embedder:
    try:
        factory = REGISTRY[settings.embedding_backend]
    except KeyError:
        raise ConfigError(
            f"Unknown embedding backend '{settings.embedding_backend}'.",
            f"Choose one of: {', '.join(REGISTRY)}.",
        ) from None
    return factory(settings)


__all__ = ["Embedder", "build_embedder"]
