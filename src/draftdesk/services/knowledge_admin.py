"""The knowledge base as a lead edits it: list, read, validate, save, upload, delete and re-index entries.

Edits land as files in the knowledge/ format under the data directory (the overlay, see
knowledge_overlay), never in the company's own directory, and then in the store. Every change is
refused unless the user is a lead: the rule lives here, where every entry point passes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from draftdesk.domain.enums import KnowledgeKind
from draftdesk.domain.knowledge import Guideline, Incident, KnowledgeBase, Template
from draftdesk.domain.problems import Problem
from draftdesk.domain.users import Role, User
from draftdesk.errors import InputError, RecordNotFound
from draftdesk.services.ingestion import IngestSummary, Progress
from draftdesk.services.knowledge_loader import load_knowledge, parse_entry, template_limit_problems
from draftdesk.services.knowledge_overlay import (
    FOLDERS,
    TOMBSTONES,
    Deleted,
    entry_ids,
    load_overlay,
    merge,
    write_atomic,
    write_deleted,
)
from draftdesk.services.text_files import FRONT_MATTER_RE
from draftdesk.services.users import require

MAX_ENTRY_BYTES = 256 * 1024
ACTION = "edit the knowledge base"
Origin = Literal["company", "bundled", "edited here", "added here"]
Ingest = Callable[[Progress | None, bool], IngestSummary]


class EntrySummary(BaseModel):
    kind: KnowledgeKind
    id: str
    title: str
    origin: Origin
    path: str

    @property
    def label(self) -> str:
        return f"{self.id} · {self.title} ({self.origin})"


class EntryText(EntrySummary):
    text: str  # the file as stored: what the editor shows
    language: Literal["markdown", "yaml"]
    view: str  # Markdown for reading


class FieldProblem(BaseModel):
    field: str | None = None
    line: int | None = None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else ""
        field = f"{self.field}" if self.field else ""
        prefix = ", ".join(p for p in (field, where) if p)
        return f"{prefix}: {self.message}" if prefix else self.message


class SavedEntry(BaseModel):
    kind: KnowledgeKind
    id: str
    path: str
    created: bool  # a new file in the overlay (rather than a replaced one)
    ingest: IngestSummary


class EntryInvalid(InputError):
    """The entry's text does not fit the knowledge format; `problems` lists every one, per field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        n = len(problems)
        super().__init__(
            f"The entry has {n} problem{'s' if n != 1 else ''}; nothing was saved.",
            "Fix the fields listed next to the editor and save again.",
        )


