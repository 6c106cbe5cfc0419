"""Editing the knowledge base, against a real Chroma store and real files: edits land as knowledge/
files under the data directory and in the store, invalid entries change nothing, deletions survive a
restart and a re-ingest, and only a lead may change anything, whatever page or command asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from draftdesk.adapters.embeddings import Embedder
from draftdesk.container import Container
from draftdesk.domain.drafts import IncidentFacts
from draftdesk.domain.enums import Channel, KnowledgeKind
from draftdesk.errors import InputError, PermissionDenied, RecordNotFound
from draftdesk.services.knowledge_admin import EntryInvalid
from draftdesk.services.knowledge_loader import load_knowledge
from draftdesk.services.retrieval import SearchRequest

from .conftest import LEE, SAM, make_settings

G = KnowledgeKind.GUIDELINES
NEW_GUIDELINE = """---
id: gift-wrap-promise
title: Gift wrapping promise
applies_to: [review_reply]
tags: [gift, wrapping]
---

# Gift wrapping promise

## Torn or missing gift wrap

When a customer says the gift wrapping was torn or missing, we refund the gift wrap fee of 3.50 and
send a fresh ribbon pack with the next order. Say so plainly and thank them for telling us.
"""


def _open(data: Path, kb: Path, embedder: Embedder) -> Container:
    c = Container(make_settings(data, knowledge_dir=kb))
    c.embedder = embedder  # type: ignore[misc]
    c.ensure_knowledge()
    return c


@pytest.fixture
def kc(tmp_path: Path, small_kb: Path, embedder: Embedder) -> Iterator[Container]:
    c = _open(tmp_path / "data", small_kb, embedder)
    yield c
    c.close()


def _search(c: Container, query: str, kind: KnowledgeKind = G, k: int = 3) -> list[str]:
    return [h.id for h in c.retrieval.search(SearchRequest(query=query, kinds=[kind], k=k))]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_an_invalid_entry_reports_each_field_and_changes_nothing(kc: Container) -> None:
    admin = kc.knowledge_admin
    overlay = kc.settings.filed_knowledge_dir
    before = kc.knowledge_size()
    broken = NEW_GUIDELINE.replace("title: Gift wrapping promise\n", "").replace(
        "applies_to: [review_reply]", "applies_to: [carrier_pigeon]"
    )
    problems = admin.validate(G, broken)
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {"title", "applies_to.0"}
    assert "required" in by_field["title"].message
    assert "carrier_pigeon" in by_field["applies_to.0"].message
    assert by_field["applies_to.0"].line == 3  # the line in the file as the user typed it

    with pytest.raises(EntryInvalid) as caught:
        admin.save(G, broken, LEE)
    assert {p.field for p in caught.value.problems} == {"title", "applies_to.0"}
    assert "nothing was saved" in caught.value.message
    assert not (overlay / "guidelines").exists()
    assert kc.knowledge_size() == before
    assert "gift-wrap-promise" not in _search(kc, "gift wrapping was torn")

    # A YAML syntax error is reported with its line.
    incident = admin.read(KnowledgeKind.INCIDENTS, "INC-2024-007").text
    problems = admin.validate(
        KnowledgeKind.INCIDENTS, incident.replace("severity: major", "severity: [major")
    )
    assert len(problems) == 1 and problems[0].line is not None and "not valid YAML" in problems[0].message
    # A guideline without front matter would lose its id: it is refused, not imported with defaults.
    assert admin.validate(G, "# Just a heading\n\nSome text that is long enough to be a section.\n")


def test_a_new_guideline_is_a_knowledge_file_and_is_found_by_search(kc: Container) -> None:
    saved = kc.knowledge_admin.save(G, NEW_GUIDELINE, LEE)
    path = kc.settings.filed_knowledge_dir / "guidelines" / "gift-wrap-promise.md"
    assert saved.created and Path(saved.path) == path
    assert path.read_text("utf-8") == NEW_GUIDELINE
    # The file is in the knowledge format: the loader of any knowledge directory reads it.
    (reloaded,) = load_knowledge(kc.settings.filed_knowledge_dir).kb.guidelines
    assert reloaded.meta.title == "Gift wrapping promise"
    assert _search(kc, "the gift wrapping was torn")[0] == "gift-wrap-promise"
    assert "gift-wrap-promise" in {g.meta.id for g in kc.knowledge.guidelines}
    entry = next(e for e in kc.knowledge_admin.entries(G) if e.id == "gift-wrap-promise")
    assert entry.origin == "added here"


def test_editing_a_company_entry_writes_the_overlay_and_leaves_the_company_dir_alone(
    kc: Container, small_kb: Path
) -> None:
    company = _snapshot(small_kb)
    admin = kc.knowledge_admin
    entry = admin.read(G, "compensation-policy")
    assert entry.origin == "company" and "Compensation policy" in entry.view
    edited = entry.text.replace("title: Compensation policy", "title: Compensation policy (2026)") + (
        "\n## Broken umbrellas\n\nEvery broken umbrella gets a free replacement umbrella in any colour.\n"
    )
    embedder_calls = kc.ingest().chunks_embedded
    assert embedder_calls == 0  # idempotent: nothing changed yet
    saved = admin.save(G, edited, LEE)
    assert saved.created  # a new file in the overlay
    assert saved.ingest.updated == 1 and saved.ingest.added == 0  # only this entry was re-embedded
    assert _snapshot(small_kb) == company
    assert (kc.settings.filed_knowledge_dir / "guidelines" / "compensation-policy.md").read_text() == edited
    hits = kc.retrieval.search(SearchRequest(query="broken umbrella replacement", kinds=[G], k=1))
    assert hits[0].id == "compensation-policy" and "umbrella" in hits[0].text
    assert admin.read(G, "compensation-policy").origin == "edited here"
    # The drafting services use the edit at once: the policy cited with every reply has the new title.
    assert "Compensation policy (2026)" in {s.title for s in kc.drafting.policy_sources}
    assert [e.id for e in admin.entries(G)].count("compensation-policy") == 1


def test_an_edited_template_is_used_by_the_next_template_draft(kc: Container) -> None:
    admin = kc.knowledge_admin
    text = admin.read(KnowledgeKind.TEMPLATES, "checkout_failure").text
    edited = text.replace(
        "{store_name}: Some payments are failing at checkout. Your cart is saved.",
        "{store_name}: Card payments are paused. Your basket is kept safe.",
    )
    assert edited != text
    admin.save(KnowledgeKind.TEMPLATES, edited, LEE)
    facts = IncidentFacts.model_validate(
        {
            "type": "checkout_failure",
            "stage": "investigating",
            "title": "Payments",
            "summary": "Card payments fail at checkout.",
            "affected": "customers paying by card",
            "actions": "We are working with our payment provider.",
            "channels": ["sms"],
        }
    )
    pack = kc.incidents.draft(facts)
    assert "Your basket is kept safe" in pack.draft(Channel.SMS).text


def test_a_deleted_entry_stays_deleted_after_a_restart_and_a_reingest(
    tmp_path: Path, small_kb: Path, embedder: Embedder
) -> None:
    first = _open(tmp_path / "data", small_kb, embedder)
    admin = first.knowledge_admin
    assert "channel-rules" in _search(first, "how long may an SMS be", k=3)
    admin.delete(G, "channel-rules", LEE)
    admin.save(G, NEW_GUIDELINE, LEE)
    admin.delete(G, "gift-wrap-promise", LEE)  # only in the overlay: its file goes
    assert (small_kb / "guidelines" / "channel-rules.md").is_file()  # the company's file is kept
    assert not (tmp_path / "data" / "knowledge" / "guidelines" / "gift-wrap-promise.md").exists()
    assert "channel-rules" not in _search(first, "how long may an SMS be", k=5)
    assert "channel-rules" not in {g.meta.id for g in first.knowledge.guidelines}
    with pytest.raises(RecordNotFound):
        admin.read(G, "channel-rules")
    first.close()

    second = _open(tmp_path / "data", small_kb, embedder)
    assert "channel-rules" not in {g.meta.id for g in second.knowledge.guidelines}
    second.ingest(rebuild=True)
    ids = _search(second, "how long may an SMS be", k=5)
    assert "channel-rules" not in ids and "gift-wrap-promise" not in ids
    assert "channel-rules" not in [e.id for e in second.knowledge_admin.entries(G)]
    # Saving it again brings it back.
    text = (small_kb / "guidelines" / "channel-rules.md").read_text("utf-8")
    second.knowledge_admin.save(G, text, LEE)
    assert "channel-rules" in _search(second, "how long may an SMS be", k=5)
    second.close()


def test_an_agent_is_refused_by_the_service_and_a_lead_is_not(kc: Container) -> None:
    admin = kc.knowledge_admin
    overlay = kc.settings.filed_knowledge_dir
    before = kc.knowledge_size()
    with pytest.raises(PermissionDenied, match="only a comms lead"):
        admin.save(G, NEW_GUIDELINE, SAM)
    with pytest.raises(PermissionDenied):
        admin.upload(G, "gift.md", NEW_GUIDELINE.encode(), SAM)
    with pytest.raises(PermissionDenied):
        admin.delete(G, "voice-and-tone", SAM)
    with pytest.raises(PermissionDenied):
        admin.reindex(SAM)
    assert not overlay.exists() or not any(p.is_file() for p in overlay.rglob("*"))
    assert kc.knowledge_size() == before
    # Reading is open to everyone.
    assert admin.read(G, "voice-and-tone").text.startswith("---")

    seen: list[tuple[int, int]] = []
    summary = admin.reindex(LEE, lambda done, total: seen.append((done, total)))
    assert summary.chunks_embedded == 0 and seen  # the progress callback was called
    admin.delete(G, "voice-and-tone", LEE)
    assert "voice-and-tone" not in [e.id for e in admin.entries(G)]


def test_an_upload_must_be_utf8_text_of_the_right_kind(kc: Container) -> None:
    admin = kc.knowledge_admin
    pounds = NEW_GUIDELINE.replace("3.50", "£3.50")
    line = 1 + pounds[: pounds.index("£")].count("\n")
    with pytest.raises(InputError, match="not UTF-8") as caught:
        admin.upload(G, "gift.md", pounds.encode("latin-1"), LEE)
    assert f"line {line}" in caught.value.message and caught.value.hint and "UTF-8" in caught.value.hint
    with pytest.raises(InputError, match="expected"):
        admin.upload(G, "gift.yaml", NEW_GUIDELINE.encode(), LEE)
    assert not (kc.settings.filed_knowledge_dir / "guidelines").exists()

    saved = admin.upload(G, "gift.md", pounds.encode("utf-8"), LEE)
    assert saved.id == "gift-wrap-promise"
    assert "£3.50" in admin.read(G, "gift-wrap-promise").text
