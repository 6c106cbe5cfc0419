"""LLM providers, chosen by name (`DRAFTDESK_LLM_PROVIDER`). `template` means no model at all."""

from __future__ import annotations

from collections.abc import Callable

from draftdesk.adapters.llm.base import ChatLLM
from draftdesk.adapters.llm.local import local_available
from draftdesk.errors import ConfigError
from draftdesk.settings import Settings


def _openai(settings: Settings) -> ChatLLM:
    from draftdesk.adapters.llm.openai_chat import build_openai

    return build_openai(settings)


def _local(settings: Settings) -> ChatLLM:
    from draftdesk.adapters.llm.local import build_local

    return build_local(settings)


REGISTRY: dict[str, Callable[[Settings], ChatLLM]] = {"openai": _openai, "local": _local}


def resolve_provider(settings: Settings) -> str:
    """`auto`: openai when a key or base URL is configured, else local when installed, else template."""
    if settings.llm_provider != "auto":
        return settings.llm_provider
    if settings.openai_key() or settings.openai_base_url:
        return "openai"
    if local_available(settings):
        return "local"
    return "template"


def build_llm(settings: Settings) -> ChatLLM | None:
    """The configured chat model, or None when drafts come from the template engine alone."""
    name = resolve_provider(settings)
    if name == "template":
        return None
    if name not in REGISTRY:
        raise ConfigError(f"Unknown LLM provider '{name}'.", "Choose auto, openai, local or template.")
    return REGISTRY[name](settings)


__all__ = ["ChatLLM", "build_llm", "resolve_provider"]
