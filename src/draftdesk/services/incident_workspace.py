"""The comms lead's incident: open it, keep its facts, draft and approve packs, keep to the cadence,
then resolve it and file it into the knowledge base so the next incident's drafts learn from it.

The record service keeps every draft and approval; this service ties them to one incident and
derives what the screen shows (the timeline, when the next update is due) from those rows.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import ApprovalRow, IncidentRow, RequestRow
from draftdesk.domain.drafts import Family, IncidentFacts, IncidentPack, MessageKind, ToneReport
from draftdesk.domain.enums import Channel, Stage
from draftdesk.domain.incident_records import (
    IncidentRecord,
    NewIncident,
    PublishedUpdate,
    Resolution,
    UpdateDue,
)
from draftdesk.domain.knowledge import Incident, KnowledgeBase, TimelineUpdate
from draftdesk.domain.records import Approval, RequestKind
from draftdesk.domain.users import Role, User
from draftdesk.errors import InputError, RecordNotFound
from draftdesk.services.incident_drafting import IncidentDrafter
from draftdesk.services.ingestion import IngestionService
from draftdesk.services.message_check import CheckRequest, MessageChecker
from draftdesk.services.records import RecordService
from draftdesk.services.users import require

KIND: RequestKind = "incident_update"
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[:.h]([0-5]\d)\b")
# Stages with a cadence: after "resolved" customers expect one follow-up, not a schedule.
ONGOING = (Stage.INVESTIGATING, Stage.IDENTIFIED, Stage.MONITORING)


class IncidentWorkspace:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        records: RecordService,
        drafter: IncidentDrafter,
        messages: MessageChecker,
        kb: KnowledgeBase,
        filer: IncidentFiler,
    ) -> None:
        self.sessions = sessions
        self.records = records
        self.drafter = drafter
        self.messages = messages
        self.kb = kb
        self.filer = filer

    def open(self, new: NewIncident, now: datetime | None = None) -> IncidentRecord:
        now = now or datetime.now(UTC)
        incident_id = f"INC-{now:%Y%m%d-%H%M}-{uuid.uuid4().hex[:4]}"
        facts = {"type": str(new.type), "stage": str(Stage.INVESTIGATING), "title": new.title}
        with self.sessions.begin() as s:
            s.add(
                IncidentRow(
                    id=incident_id,
                    type=str(new.type),
                    severity=str(new.severity),
                    title=new.title,
                    facts=facts,
                    resolution={},
                    created_at=now,
                )
            )
        return self.get(incident_id)

    def incidents(self, status: str | None = "open") -> list[IncidentRecord]:
        with self.sessions() as s:
            query = select(IncidentRow.id).order_by(IncidentRow.created_at.desc())
            if status:
                query = query.where(IncidentRow.status == status)
            ids = list(s.scalars(query))
        return [self.get(i) for i in ids]

    def get(self, incident_id: str) -> IncidentRecord:
        with self.sessions() as s:
            row = _incident(s, incident_id)
            last = s.scalars(
                select(RequestRow.id)
                .where(RequestRow.incident_id == incident_id)
                .order_by(RequestRow.created_at.desc())
                .limit(1)
            ).first()
            record = IncidentRecord.model_validate(row, from_attributes=True)
            record.timeline = _timeline(s, incident_id)
            record.last_request_id = last
            return record

    def save_facts(self, incident_id: str, facts: dict[str, Any]) -> None:
        """The facts form as typed, valid or not yet: a reload or a restart gives it back."""
        with self.sessions.begin() as s:
            row = _incident(s, incident_id)
            row.facts = {**facts, "type": row.type, "title": facts.get("title") or row.title}

    def draft(
        self, incident_id: str, facts: IncidentFacts, by: str | None = None
    ) -> tuple[str, IncidentPack]:
        """One pack for the incident's channels, recorded as a request of the incident."""
        record = self.get(incident_id)
        if record.status != "open":
            raise InputError(f"Incident {incident_id} is resolved.", "Open a new incident for a new problem.")
        if facts.type != record.type:
            raise InputError(
                f"The facts say type '{facts.type}', but the incident is '{record.type}'.",
                "Keep the incident's type, or open a new incident.",
            )
        self.save_facts(incident_id, facts.model_dump(mode="json"))
        pack = self.drafter.draft(facts)
        request_id = self.records.open_request(KIND, facts, incident_id=incident_id, by=by)
        for d in pack.drafts:
            self.records.add_draft(request_id, d, channel=str(d.channel), by=by)
        return request_id, pack

    def holding_facts(self, incident_id: str, now: datetime | None = None) -> IncidentFacts:
        """The last facts, still at their stage, promising the next update one cadence from now."""
        now = now or datetime.now(UTC)
        record = self.get(incident_id)
        try:
            facts = IncidentFacts.model_validate(record.facts)
        except ValueError:
            raise InputError(
                "A holding update needs the incident's facts first.",
                "Fill in what customers experience, who is affected and what the team is doing.",
            ) from None
        cadence = self.kb.cadence(facts.stage) or (30, 60)
        promise = now + timedelta(minutes=cadence[0])
        return facts.model_copy(update={"next_update_at": f"{promise:%H:%M} UTC"})

    def check(self, request_id: str, channel: str, text: str) -> ToneReport:
        record = self.records.get(request_id)
        return self.messages.check(
            CheckRequest(
                text=text or " ",
                kind=MessageKind.STATUS_UPDATE,
                channel=Channel(channel),
                facts=record.payload,
            )
        )

    def approve(self, request_id: str, channel: str, text: str, user: User) -> Approval:
        """Publish one channel's message; it joins the incident's timeline. Leads only."""
        require(user, Role.LEAD, "approve incident updates")
        report = self.check(request_id, channel, text)
        too_long = [i for i in report.errors if i.family == Family.TOO_LONG]
        if too_long:
            # The channel cannot carry it: an SMS or a post over its limit is cut or refused.
            raise InputError(too_long[0].message, "Shorten it to fit before approving.")
        return self.records.approve(request_id, text, user, channel=channel, report=report)

    def next_update(self, incident_id: str, now: datetime | None = None) -> UpdateDue | None:
        """When the next public update is due: the time promised, else the playbook's cadence."""
        now = now or datetime.now(UTC)
        record = self.get(incident_id)
        if record.status != "open" or record.stage not in ONGOING:
            return None
        cadence = self.kb.cadence(record.stage) or (30, 60)
        last = record.timeline[-1].at if record.timeline else record.created_at
        last = last if last.tzinfo else last.replace(tzinfo=UTC)
        promised = _promised_time(record.timeline[-1].next_update_at if record.timeline else None, last)
        if promised:
            due, latest, reason = promised, promised, f"the last update promised {promised:%H:%M} UTC"
        elif record.timeline:
            due = last + timedelta(minutes=cadence[0])
            latest = last + timedelta(minutes=cadence[1])
            reason = f"every {cadence[0]}–{cadence[1]} minutes while {record.stage}"
        else:
            # Nothing published yet: the first notice is already late.
            due, latest, reason = last, last + timedelta(minutes=15), "the first notice goes out at once"
        return UpdateDue(
            due_at=due, latest_at=latest, reason=reason, overdue=now > latest, holding_offered=now >= due
        )

    def resolve(
        self, incident_id: str, resolution: Resolution, user: User, now: datetime | None = None
    ) -> Incident:
        """Close the incident and file it, with its published timeline, as a past incident. Leads only."""
        require(user, Role.LEAD, "resolve an incident and file it into the knowledge base")
        now = now or datetime.now(UTC)
        record = self.get(incident_id)
        if record.status != "open":
            raise InputError(f"Incident {incident_id} is already resolved.", "Nothing more to do.")
        if not record.timeline:
            raise InputError(
                "Nothing was published for this incident yet, so there is no story to file.",
                "Approve at least one update (the resolved notice, say) before resolving it.",
            )
        incident = _past_incident(record, resolution, now)
        self.filer.file(incident)
        with self.sessions.begin() as s:
            row = _incident(s, incident_id)
            row.status, row.resolved_at, row.filed_as = "resolved", now, incident.id
            row.resolution = resolution.model_dump()
        return incident


