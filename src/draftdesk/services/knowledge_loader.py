"""Parse and validate a whole knowledge directory; report every problem at once."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from draftdesk.domain.enums import AppliesTo, Channel, KnowledgeKind
from draftdesk.domain.knowledge import (
    Guideline,
    GuidelineMeta,
    Incident,
    KnowledgeBase,
    ReplyPhrasing,
    Template,
    TemplateFile,
)
from draftdesk.domain.problems import Problem
from draftdesk.errors import ValidationFailed
from draftdesk.services.text_files import (
    FRONT_MATTER_RE,
    FileProblem,
    parse_yaml,
    read_text,
    validation_problems,
)

MARKDOWN = {".md", ".mdx", ".markdown"}
YAML = {".yaml", ".yml"}
# Files that sit beside style guides but are not guidance.
SKIPPED_NAMES = re.compile(r"^(license|licence|copying|notice|changelog)(\.|$)", re.I)
_MDX_NOISE = [
    re.compile(r"^\s*(import|export)\s.*$", re.M),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"\{/\*.*?\*/\}", re.S),
    re.compile(r"^\s*</?[A-Z][\w.]*(\s[^>]*)?/?>\s*$", re.M),  # JSX component lines
]


class LoadResult(BaseModel):
    kb: KnowledgeBase
    notices: list[str]


def load_knowledge(root: Path) -> LoadResult:
    """A valid KnowledgeBase, or ValidationFailed listing every problem in every file."""
    root = root.expanduser()
    if not root.is_dir():
        raise ValidationFailed([Problem(file=root, message="is not a directory")])
    problems: list[Problem] = []
    notices: list[str] = []
    kb = KnowledgeBase(root=root)
    known = [root / d for d in ("guidelines", "incidents", "templates")]
    if any(d.is_dir() for d in known):
        guideline_files = _files(root / "guidelines", MARKDOWN)
        incident_files = _files(root / "incidents", YAML)
        template_files = _files(root / "templates", YAML)
    else:
        # A bare folder of style guides, as a company brings them: every Markdown file is a guideline.
        guideline_files, incident_files, template_files = _files(root, MARKDOWN), [], []
    for path in guideline_files:
        if SKIPPED_NAMES.match(path.name):
            notices.append(f"skipped {path.relative_to(root)} (licence or notice, not guidance)")
            continue
        _collect(problems, lambda p=path: kb.guidelines.append(_guideline(p, root)))
    for path in incident_files:
        _collect(problems, lambda p=path: kb.incidents.append((_incident(p), p)))
    for path in template_files:
        _collect(problems, lambda p=path: kb.templates.extend(_templates(p)))
    for path in _files(root / "replies", YAML):
        _collect(problems, lambda p=path: _add_replies(kb, p))
    if not (guideline_files or incident_files or template_files):
        problems.append(
            Problem(
                file=root,
                message="holds no knowledge files: expected guidelines/*.md, "
                "incidents/*.yaml or templates/*.yaml (see docs/knowledge-format.md)",
            )
        )
    problems += _duplicates(kb)
    problems += _template_limits(kb)
    if problems:
        raise ValidationFailed(problems)
    notices += [
        f"imported {g.source.relative_to(root)} with default metadata (id '{g.meta.id}', "
        "applies to every message kind and channel)"
        for g in kb.guidelines
        if g.imported_with_defaults
    ]
    return LoadResult(kb=kb, notices=notices)


def _files(directory: Path, suffixes: set[str]) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def _collect(problems: list[Problem], action: Any) -> None:
    try:
        action()
    except FileProblem as exc:
        problems.append(exc.problem)
    except _Invalid as exc:
        problems.extend(exc.problems)


class _Invalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _guideline(path: Path, root: Path, text: str | None = None) -> Guideline:
    text = read_text(path) if text is None else text
    match = FRONT_MATTER_RE.match(text)
    front: Any = {}
    node = None
    if match:
        front, node = parse_yaml(match.group(1), path, line_offset=1)
        body = text[match.end() :]
    else:
        body = text
    if path.suffix.lower() == ".mdx" or not isinstance(front, dict) or not _is_ours(front):
        body = _clean_markup(body)
    if not body.strip():
        raise FileProblem(Problem(file=path, message="has no text after its front matter"))
    if isinstance(front, dict) and _is_ours(front):
        try:
            meta = GuidelineMeta.model_validate(front)
        except ValidationError as exc:
            raise _Invalid(validation_problems(exc, path, node, line_offset=1)) from exc
        return Guideline(meta=meta, body=body, source=path)
    return Guideline(
        meta=_default_meta(path, root, front, body), body=body, source=path, imported_with_defaults=True
    )


def _is_ours(front: dict[str, Any]) -> bool:
    return "id" in front or "applies_to" in front


def _default_meta(path: Path, root: Path, front: Any, body: str) -> GuidelineMeta:
    title = front.get("title") if isinstance(front, dict) else None
    if not title:
        heading = re.search(r"^#\s+(.+)$", body, re.M)
        title = heading.group(1).strip() if heading else path.stem.replace("-", " ").title()
    slug = re.sub(r"[^a-z0-9]+", "-", str(path.relative_to(root).with_suffix("")).lower()).strip("-")
    return GuidelineMeta(id=slug, title=str(title), applies_to=list(AppliesTo), channels=list(Channel))


def _clean_markup(body: str) -> str:
    for pattern in _MDX_NOISE:
        body = pattern.sub("", body)
    return re.sub(r"\n{3,}", "\n\n", body)


def _incident(path: Path, text: str | None = None) -> Incident:
    data, node = parse_yaml(read_text(path) if text is None else text, path)
    if not isinstance(data, dict):
        raise FileProblem(Problem(file=path, message="must be a YAML mapping of incident fields"))
    try:
        return Incident.model_validate(data)
    except ValidationError as exc:
        raise _Invalid(validation_problems(exc, path, node)) from exc


def _templates(path: Path, text: str | None = None) -> list[Template]:
    data, node = parse_yaml(read_text(path) if text is None else text, path)
    if not isinstance(data, dict):
        raise FileProblem(
            Problem(file=path, message="must be a YAML mapping with incident_type and messages")
        )
    try:
        parsed = TemplateFile.model_validate(data)
    except ValidationError as exc:
        raise _Invalid(validation_problems(exc, path, node)) from exc
    return [
        Template(incident_type=str(parsed.incident_type), message=m, source=path) for m in parsed.messages
    ]


def _add_replies(kb: KnowledgeBase, path: Path) -> None:
    data, node = parse_yaml(read_text(path), path)
    if not isinstance(data, dict):
        raise FileProblem(
            Problem(file=path, message="must be a YAML mapping with language, greeting and kinds")
        )
    try:
        phrasing = ReplyPhrasing.model_validate(data)
    except ValidationError as exc:
        raise _Invalid(validation_problems(exc, path, node)) from exc
    if phrasing.language in kb.replies:
        raise FileProblem(
            Problem(file=path, field="language", message=f"a second file for '{phrasing.language}'")
        )
    kb.replies[phrasing.language] = phrasing


def _duplicates(kb: KnowledgeBase) -> list[Problem]:
    seen: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for g in kb.guidelines:
        seen[("guideline", g.meta.id)].append(g.source)
    for incident, path in kb.incidents:
        seen[("incident", incident.id)].append(path)
    for t in kb.templates:
        seen[("template", t.id)].append(t.source)
    problems = []
    for (kind, entry_id), paths in seen.items():
        if len(paths) > 1:
            others = ", ".join(p.name for p in paths)
            problems += [
                Problem(
                    file=p, field="id", message=f"{kind} id '{entry_id}' is used more than once ({others})"
                )
                for p in paths
            ]
    return problems


def _template_limits(kb: KnowledgeBase) -> list[Problem]:
    limits = kb.limits()
    problems = []
    for t in kb.templates:
        m = t.message
        checks = [("text", m.full_text(), limits.get(str(m.channel)))]
        if m.title:
            checks.append(("title", m.title, limits.get("status_page_title")))
        for field, text, limit in checks:
            if limit and len(text) > limit:
                problems.append(
                    Problem(
                        file=t.source,
                        field=f"{t.id}.{field}",
                        message=f"is {len(text)} characters with every optional part; "
                        f"the {m.channel} limit is {limit}. Shorten it.",
                    )
                )
    return problems


def parse_entry(kind: KnowledgeKind, text: str, path: Path, root: Path) -> tuple[Any, list[Problem]]:
    """One knowledge file's text, parsed exactly as `load_knowledge` parses it: the entry (a Guideline,
    an Incident or a list of Templates) and no problems, or None and every problem found."""
    try:
        if kind == KnowledgeKind.GUIDELINES:
            return _guideline(path, root, text), []
        if kind == KnowledgeKind.INCIDENTS:
            return _incident(path, text), []
        return _templates(path, text), []
    except FileProblem as exc:
        return None, [exc.problem]
    except _Invalid as exc:
        return None, exc.problems


def template_limit_problems(kb: KnowledgeBase) -> list[Problem]:
    """Template messages longer than the channel limits the guidelines set."""
    return _template_limits(kb)
