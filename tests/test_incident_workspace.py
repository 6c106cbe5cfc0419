"""The comms lead's incident, against a real SQLite file and a real Chroma store: facts kept across a
restart, a timeline of what was published, the cadence of updates, and a resolved incident filed
into the knowledge base where the next incident's drafts find it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from draftdesk.adapters.embeddings import Embedder
from draftdesk.container import Container
from draftdesk.domain.drafts import IncidentFacts
from draftdesk.domain.enums import Channel, IncidentType, KnowledgeKind, Severity, Stage
from draftdesk.domain.incident_records import NewIncident, Resolution
from draftdesk.errors import InputError
from draftdesk.services.knowledge_loader import load_knowledge

from .conftest import BUNDLED, LEE, make_settings

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _workspace(data: Path, kb: Path, embedder: Embedder) -> Container:
    # The playbook holds the update cadence per stage.
    shutil.copy(BUNDLED / "guidelines" / "incident-playbook.md", kb / "guidelines")
    c = Container(make_settings(data, knowledge_dir=kb))
    c.embedder = embedder  # type: ignore[misc]
    c.ensure_knowledge()
    return c


def _facts(stage: Stage = Stage.INVESTIGATING, type: str = "site_outage", **more: object) -> IncidentFacts:
    return IncidentFacts.model_validate(
        {
            "type": type,
            "stage": stage,
            "title": "Website not loading",
            "summary": "The website shows an error page instead of the shop.",
            "affected": "everyone visiting the website; the app still works",
            "actions": "We are working to bring the website back.",
            "workaround": "You can still order in the app.",
            "channels": ["status_page", "sms", "banner"],
            **more,
        }
    )


def test_facts_survive_a_restart_and_published_updates_form_the_timeline(
    embedder: Embedder, small_kb: Path, tmp_path: Path
) -> None:
    first = _workspace(tmp_path / "data", small_kb, embedder)
    ws = first.incident_workspace
    incident = ws.open(
        NewIncident(type=IncidentType.SITE_OUTAGE, severity=Severity.CRITICAL, title="Site down"), T0
    )
    ws.save_facts(incident.id, {"stage": "investigating", "summary": "half typed"})
    first.close()

    second = _workspace(tmp_path / "data", small_kb, embedder)
    ws = second.incident_workspace
    assert [i.id for i in ws.incidents()] == [incident.id]
    assert ws.get(incident.id).facts["summary"] == "half typed"

    request_id, pack = ws.draft(incident.id, _facts())
    assert [d.channel for d in pack.drafts] == [Channel.STATUS_PAGE, Channel.SMS, Channel.BANNER]
    assert all(d.limit is None or len(d.text) <= d.limit for d in pack.drafts)
    sms = pack.draft(Channel.SMS).text
    ws.approve(request_id, "status_page", pack.draft(Channel.STATUS_PAGE).text, LEE)
    ws.approve(request_id, "sms", sms, LEE)

    with pytest.raises(InputError, match="160"):
        ws.approve(request_id, "sms", sms + " We are sorry." * 20, LEE)  # SMS cannot carry it
    timeline = ws.get(incident.id).timeline
    assert [(u.channel, u.stage, u.approved_by) for u in timeline] == [
        ("status_page", Stage.INVESTIGATING, "lee"),
        ("sms", Stage.INVESTIGATING, "lee"),
    ]
    assert timeline[1].text == sms
    assert ws.get(incident.id).last_request_id == request_id
    second.close()


def test_the_next_update_follows_the_promise_else_the_playbook_cadence(
    embedder: Embedder, small_kb: Path, tmp_path: Path
) -> None:
    c = _workspace(tmp_path / "data", small_kb, embedder)
    ws = c.incident_workspace
    incident = ws.open(
        NewIncident(type=IncidentType.CHECKOUT_FAILURE, severity=Severity.MAJOR, title="Site down"), T0
    )
    # Nothing published yet: the first notice is due at once.
    due = ws.next_update(incident.id, T0 + timedelta(minutes=1))
    assert due is not None and due.holding_offered

    request_id, pack = ws.draft(incident.id, _facts(type="checkout_failure"))
    ws.approve(request_id, "status_page", pack.draft(Channel.STATUS_PAGE).text, LEE)
    published = ws.get(incident.id).timeline[-1].at
    cadence = c.knowledge.cadence(Stage.INVESTIGATING)
    assert cadence is not None
    lo, hi = cadence
    due = ws.next_update(incident.id, published + timedelta(minutes=1))
    assert due is not None
    assert (due.due_at - published, due.latest_at - published) == (
        timedelta(minutes=lo),
        timedelta(minutes=hi),
    )
    assert not due.holding_offered and not due.overdue
    later = ws.next_update(incident.id, published + timedelta(minutes=hi + 1))
    assert later is not None and later.holding_offered and later.overdue

    # The small knowledge base has templates for checkout failures, whose status page gives the time.
    # A holding update promises the next one a cadence from now, at the same stage.
    now = published + timedelta(minutes=lo + 2)
    holding = ws.holding_facts(incident.id, now)
    assert holding.stage == Stage.INVESTIGATING
    assert holding.next_update_at == f"{now + timedelta(minutes=lo):%H:%M} UTC"
    request_id, pack = ws.draft(incident.id, holding)
    assert holding.next_update_at in pack.draft(Channel.STATUS_PAGE).text
    ws.approve(request_id, "status_page", pack.draft(Channel.STATUS_PAGE).text, LEE)
    # Once an update promised a time, that promise is what is due.
    due = ws.next_update(incident.id, now)
    assert due is not None and f"{due.due_at:%H:%M} UTC" == holding.next_update_at
    c.close()


def test_a_resolved_incident_is_filed_and_the_next_incident_of_its_type_cites_it(
    embedder: Embedder, small_kb: Path, tmp_path: Path
) -> None:
    c = _workspace(tmp_path / "data", small_kb, embedder)
    ws = c.incident_workspace
    before = c.incidents.draft(_facts())
    assert not [
        s for s in before.draft(Channel.STATUS_PAGE).sources if s.collection == "incidents"
    ]  # no past site outage yet

    incident = ws.open(
        NewIncident(type=IncidentType.SITE_OUTAGE, severity=Severity.CRITICAL, title="Website down at lunch"),
        T0,
    )
    resolution = Resolution(
        cause="A faulty update to the shop's search page took the website down.",
        fix="We undid the update and the website came back.",
        lesson="Updates to the website now go out in the morning with a person watching.",
    )
    with pytest.raises(InputError, match="Nothing was published"):
        ws.resolve(incident.id, resolution, LEE)
    request_id, pack = ws.draft(incident.id, _facts(Stage.RESOLVED))
    ws.approve(request_id, "status_page", pack.draft(Channel.STATUS_PAGE).text, LEE)
    filed = ws.resolve(incident.id, resolution, LEE, T0 + timedelta(hours=2))

    # The file is valid knowledge, in the knowledge/ format, under the data directory.
    path = c.settings.filed_knowledge_dir / "incidents" / f"{filed.id}.yaml"
    loaded = load_knowledge(c.settings.filed_knowledge_dir).kb.incidents
    assert [(i.id, i.lessons, i.resolution) for i, _ in loaded] == [
        (filed.id, [resolution.lesson], resolution.fix)
    ]
    assert path.is_file()
    record = ws.get(incident.id)
    assert record.status == "resolved" and record.filed_as == filed.id
    with pytest.raises(InputError, match="resolved"):
        ws.draft(incident.id, _facts())

    after = c.incidents.draft(_facts(title="Shop not loading"))
    cited = [s.id for s in after.draft(Channel.STATUS_PAGE).sources if s.collection == "incidents"]
    assert filed.id in cited
    # Re-ingesting the company's own directory keeps what the app filed.
    c.ingest()
    assert (
        c.knowledge_size()[str(KnowledgeKind.INCIDENTS)] == len(list((small_kb / "incidents").iterdir())) + 1
    )
    c.close()
