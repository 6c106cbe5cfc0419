"""The knowledge the app itself writes (entries edited, added or deleted in the Knowledge screen, and
resolved incidents), kept under the data directory in the knowledge/ layout, over the company's own
directory, which is never written.

An overlay entry replaces the company entry with the same id (a guideline's `id`, an incident's `id`,
a template file's `incident_type`); `deleted.yaml` lists the company entries deleted here. Ingestion
and the drafting services read the one merged view that `load_merged` returns.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from draftdesk.domain.enums import KnowledgeKind
from draftdesk.domain.knowledge import KnowledgeBase
from draftdesk.domain.problems import Problem
from draftdesk.errors import ValidationFailed
from draftdesk.services.knowledge_loader import MARKDOWN, YAML, LoadResult, load_knowledge

TOMBSTONES = "deleted.yaml"
FOLDERS = {
    KnowledgeKind.GUIDELINES: ("guidelines", MARKDOWN),
    KnowledgeKind.INCIDENTS: ("incidents", YAML),
    KnowledgeKind.TEMPLATES: ("templates", YAML),
}
Deleted = dict[KnowledgeKind, set[str]]


def entry_ids(kb: KnowledgeBase, kind: KnowledgeKind) -> dict[str, Path]:
    """Each entry's id → the file it comes from. A template file's id is its incident type."""
    if kind == KnowledgeKind.GUIDELINES:
        return {g.meta.id: g.source for g in kb.guidelines}
    if kind == KnowledgeKind.INCIDENTS:
        return {i.id: path for i, path in kb.incidents}
    found: dict[str, Path] = {}
    for t in kb.templates:
        found.setdefault(t.incident_type, t.source)
    return found


def read_deleted(root: Path) -> Deleted:
    path = root / TOMBSTONES
    deleted: Deleted = {kind: set() for kind in KnowledgeKind}
    if not path.is_file():
        return deleted
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationFailed([Problem(file=path, message=f"cannot be read: {exc}")]) from exc
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(file=path, message="must map a kind to a list of ids")])
    for kind in KnowledgeKind:
        deleted[kind] = {str(v) for v in data.get(str(kind)) or []}
    return deleted


def write_deleted(root: Path, deleted: Deleted) -> None:
    data = {str(kind): sorted(ids) for kind, ids in deleted.items() if ids}
    path = root / TOMBSTONES
    if not data:
        path.unlink(missing_ok=True)
        return
    root.mkdir(parents=True, exist_ok=True)
    header = "# Entries of the company's knowledge directory deleted in draftdesk; kept out of the store.\n"
    write_atomic(path, header + yaml.safe_dump(data, sort_keys=True, allow_unicode=True))


def write_atomic(path: Path, text: str) -> None:
    """A reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, "utf-8")
    partial.replace(path)


def load_overlay(root: Path | None) -> tuple[KnowledgeBase, Deleted]:
    """The entries written by the app and the ids deleted in it; empty when there are none."""
    empty = {kind: set[str]() for kind in KnowledgeKind}
    if root is None or not root.is_dir():
        return KnowledgeBase(root=root or Path()), empty
    deleted = read_deleted(root)
    has_files = any(
        p.is_file() and p.suffix.lower() in suffixes
        for folder, suffixes in FOLDERS.values()
        if (root / folder).is_dir()
        for p in (root / folder).rglob("*")
    )
    if not has_files:
        return KnowledgeBase(root=root), deleted
    return load_knowledge(root).kb, deleted


def merge(base: KnowledgeBase, overlay: KnowledgeBase, deleted: Deleted) -> KnowledgeBase:
    """`base` with every overlay entry in place of the base entry with its id, less the deleted ones."""

    def gone(kind: KnowledgeKind) -> set[str]:
        return deleted.get(kind, set()) | set(entry_ids(overlay, kind))

    guidelines = [g for g in base.guidelines if g.meta.id not in gone(KnowledgeKind.GUIDELINES)]
    incidents = [(i, p) for i, p in base.incidents if i.id not in gone(KnowledgeKind.INCIDENTS)]
    templates = [t for t in base.templates if t.incident_type not in gone(KnowledgeKind.TEMPLATES)]
    return KnowledgeBase(
        root=base.root,
        guidelines=guidelines + overlay.guidelines,
        incidents=incidents + overlay.incidents,
        templates=templates + overlay.templates,
        replies=dict(base.replies),
    )


def load_merged(company: Path, overlay: Path | None) -> LoadResult:
    """The company's knowledge directory with the app's overlay applied: what the store mirrors and
    what the drafting services use. Raises ValidationFailed before anything is changed."""
    loaded = load_knowledge(company)
    extra, deleted = load_overlay(overlay)
    return LoadResult(kb=merge(loaded.kb, extra, deleted), notices=loaded.notices)


def skeleton(kind: KnowledgeKind) -> str:
    """A new entry's starting text: valid once its placeholders are filled in."""
    return _SKELETONS[kind]


_SKELETONS: dict[KnowledgeKind, str] = {
    KnowledgeKind.GUIDELINES: """---
id: new-guideline
title: New guideline
applies_to: [review_reply]
channels: []
tags: []
---

# New guideline

## When it applies

Write the guidance here: what to do, what to avoid, and why.
""",
    KnowledgeKind.INCIDENTS: """id: INC-2026-100
type: site_outage
title: Describe the incident in a few words
severity: major
started_at: 2026-01-01T09:00:00+00:00
ended_at: 2026-01-01T11:00:00+00:00
customer_impact: What customers saw.
customer_cause: The cause in words a customer understands.
root_cause: The technical cause.
resolution: How it was fixed.
timeline:
  - stage: investigating
    channel: status_page
    at: 2026-01-01T09:10:00+00:00
    text: We are looking into a problem with the website.
lessons: []
""",
    KnowledgeKind.TEMPLATES: """incident_type: site_outage
title: Site outage
messages:
  - stage: investigating
    channel: status_page
    title: "We're looking into a problem at {store_name}"
    text: >-
      Some customers cannot reach {store_name}[[ since {started_at}]]. We'll share more by
      {next_update_at}.
""",
}
