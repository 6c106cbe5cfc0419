"""The model as a batch job's worker sees it: bounded calls in flight, and every failure noted
for the item being drafted, so the worker can tell 'the model was down' from a normal draft.

The drafter falls back to the template engine when the model fails, which is right for a person
at the screen; a night job can afford to wait, so the worker needs to know the draft fell back
because of a transient failure (and for how long the provider asked it to wait).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from langchain_core.messages import BaseMessage

from draftdesk.adapters.llm.base import ChatLLM, LLMError

_TRANSIENT_STATUS = frozenset({408, 409, 425, 429})
RETRY_BASE = 0.5  # seconds before the first retry of a transient failure, doubling (as OpenAI's client)
RETRY_CAP = 8.0
RETRY_AFTER_CAP = 60.0  # a longer Retry-After is the job-level retry's business

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
    bounds the calls in flight: what the provider sees is at most that many at once.

    `retries`: transient failures retried here rather than by the provider's client, which sleeps
    through its back-off inside the call and so holds a slot the whole time: with 20% of calls
    failing that idled a sixth of the slots. Here each wait happens outside the slot."""

    slots: threading.BoundedSemaphore
    retries: int = 0

    def complete(self, messages: list[BaseMessage]) -> str:
        attempt = 0
        while True:
            try:
                with self.slots:
                    return super().complete(messages)
            except LLMError as exc:
                self._wait_or_raise(exc, attempt)
                attempt += 1

    def stream(self, messages: list[BaseMessage]) -> Iterator[str]:
        attempt = 0
        while True:
            started = False
            try:
                with self.slots:
                    for piece in super().stream(messages):
                        started = True
                        yield piece
                return
            except LLMError as exc:
                if started:  # half a reply already shown: retrying would repeat it
                    _note(exc)
                    raise
                self._wait_or_raise(exc, attempt)
                attempt += 1

    def _wait_or_raise(self, exc: LLMError, attempt: int) -> None:
        if attempt >= self.retries or not _transient(exc):
            _note(exc)
            raise exc
        backoff = min(RETRY_BASE * 2.0**attempt, RETRY_CAP) * random.uniform(0.75, 1.0)
        time.sleep(max(backoff, min(_retry_after(exc), RETRY_AFTER_CAP)))


def _transient(exc: LLMError) -> bool:
    cause = exc.__cause__
    status = getattr(cause, "status_code", None)
    return status is None or status in _TRANSIENT_STATUS or status >= 500 or "Timeout" in type(cause).__name__


def _retry_after(exc: LLMError) -> float:
    headers = getattr(getattr(exc.__cause__, "response", None), "headers", None)
    if headers is not None:
        with suppress(ValueError):
            return float(headers.get("retry-after") or 0)
    return 0.0


def _note(exc: LLMError) -> None:
    failures: Failures | None = getattr(_current, "failures", None)
    if failures is None:
        return
    failures.reasons.append(exc.message)
    if _transient(exc):
        failures.transient = True
    failures.retry_after = max(failures.retry_after, _retry_after(exc))
