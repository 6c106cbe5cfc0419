"""Reading user files: UTF-8 or a clear message, YAML with line numbers for every error."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from draftdesk.domain.problems import Problem

FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


class FileProblem(Exception):
    """Raised while reading one file; the loader collects them all."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileProblem(Problem(file=path, message=f"cannot be read: {exc.strerror}")) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileProblem(
            Problem(
                file=path,
                line=line,
                message=f"is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "save it as UTF-8 and try again",
            )
        ) from exc


def parse_yaml(text: str, path: Path, line_offset: int = 0) -> tuple[Any, yaml.Node | None]:
    """The data and its node tree (for locating fields by line)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 + line_offset if mark else None
        raise FileProblem(Problem(file=path, line=line, message=f"is not valid YAML: {exc.problem}")) from exc
    return data, node


def line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the deepest node that `loc` reaches in a composed YAML tree."""
    if node is None:
        return None
    best = node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
        best = node.start_mark.line + 1
    return best


def validation_problems(
    exc: ValidationError,
    path: Path,
    node: yaml.Node | None = None,
    line_offset: int = 0,
    line: int | None = None,
) -> list[Problem]:
    """One Problem per pydantic error: located in a YAML tree by `node`, or at a fixed `line`
    (a CSV or JSON Lines row)."""
    problems = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function-")]
        field = ".".join(str(p) for p in loc) or None
        found = line_of(node, loc) if node is not None else line
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "is required but missing"
        elif err["type"] == "extra_forbidden":
            message = "is not a known field (check the spelling against docs/knowledge-format.md)"
        elif err["type"] == "enum":
            message = f"has an unknown value {err.get('input')!r}: {message}"
        problems.append(
            Problem(
                file=path,
                line=found + line_offset if found else None,
                field=field,
                message=message,
            )
        )
    return problems