class KnowledgeAdmin:
    def __init__(
        self, company: Path, overlay: Path, bundled: bool, ingest: Ingest, reload: Callable[[], None]
    ) -> None:
        self.company = company
        self.overlay = overlay
        self.bundled = bundled
        self._ingest = ingest
        self._reload = reload
        self._lock = threading.Lock()

    # --- reading ---------------------------------------------------------------------------------

    def entries(self, kind: KnowledgeKind | None = None) -> list[EntrySummary]:
        company, overlay, deleted = self._views()
        found = []
        for k in [kind] if kind else list(KnowledgeKind):
            own = entry_ids(company, k)
            mine = entry_ids(overlay, k)
            titles = _titles(company, k) | _titles(overlay, k)
            for entry_id, path in own.items():
                if entry_id not in mine and entry_id not in deleted[k]:
                    origin: Origin = "bundled" if self.bundled else "company"
                    found.append(self._summary(k, entry_id, titles[entry_id], origin, path))
            for entry_id, path in mine.items():
                origin = "edited here" if entry_id in own else "added here"
                found.append(self._summary(k, entry_id, titles[entry_id], origin, path))
        return sorted(found, key=lambda e: (list(KnowledgeKind).index(e.kind), e.id))

    def read(self, kind: KnowledgeKind, entry_id: str) -> EntryText:
        company, overlay, _ = self._views()
        summary = self._find(kind, entry_id)
        kb = overlay if summary.origin in ("edited here", "added here") else company
        path = Path(summary.path)
        text = path.read_text("utf-8-sig")
        if kind == KnowledgeKind.GUIDELINES:
            guideline = next(g for g in kb.guidelines if g.meta.id == entry_id)
            if guideline.imported_with_defaults:
                # A plain style guide: give it the front matter it was imported with, so it keeps its id.
                text = _with_front_matter(guideline)
            view = _guideline_view(guideline)
        elif kind == KnowledgeKind.INCIDENTS:
            view = _incident_view(next(i for i, _ in kb.incidents if i.id == entry_id))
        else:
            view = _templates_view(entry_id, [t for t in kb.templates if t.incident_type == entry_id])
        language: Literal["markdown", "yaml"] = "markdown" if kind == KnowledgeKind.GUIDELINES else "yaml"
        return EntryText(**summary.model_dump(), text=text, language=language, view=view)

    def validate(self, kind: KnowledgeKind, text: str) -> list[FieldProblem]:
        """Every problem in the entry, per field, as `load_knowledge` would find it; [] when it is valid."""
        return self._check(kind, text)[1]

    # --- writing (leads only) --------------------------------------------------------------------

    def save(
        self, kind: KnowledgeKind, text: str, user: User, progress: Progress | None = None
    ) -> SavedEntry:
        """Validate, write the overlay file, then update the store. Nothing is written if invalid."""
        require(user, Role.LEAD, ACTION)
        with self._lock:
            entry_id, problems = self._check(kind, text)
            if problems or entry_id is None:
                raise EntryInvalid(problems)
            _, overlay, deleted = self._views()
            existing = entry_ids(overlay, kind).get(entry_id)
            folder, _ = FOLDERS[kind]
            suffix = ".md" if kind == KnowledgeKind.GUIDELINES else ".yaml"
            path = existing or self.overlay / folder / f"{entry_id}{suffix}"
            with _Rollback(path, self.overlay / TOMBSTONES):
                write_atomic(path, text if text.endswith("\n") else text + "\n")
                if entry_id in deleted[kind]:
                    deleted[kind].discard(entry_id)  # saved again: no longer deleted
                    write_deleted(self.overlay, deleted)
                summary = self._apply(progress)
        return SavedEntry(kind=kind, id=entry_id, path=str(path), created=existing is None, ingest=summary)

    def decode_upload(self, kind: KnowledgeKind, filename: str, data: bytes) -> str:
        """An uploaded file's text, or a clear InputError (wrong type, too large, not UTF-8)."""
        name = Path(filename).name
        _, suffixes = FOLDERS[kind]
        if Path(name).suffix.lower() not in suffixes:
            raise InputError(
                f"{name} is not a {kind[:-1]} file: expected {' or '.join(sorted(suffixes))}.",
                "Choose the kind that matches the file, or upload another file.",
            )
        if len(data) > MAX_ENTRY_BYTES:
            raise InputError(
                f"{name} is {len(data) // 1024} KB; one knowledge entry may be at most "
                f"{MAX_ENTRY_BYTES // 1024} KB.",
                "Split it into several entries.",
            )
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(
                f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}).",
                "Save it as UTF-8 in your editor (e.g. 'Save with encoding → UTF-8') and upload it again.",
            ) from None

    def upload(
        self, kind: KnowledgeKind, filename: str, data: bytes, user: User, progress: Progress | None = None
    ) -> SavedEntry:
        require(user, Role.LEAD, ACTION)
        return self.save(kind, self.decode_upload(kind, filename, data), user, progress)

    def delete(
        self, kind: KnowledgeKind, entry_id: str, user: User, progress: Progress | None = None
    ) -> IngestSummary:
        """Remove an entry from the merged view and the store. A company entry is recorded as deleted
        (its own file is never touched), so it stays deleted across re-ingests and restarts."""
        require(user, Role.LEAD, ACTION)
        with self._lock:
            company, overlay, deleted = self._views()
            self._find(kind, entry_id)  # RecordNotFound for an unknown or already deleted entry
            mine = entry_ids(overlay, kind).get(entry_id)
            with _Rollback(*[p for p in (mine, self.overlay / TOMBSTONES) if p is not None]):
                if mine is not None:
                    mine.unlink()
                if entry_id in entry_ids(company, kind):
                    deleted[kind].add(entry_id)
                    write_deleted(self.overlay, deleted)
                return self._apply(progress)

    def reindex(self, user: User, progress: Progress | None = None, rebuild: bool = False) -> IngestSummary:
        """Bring the store in line with the files (the company's and the app's); only changes are embedded."""
        require(user, Role.LEAD, "re-index the knowledge base")
        with self._lock:
            return self._apply(progress, rebuild)

    # --- internals -------------------------------------------------------------------------------

    def _apply(self, progress: Progress | None, rebuild: bool = False) -> IngestSummary:
        summary = self._ingest(progress, rebuild)
        self._reload()
        return summary

    def _views(self) -> tuple[KnowledgeBase, KnowledgeBase, Deleted]:
        company = load_knowledge(self.company).kb
        overlay, deleted = load_overlay(self.overlay)
        return company, overlay, deleted

    def _summary(
        self, kind: KnowledgeKind, entry_id: str, title: str, origin: Origin, path: Path
    ) -> EntrySummary:
        return EntrySummary(kind=kind, id=entry_id, title=title, origin=origin, path=str(path))

    def _find(self, kind: KnowledgeKind, entry_id: str) -> EntrySummary:
        found = next((e for e in self.entries(kind) if e.id == entry_id), None)
        if found is None:
            raise RecordNotFound(
                f"There is no {kind[:-1]} {entry_id!r} in the knowledge base.",
                "Pick one from the list of entries.",
            )
        return found

    def _check(self, kind: KnowledgeKind, text: str) -> tuple[str | None, list[FieldProblem]]:
        """The entry's id and its problems: the file's own, then those of the whole knowledge base
        with it in place (a guideline's new limit that a template now exceeds)."""
        if len(text.encode("utf-8")) > MAX_ENTRY_BYTES:
            return None, [FieldProblem(message=f"is longer than {MAX_ENTRY_BYTES // 1024} KB")]
        if not text.strip():
            return None, [FieldProblem(message="is empty")]
        folder, _ = FOLDERS[kind]
        suffix = ".md" if kind == KnowledgeKind.GUIDELINES else ".yaml"
        candidate = self.overlay / folder / f"entry{suffix}"
        if kind == KnowledgeKind.GUIDELINES and not _has_our_front_matter(text):
            return None, [
                FieldProblem(
                    field="front matter",
                    line=1,
                    message="a guideline starts with front matter between '---' lines, with at least "
                    "id, title and applies_to (see docs/knowledge-format.md)",
                )
            ]
        parsed, problems = parse_entry(kind, text, candidate, self.overlay)
        if problems:
            return None, [_field_problem(p, candidate) for p in problems]
        entry_id, extra = _as_overlay(kind, parsed, self.overlay)
        company, overlay, deleted = self._views()
        # The entry replaces its namesake wherever it is; its id is no longer deleted once saved.
        deleted[kind].discard(entry_id)
        merged = merge(merge(company, overlay, deleted), extra, {k: set() for k in KnowledgeKind})
        limit_problems = [_field_problem(p, candidate) for p in template_limit_problems(merged)]
        return entry_id, limit_problems


