"""The model as a batch job's worker sees it: bounded calls in flight, and every failure noted
for the item being drafted, so the worker can tell 'the model was down' from a normal draft.

The drafter falls back to the template engine when the model fails, which is right for a person
at the screen; a night job can afford to wait, so the worker needs to know the draft fell back
because of a transient failure (and for how long the provider asked it to wait).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from langchain_core.messages import BaseMessage

from draftdesk.adapters.llm.base import ChatLLM, LLMError

_TRANSIENT_STATUS = frozenset({408, 409, 425, 429})

_current = threading.local()


@dataclass
class Failures:
    """The model's failures while one item was drafted (after the adapter's own retries)."""

    transient: bool = False
    retry_after: float = 0.0
    reasons: list[str] = field(default_factory=list)


@contextmanager
def drafting(job_id: str, item_id: int) -> Iterator[Failures]:
    """While the block runs on this thread, model failures are noted for this item, and the
    repetition check knows which job's drafts to compare with."""
    failures = Failures()
    _current.failures, _current.job = failures, (job_id, item_id)
    try:
        yield failures
    finally:
        _current.failures = _current.job = None


def current_item() -> tuple[str, int] | None:
    """(job id, item row id) of the item being drafted on this thread, if any."""
    return getattr(_current, "job", None)


@dataclass
class WatchedLLM(ChatLLM):
    """The configured model, noting each failure for the item drafted on this thread. `slots`
    bounds the calls in flight: what the provider sees is at most that many at once."""

    slots: threading.BoundedSemaphore

    def complete(self, messages: list[BaseMessage]) -> str:
        try:
            with self.slots:
                return super().complete(messages)
        except LLMError as exc:
            _note(exc)
            raise

    def stream(self, messages: list[BaseMessage]) -> Iterator[str]:
        try:
            with self.slots:
                yield from super().stream(messages)
        except LLMError as exc:
            _note(exc)
            raise


def _note(exc: LLMError) -> None:
    failures: Failures | None = getattr(_current, "failures", None)
    if failures is None:
        return
    failures.reasons.append(exc.message)
    cause = exc.__cause__
    status = getattr(cause, "status_code", None)
    name = type(cause).__name__
    if status is None or status in _TRANSIENT_STATUS or status >= 500 or "Timeout" in name:
        failures.transient = True
    response = getattr(cause, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None:
        with suppress(ValueError):
            failures.retry_after = max(failures.retry_after, float(headers.get("retry-after") or 0))
