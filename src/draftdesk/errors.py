"""The exception hierarchy. Entry points translate these into CLI, HTTP or UI errors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from draftdesk.domain.problems import Problem


class DraftdeskError(Exception):
    """Base of every error a user can act on. `hint` says what to do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class ConfigError(DraftdeskError):
    """A setting is missing or contradicts another."""


class MissingExtraError(DraftdeskError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the package '{package}', which is not installed.",
            f"Install it with: pip install 'draftdesk[{extra}]'",
        )


class InputError(DraftdeskError):
    """Input that a user supplied cannot be used as it is."""


class ValidationFailed(InputError):
    """One or more files or records are invalid; `problems` lists every one of them."""

    def __init__(
        self, problems: list[Problem], what: str = "knowledge base", outcome: str = "nothing was changed"
    ) -> None:
        self.problems = problems
        n = len(problems)
        super().__init__(
            f"The {what} has {n} problem{'s' if n != 1 else ''}; {outcome}.",
            "Fix the files listed above and run the command again.",
        )


class StoreError(DraftdeskError):
    """The vector store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process owns the embedded store."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(
            f"The knowledge store at {path} is in use by another process ({holder}).",
            "Stop that process, or share one store between processes with a Chroma server: "
            "run `chroma run --path DIR` and set DRAFTDESK_CHROMA_URL=http://HOST:8000.",
        )


class StoreMismatchError(StoreError):
    """The store was built with a different embedding model."""


class EmbeddingError(DraftdeskError):
    """The embedding model cannot be loaded or failed to embed."""


class RecordNotFound(InputError):
    """A request, draft or approval that the record database does not hold."""


class PermissionDenied(DraftdeskError):
    """The signed-in user's role does not allow this action."""


class SignInLocked(DraftdeskError):
    """Too many wrong passwords for an account in a row: sign-in waits before it tries again."""

    def __init__(self, message: str, retry_after: float, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after
