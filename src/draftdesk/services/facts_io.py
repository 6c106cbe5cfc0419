"""Incident facts files (YAML or JSON): every problem named with its line and the allowed values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from draftdesk.domain.drafts import IncidentFacts
from draftdesk.domain.problems import Problem
from draftdesk.errors import ValidationFailed
from draftdesk.services.text_files import FileProblem, parse_yaml, read_text, validation_problems

FACT_KEYS = list(IncidentFacts.model_fields)


def read_facts(path: Path, overrides: dict[str, Any] | None = None) -> IncidentFacts:
    try:
        text = read_text(path)
        if path.suffix.lower() == ".json":
            data, node = _json(text, path), None
        else:
            data, node = parse_yaml(text, path)
    except FileProblem as exc:
        raise ValidationFailed([exc.problem], what="facts file", outcome="nothing was drafted") from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            [Problem(file=path, message=f"must be a mapping of facts with the keys {FACT_KEYS}")],
            what="facts file",
            outcome="nothing was drafted",
        )
    data.update(overrides or {})
    return facts_from(data, path, node)


def facts_from(data: dict[str, Any], path: Path, node: Any = None) -> IncidentFacts:
    try:
        return IncidentFacts.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, path, node)
        for p in problems:
            if "not a known field" in p.message:
                p.message = f"is not a known key; the keys are {', '.join(FACT_KEYS)}"
        raise ValidationFailed(problems, what="facts file", outcome="nothing was drafted") from None


def _json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(
            Problem(file=path, line=exc.lineno, message=f"is not valid JSON: {exc.msg}")
        ) from exc
