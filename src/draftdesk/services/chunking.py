"""Turn knowledge entries into store records: guidelines by section, an incident as one story."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel

from draftdesk.domain.enums import AppliesTo, Channel, KnowledgeKind, Stage
from draftdesk.domain.knowledge import Guideline, Incident, KnowledgeBase, Template

MAX_SECTION_CHARS = 1800
Metadata = dict[str, str | int | float | bool]


class Chunk(BaseModel):
    """One record in a Chroma collection. `id` is a content hash: same content, same id."""

    kind: KnowledgeKind
    doc_id: str
    title: str
    document: str  # what a reader sees in full
    embed_text: str  # what the vector represents
    metadata: Metadata

    @property
    def id(self) -> str:
        payload = json.dumps(
            [self.kind, self.doc_id, self.document, self.embed_text, self.metadata], sort_keys=True
        )
        return f"{self.doc_id}:{hashlib.sha256(payload.encode()).hexdigest()[:20]}"


def chunk_knowledge(kb: KnowledgeBase) -> dict[KnowledgeKind, list[Chunk]]:
    return {
        KnowledgeKind.GUIDELINES: [c for g in kb.guidelines for c in guideline_chunks(g, kb.root)],
        KnowledgeKind.INCIDENTS: [incident_chunk(i, p, kb.root) for i, p in kb.incidents],
        KnowledgeKind.TEMPLATES: template_chunks(kb.templates, kb.root),
    }


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _flags(prefix: str, chosen: list[str], every: list[str]) -> Metadata:
    """Chroma metadata holds scalars only, so a list becomes one boolean per possible value."""
    return {f"{prefix}_{value}": value in chosen for value in every}


def split_sections(body: str) -> list[tuple[str, str]]:
    """(heading, text) per `##` section; files without `##` split at their top headings."""
    level = next((n for n in (2, 1, 3) if re.search(rf"^{'#' * n}\s+\S", body, re.M)), None)
    if level is None:
        parts = [("", body)]
    else:
        pieces = re.split(rf"^{'#' * level}\s+(.+?)\s*#*\s*$", body, flags=re.M)
        parts = [("", pieces[0])] + list(zip(pieces[1::2], pieces[2::2], strict=True))
    sections = []
    for heading, text in parts:
        text = text.strip()
        if len(text) < 40 and not heading:
            continue  # a blank or one-line preamble is not worth a vector
        sections += [(heading.strip(), piece) for piece in _paragraph_groups(text)]
    return sections


def _paragraph_groups(text: str) -> list[str]:
    groups: list[str] = []
    current = ""
    for para in re.split(r"\n\s*\n", text):
        if current and len(current) + len(para) > MAX_SECTION_CHARS:
            groups.append(current)
            current = ""
        current = f"{current}\n\n{para}".strip()
    if current:
        groups.append(current)
    return groups or [text]


def guideline_chunks(g: Guideline, root: Path) -> list[Chunk]:
    meta = g.meta
    channels = [str(c) for c in (meta.channels or list(Channel))]
    common: Metadata = {
        "doc_id": meta.id,
        "title": meta.title,
        "source": _rel(g.source, root),
        "tags": ",".join(meta.tags),
        **_flags("applies", [str(a) for a in meta.applies_to], [str(a) for a in AppliesTo]),
        **_flags("channel", channels, [str(c) for c in Channel]),
    }
    chunks = []
    for n, (heading, text) in enumerate(split_sections(g.body)):
        label = f"{meta.title} › {heading}" if heading else meta.title
        chunks.append(
            Chunk(
                kind=KnowledgeKind.GUIDELINES,
                doc_id=meta.id,
                title=label,
                document=f"{label}\n\n{text}",
                embed_text=f"{label}. {text}",
                metadata={**common, "section": heading, "position": n},
            )
        )
    return chunks


def incident_story(i: Incident) -> str:
    """The whole incident as a reader needs it: summary, then the updates as published."""
    lines = [
        f"{i.title} ({i.type}, {i.severity})",
        f"From {i.started_at.isoformat()} to {i.ended_at.isoformat() if i.ended_at else 'ongoing'}",
        f"Affected: {', '.join(i.affected_products + i.affected_regions + i.affected_channels) or 'n/a'}",
        f"Customer impact: {i.customer_impact}",
        f"What customers were told caused it: {i.customer_cause}",
        f"Internal root cause: {i.root_cause}",
    ]
    lines += [
        f"{label}: {value}"
        for label, value in (
            ("Workaround", i.workaround),
            ("Resolution", i.resolution),
            ("Compensation", i.compensation),
        )
        if value
    ]
    lines.append("Timeline as published:")
    lines += [f"- {u.at.isoformat()} [{u.stage} · {u.channel}] {u.text}" for u in i.timeline]
    if i.lessons:
        lines.append("Lessons: " + " ".join(i.lessons))
    return "\n".join(lines)


def incident_chunk(i: Incident, path: Path, root: Path) -> Chunk:
    type_words = str(i.type).replace("_", " ")
    # The vector is built from what agents search with; the root cause goes last because
    # a 256-token model truncates, and customer-facing facts matter most.
    embed = " ".join(
        filter(
            None,
            [
                f"{i.title}. {type_words}.",
                i.customer_impact,
                i.customer_cause,
                i.workaround,
                i.resolution,
                i.compensation,
                " ".join(i.lessons),
                i.root_cause,
            ],
        )
    )
    stages = sorted({str(u.stage) for u in i.timeline})
    channels = sorted({str(u.channel) for u in i.timeline})
    return Chunk(
        kind=KnowledgeKind.INCIDENTS,
        doc_id=i.id,
        title=i.title,
        document=incident_story(i),
        embed_text=embed,
        metadata={
            "doc_id": i.id,
            "title": i.title,
            "source": _rel(path, root),
            "type": str(i.type),
            "severity": str(i.severity),
            "started_at": i.started_at.isoformat(),
            "started_ts": int(i.started_at.timestamp()),
            "ended_ts": int(i.ended_at.timestamp()) if i.ended_at else 0,
            "regions": ",".join(i.affected_regions),
            "products": ",".join(i.affected_products),
            **_flags("stage", stages, [str(s) for s in Stage]),
            **_flags("channel", channels, [str(c) for c in Channel]),
        },
    )


# Agents ask for a stage by what is going on ("the fix is in but we're watching"), not by
# its status-page name, so each template vector also carries what the stage means.
STAGE_GLOSS = {
    "investigating": "first notice, something is wrong, we are looking into it, cause not known yet",
    "identified": "cause found and confirmed, fix under way",
    "monitoring": "fix in place and working again, watching it before calling it resolved",
    "resolved": "fixed and over, everything back to normal",
    "follow_up": "after the incident, what happened and what we changed",
}


def template_chunks(templates: list[Template], root: Path) -> list[Chunk]:
    """One record per incident type and stage, holding that stage's message for every channel.

    A comms lead drafts a whole pack per update, and one vector per stage (from its status-page
    message) keeps first-start ingestion fast; each message stays addressable by its own id.
    """
    groups: dict[tuple[str, str], list[Template]] = defaultdict(list)
    for t in templates:
        groups[(t.incident_type, str(t.message.stage))].append(t)
    chunks = []
    for (incident_type, stage), members in groups.items():
        members.sort(key=lambda t: list(Channel).index(t.message.channel))
        lead = members[0].message
        type_words = incident_type.replace("_", " ")
        title = lead.title or f"{type_words} · {stage}"
        parts = [
            f"[{t.message.channel}] {t.message.title + ' — ' if t.message.title else ''}{t.message.text}"
            for t in members
        ]
        chunks.append(
            Chunk(
                kind=KnowledgeKind.TEMPLATES,
                doc_id=f"{incident_type}.{stage}",
                title=title,
                document=f"{title}\n\n" + "\n\n".join(parts),
                embed_text=(
                    f"Wording to post for customers: {type_words} incident, {stage} update "
                    f"({STAGE_GLOSS[stage]}). {title}. {lead.full_text()}"
                ),
                metadata={
                    "doc_id": f"{incident_type}.{stage}",
                    "title": title,
                    "source": _rel(members[0].source, root),
                    "type": incident_type,
                    "stage": stage,
                    "message_ids": ",".join(t.id for t in members),
                    **_flags("channel", [str(t.message.channel) for t in members], [str(c) for c in Channel]),
                },
            )
        )
    return chunks
