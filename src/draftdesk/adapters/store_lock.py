"""One process owns an embedded Chroma directory: a second writer would hang or read stale vectors."""

from __future__ import annotations

import fcntl
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from draftdesk.errors import StoreLockedError

LOCK_NAME = "draftdesk.lock"


class StoreLock:
    """An exclusive, non-blocking OS lock; released by the OS if the process dies."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_NAME
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown process"
            fh.close()
            raise StoreLockedError(self.path.parent, holder) from None
        fh.seek(0)
        fh.truncate()
        command = " ".join(os.path.basename(a) for a in sys.argv[:2]) or "python"
        fh.write(f"pid {os.getpid()}, `{command}`, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