class _Rollback:
    """Puts files back as they were if the block fails (the store could not be updated, say), so the
    files and the store never disagree."""

    def __init__(self, *paths: Path) -> None:
        self.saved = {p: p.read_bytes() if p.is_file() else None for p in paths}

    def __enter__(self) -> _Rollback:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            return
        for path, data in self.saved.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)


def _has_our_front_matter(text: str) -> bool:
    match = FRONT_MATTER_RE.match(text.lstrip("\ufeff"))
    if not match:
        return False
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return True  # the loader reports the syntax error with its line
    return isinstance(front, dict) and ("id" in front or "applies_to" in front)


def _as_overlay(kind: KnowledgeKind, parsed: Any, root: Path) -> tuple[str, KnowledgeBase]:
    extra = KnowledgeBase(root=root)
    if kind == KnowledgeKind.GUIDELINES:
        extra.guidelines.append(parsed)
        return parsed.meta.id, extra
    if kind == KnowledgeKind.INCIDENTS:
        extra.incidents.append((parsed, root))
        return str(parsed.id), extra
    extra.templates.extend(parsed)
    return parsed[0].incident_type, extra


def _field_problem(problem: Problem, candidate: Path) -> FieldProblem:
    message = problem.message
    if problem.file != candidate:
        message = f"{message} (in {problem.file.name})"
        return FieldProblem(field=problem.field, message=message)
    return FieldProblem(field=problem.field, line=problem.line, message=message)


