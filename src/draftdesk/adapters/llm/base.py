"""What the drafting services need from any chat model: text in, text out, or text as it arrives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from draftdesk.domain.drafts import Engine
from draftdesk.errors import DraftdeskError


class LLMError(DraftdeskError):
    """The model failed after its retries; drafting falls back to the template engine."""


@dataclass
class ChatLLM:
    engine: Engine
    model: str
    chat: BaseChatModel

    def complete(self, messages: list[BaseMessage]) -> str:
        try:
            return _text(self.chat.invoke(messages).content)
        except DraftdeskError:
            raise
        except Exception as exc:  # every provider error means the same to a drafter: fall back
            raise LLMError(f"{self.engine} model '{self.model}' failed: {_describe(exc)}") from exc

    def stream(self, messages: list[BaseMessage]) -> Iterator[str]:
        try:
            for chunk in self.chat.stream(messages):
                piece = _text(chunk.content)
                if piece:
                    yield piece
        except DraftdeskError:
            raise
        except Exception as exc:
            raise LLMError(f"{self.engine} model '{self.model}' failed: {_describe(exc)}") from exc


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)
    return str(content)


def _describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    return f"{name} (HTTP {status})" if status else f"{name}: {str(exc)[:200]}"