class IncidentFiler:
    """Writes a past incident as a knowledge/ YAML file and indexes it at once."""

    def __init__(self, root: Path, ingestion: IngestionService) -> None:
        self.root = root
        self.ingestion = ingestion

    def file(self, incident: Incident) -> Path:
        path = self.root / "incidents" / f"{incident.id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = incident.model_dump(mode="json", exclude_none=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), "utf-8")
        self.ingestion.add_incident(incident, path, self.root)
        return path


def _incident(s: Session, incident_id: str) -> IncidentRow:
    row = s.get(IncidentRow, incident_id)
    if row is None:
        raise RecordNotFound(f"No incident with id {incident_id!r}.", "Pick one from the list of incidents.")
    return row


def _timeline(s: Session, incident_id: str) -> list[PublishedUpdate]:
    rows = s.execute(
        select(ApprovalRow, RequestRow.payload)
        .join(RequestRow, ApprovalRow.request_id == RequestRow.id)
        .where(RequestRow.incident_id == incident_id)
        .order_by(ApprovalRow.approved_at, ApprovalRow.id)
    )
    return [
        PublishedUpdate(
            request_id=a.request_id,
            stage=Stage(payload.get("stage", Stage.INVESTIGATING)),
            channel=a.channel,
            text=a.published_text,
            approved_by=a.approved_by,
            next_update_at=payload.get("next_update_at"),
            at=a.approved_at if a.approved_at.tzinfo else a.approved_at.replace(tzinfo=UTC),
        )
        for a, payload in rows
    ]


def _promised_time(text: str | None, after: datetime) -> datetime | None:
    """The next update time the last published update gave: customers hold us to it."""
    match = _CLOCK.search(text or "")
    if not match:
        return None
    promised = after.replace(hour=int(match.group(1)), minute=int(match.group(2)), second=0, microsecond=0)
    return promised if promised > after else promised + timedelta(days=1)


def _past_incident(record: IncidentRecord, resolution: Resolution, now: datetime) -> Incident:
    facts = record.facts
    started = record.created_at if record.created_at.tzinfo else record.created_at.replace(tzinfo=UTC)
    return Incident(
        id=record.id,
        type=record.type,
        title=record.title,
        severity=record.severity,
        started_at=started,
        ended_at=now,
        affected_channels=sorted({u.channel for u in record.timeline}),
        customer_impact=str(facts.get("summary") or record.title),
        customer_cause=resolution.cause,
        root_cause=resolution.cause,
        workaround=facts.get("workaround") or None,
        resolution=resolution.fix,
        compensation=facts.get("compensation") or None,
        timeline=[
            TimelineUpdate(stage=u.stage, channel=Channel(u.channel), at=u.at, text=u.text)
            for u in record.timeline
        ],
        lessons=[resolution.lesson],
    )
