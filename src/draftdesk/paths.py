"""Where the bundled knowledge and prompts live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """`knowledge` or `prompts`: inside the wheel, else at the top of the source tree."""
    for candidate in (_PACKAGE / "bundled" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled '{name}' directory not found next to {_PACKAGE}")
