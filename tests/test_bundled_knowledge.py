"""The sample a new user sees on first start covers what the playbook asks for."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from draftdesk.domain.enums import Channel, IncidentType, Stage
from draftdesk.services.knowledge_loader import load_knowledge
from draftdesk.services.review_io import read_reviews

from .conftest import BUNDLED

KB = load_knowledge(BUNDLED).kb


def test_guidelines_cover_the_required_topics() -> None:
    ids = {g.meta.id for g in KB.guidelines}
    assert len(ids) >= 8
    by_id = {g.meta.id: g.meta for g in KB.guidelines}
    limits = KB.limits()
    assert (
        limits["sms"],
        limits["social"],
        limits["banner"],
        limits["status_page_title"],
        limits["review.google_play"],
    ) == (160, 280, 120, 90, 350)
    families = Counter(p.family for m in by_id.values() for p in m.phrases)
    assert all(families[f] >= 5 for f in ("generic", "defensive", "jargon", "sugarcoat"))
    assert {a.approver for m in by_id.values() for a in m.allowances} >= {"agent", "lead", "legal"}
    cadence = next(m.cadence_minutes for m in by_id.values() if m.cadence_minutes)
    assert set(cadence) >= {Stage.INVESTIGATING, Stage.IDENTIFIED, Stage.MONITORING}


def test_incidents_cover_every_type() -> None:
    assert len(KB.incidents) >= 30
    types = Counter(i.type for i, _ in KB.incidents)
    assert set(types) == set(IncidentType)


def test_every_type_and_stage_has_a_template_for_the_short_channels() -> None:
    have = {(t.incident_type, t.message.stage, t.message.channel) for t in KB.templates}
    own_types = {t for t in IncidentType if all((str(t), s, Channel.STATUS_PAGE) in have for s in Stage)}
    assert len(own_types) >= 8
    for incident_type in IncidentType:
        for stage in Stage:
            for channel in (Channel.STATUS_PAGE, Channel.SMS, Channel.BANNER, Channel.SOCIAL):
                assert (str(incident_type), stage, channel) in have or ("generic", stage, channel) in have


def test_sample_reviews_hold_a_wave_fakes_languages_and_injections() -> None:
    batch = read_reviews(BUNDLED / "samples" / "reviews.csv")
    assert batch.problems == [] and len(batch.reviews) >= 150
    languages = Counter(r.language for r in batch.reviews)
    assert sum(1 for lang, n in languages.items() if lang != "en" and n >= 3) >= 3
    low = [r for r in batch.reviews if r.rating <= 2]
    by_product = Counter(r.product for r in low)
    product, _ = by_product.most_common(1)[0]
    dates = sorted(r.created_at for r in low if r.product == product)
    # at least 30 negative reviews of one product inside one week: a wave
    assert any(sum(1 for d in dates if start <= d <= start + timedelta(days=7)) >= 30 for start in dates)
    texts = [r.text.lower() for r in batch.reviews]
    assert sum("instructions" in t or "system:" in t for t in texts) >= 2
