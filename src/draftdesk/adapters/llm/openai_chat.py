"""The OpenAI provider; also serves any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio)."""

from __future__ import annotations

from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from draftdesk.adapters.llm.base import ChatLLM
from draftdesk.domain.drafts import Engine
from draftdesk.errors import ConfigError
from draftdesk.settings import Settings


def build_openai(settings: Settings) -> ChatLLM:
    key = settings.openai_key()
    if not key and not settings.openai_base_url:
        raise ConfigError(
            "The openai provider needs an API key or an OpenAI-compatible base URL.",
            "Set OPENAI_API_KEY (or DRAFTDESK_OPENAI_API_KEY), "
            "or DRAFTDESK_OPENAI_BASE_URL for a local server.",
        )
    chat = ChatOpenAI(
        model=settings.llm_model,
        # Local servers accept any key; the client insists on one.
        api_key=SecretStr(key or "not-needed"),
        base_url=settings.openai_base_url,
        temperature=settings.llm_temperature,
        # The client's own retry loop backs off exponentially and honours Retry-After.
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
    )
    return ChatLLM(engine=Engine.OPENAI, model=settings.llm_model, chat=chat)