def _titles(kb: KnowledgeBase, kind: KnowledgeKind) -> dict[str, str]:
    if kind == KnowledgeKind.GUIDELINES:
        return {g.meta.id: g.meta.title for g in kb.guidelines}
    if kind == KnowledgeKind.INCIDENTS:
        return {i.id: i.title for i, _ in kb.incidents}
    counts: dict[str, int] = {}
    for t in kb.templates:
        counts[t.incident_type] = counts.get(t.incident_type, 0) + 1
    return {k: f"{k.replace('_', ' ')} templates ({n} messages)" for k, n in counts.items()}


def _with_front_matter(g: Guideline) -> str:
    front = g.meta.model_dump(mode="json", exclude_defaults=True)
    front = {"id": g.meta.id, "title": g.meta.title, **front}
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{dumped}---\n\n{g.body.lstrip()}"


def _guideline_view(g: Guideline) -> str:
    m = g.meta
    about = f"Applies to: {', '.join(m.applies_to)}"
    if m.channels:
        about += f" · channels: {', '.join(m.channels)}"
    if m.tags:
        about += f" · tags: {', '.join(m.tags)}"
    return f"### {m.title}\n\n*{about}*\n\n{g.body.strip()}"


def _incident_view(i: Incident) -> str:
    ended = f" → {i.ended_at:%Y-%m-%d %H:%M}" if i.ended_at else " (ongoing)"
    parts = [
        f"### {i.id} · {i.title}",
        f"*{i.type} · {i.severity} · {i.started_at:%Y-%m-%d %H:%M}{ended}*",
        f"**Customer impact.** {i.customer_impact}",
        f"**Cause (for customers).** {i.customer_cause}",
        f"**Root cause.** {i.root_cause}",
    ]
    for label, value in (
        ("Workaround", i.workaround),
        ("Resolution", i.resolution),
        ("Compensation", i.compensation),
    ):
        if value:
            parts.append(f"**{label}.** {value}")
    parts.append(
        "**Timeline**\n\n"
        + "\n".join(f"- {u.at:%Y-%m-%d %H:%M} · {u.stage} · {u.channel}: {u.text}" for u in i.timeline)
    )
    if i.lessons:
        parts.append("**Lessons**\n\n" + "\n".join(f"- {lesson}" for lesson in i.lessons))
    return "\n\n".join(parts)


def _templates_view(incident_type: str, templates: list[Template]) -> str:
    parts = [f"### Templates for {incident_type}"]
    for t in templates:
        m = t.message
        title = f" — *{m.title}*" if m.title else ""
        parts.append(f"**{m.stage} · {m.channel}**{title}\n\n> {m.text}")
    return "\n\n".join(parts)
