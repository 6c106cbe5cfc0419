"""The History screen's queries: every draft version with its approval, the word-level diff
between a draft and what was published, the figures behind the charts, and a CSV export.

Filtering happens in SQL with portable constructs only (joins, COALESCE, comparisons on the
stored timestamps), so the same queries run on SQLite and PostgreSQL; the charts are computed
in Python from the filtered rows.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import ApprovalRow, DraftRow, RequestRow
from draftdesk.domain.drafts import Engine
from draftdesk.domain.enums import Channel
from draftdesk.domain.history import (
    UNKNOWN_USER,
    AgentCount,
    DayCount,
    DayRate,
    DiffSegment,
    HistoryCharts,
    HistoryFilters,
    HistoryOptions,
    HistoryRow,
    IssueCount,
    WeekEngineMedian,
    WordDiff,
)
from draftdesk.errors import InputError, RecordNotFound

ANY = "any"
TOP_ISSUES = 10
CSV_COLUMNS = [
    "draft_id",
    "request_id",
    "kind",
    "channel",
    "version",
    "engine",
    "model",
    "drafted_by",
    "created_at",
    "check_passed",
    "check_score",
    "issue_families",
    "approved",
    "approved_by",
    "approved_at",
    "edit_distance",
    "edit_ratio",
    "draft_text",
    "published_text",
]
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_day(text: str | None, label: str) -> date | None:
    """A `YYYY-MM-DD` day typed into a filter; blank means no limit."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{label} {text!r} is not a date.",
            "Write the day as YYYY-MM-DD, e.g. 2026-03-02, or leave it empty.",
        ) from None


def history_filters(
    user: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    engine: str | None = None,
    approved: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> HistoryFilters:
    """Filters from what a form holds: "any" or blank means no filter; bad input says how to fix it."""

    def chosen(value: str | None) -> str | None:
        value = (value or "").strip()
        return None if value in ("", ANY) else value

    try:
        return HistoryFilters(
            user=chosen(user),
            kind=chosen(kind),  # type: ignore[arg-type]
            channel=chosen(channel),
            engine=chosen(engine),
            approved=chosen(approved) or ANY,  # type: ignore[arg-type]
            date_from=parse_day(date_from, "From"),
            date_to=parse_day(date_to, "To"),
        )
    except ValidationError as exc:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise InputError(
            f"These filters cannot be used: {reasons}.", "Change the filter and refresh."
        ) from None


def words(text: str) -> list[str]:
    """Words as `word_edit_distance` counts them: runs of non-space characters."""
    return re.findall(r"\S+", text)


def word_diff(before: str, after: str) -> list[DiffSegment]:
    """The segments that turn `before` into `after`, word by word."""
    a, b = words(before), words(after)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [
        DiffSegment(op=op, old=a[i1:i2], new=b[j1:j2])  # type: ignore[arg-type]
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def neutralise(cell: Any) -> str:
    """A cell as text that a spreadsheet shows and never evaluates."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, datetime):
        return cell.isoformat()
    if isinstance(cell, list):
        cell = "; ".join(str(c) for c in cell)
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored in UTC); PostgreSQL aware ones in the session's zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class HistoryService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    # -- rows -----------------------------------------------------------------------------------

    def rows(
        self, filters: HistoryFilters | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[HistoryRow]:
        """The draft versions that match, newest first: all of them, or `limit` from `offset` on
        (a page of the table; a batch job can add a hundred thousand)."""
        query = self._query(filters or HistoryFilters()).offset(max(offset, 0)).limit(limit)
        with self.sessions() as s:
            return [self._row(d, r, a) for d, r, a in s.execute(query)]

    def count(self, filters: HistoryFilters | None = None) -> int:
        """How many draft versions match."""
        query = select(func.count()).select_from(self._query(filters or HistoryFilters()).subquery())
        with self.sessions() as s:
            return int(s.scalar(query) or 0)

    @staticmethod
    def _query(f: HistoryFilters) -> Select[DraftRow, RequestRow, ApprovalRow]:
        # The newest approval that names this very draft (same request and channel).
        latest = (
            select(ApprovalRow.draft_id.label("draft_id"), func.max(ApprovalRow.id).label("approval_id"))
            .join(
                DraftRow,
                and_(
                    DraftRow.id == ApprovalRow.draft_id,
                    DraftRow.request_id == ApprovalRow.request_id,
                    DraftRow.channel == ApprovalRow.channel,
                ),
            )
            .group_by(ApprovalRow.draft_id)
            .subquery()
        )
        drafted_by = func.coalesce(DraftRow.created_by, RequestRow.created_by, literal(UNKNOWN_USER))
        query = (
            select(DraftRow, RequestRow, ApprovalRow)
            .join(RequestRow, RequestRow.id == DraftRow.request_id)
            .outerjoin(latest, latest.c.draft_id == DraftRow.id)
            .outerjoin(ApprovalRow, ApprovalRow.id == latest.c.approval_id)
            .order_by(DraftRow.created_at.desc(), DraftRow.id.desc())
        )
        if f.user:
            query = query.where(or_(drafted_by == f.user, ApprovalRow.approved_by == f.user))
        if f.kind:
            query = query.where(RequestRow.kind == f.kind)
        if f.channel:
            query = query.where(DraftRow.channel == f.channel)
        if f.engine:
            query = query.where(DraftRow.engine == f.engine)
        if f.date_from:
            query = query.where(DraftRow.created_at >= datetime.combine(f.date_from, time(), UTC))
        if f.date_to:
            query = query.where(
                DraftRow.created_at < datetime.combine(f.date_to + timedelta(days=1), time(), UTC)
            )
        if f.approved == "yes":
            query = query.where(ApprovalRow.id.is_not(None))
        elif f.approved == "no":
            query = query.where(ApprovalRow.id.is_(None))
        return query

    @staticmethod
    def _row(d: DraftRow, r: RequestRow, a: ApprovalRow | None) -> HistoryRow:
        report = d.report or {}
        families = {str(i.get("family")) for i in report.get("issues") or [] if i.get("family")}
        return HistoryRow(
            draft_id=d.id,
            request_id=r.id,
            kind=r.kind,  # type: ignore[arg-type]
            channel=d.channel,
            version=d.version,
            engine=d.engine,
            model=d.model,
            drafted_by=d.created_by or r.created_by or UNKNOWN_USER,
            created_at=_utc(d.created_at),
            check_passed=report.get("passed"),
            check_score=report.get("score"),
            issue_families=sorted(families),
            approved=a is not None,
            approved_by=a.approved_by if a else None,
            approved_at=_utc(a.approved_at) if a else None,
            edit_distance=a.edit_distance if a else None,
            edit_ratio=a.edit_ratio if a else None,
            draft_text=d.text,
            published_text=a.published_text if a else None,
        )

    def options(self) -> HistoryOptions:
        """The users, channels and engines the filters offer: what the records hold, plus the known names."""
        with self.sessions() as s:
            drafters = s.scalars(
                select(func.coalesce(DraftRow.created_by, RequestRow.created_by, literal(UNKNOWN_USER)))
                .join(RequestRow, RequestRow.id == DraftRow.request_id)
                .distinct()
            )
            users = set(drafters) | set(s.scalars(select(ApprovalRow.approved_by).distinct()))
            channels = set(s.scalars(select(DraftRow.channel).distinct()))
            engines = set(s.scalars(select(DraftRow.engine).distinct()))
        known_channels = [str(c) for c in Channel]
        known_engines = [str(e) for e in Engine]
        return HistoryOptions(
            users=sorted(users, key=str.lower),
            channels=known_channels + sorted(channels - set(known_channels)),
            engines=known_engines + sorted(engines - set(known_engines)),
        )

    # -- diff -----------------------------------------------------------------------------------

    def diff(self, draft_id: int) -> WordDiff:
        """The words a person changed between this draft and the text published from it."""
        with self.sessions() as s:
            found = s.execute(self._query(HistoryFilters()).where(DraftRow.id == draft_id).limit(1)).first()
            if found is None:
                raise RecordNotFound(f"No draft with id {draft_id}.", "Pick a draft from the table.")
            row = self._row(found[0], found[1], found[2])
            other = None
            if not row.approved:
                other = s.scalar(
                    select(DraftRow.version)
                    .join(ApprovalRow, ApprovalRow.draft_id == DraftRow.id)
                    .where(ApprovalRow.request_id == row.request_id, ApprovalRow.channel == row.channel)
                    .order_by(ApprovalRow.id.desc())
                    .limit(1)
                )
        base = WordDiff(
            draft_id=row.draft_id,
            request_id=row.request_id,
            channel=row.channel,
            version=row.version,
            approved=row.approved,
            approved_by=row.approved_by,
            distance=row.edit_distance,
        )
        if row.approved:
            base.segments = word_diff(row.draft_text, row.published_text or "")
            return base
        if other is not None:
            base.note = f"Version {row.version} was not approved: version {other} of this {row.channel} was."
        else:
            base.note = f"Version {row.version} was not approved, so there is no published text to compare."
        base.segments = [DiffSegment(op="equal", old=words(row.draft_text), new=words(row.draft_text))]
        return base

    # -- charts ---------------------------------------------------------------------------------

    def charts(self, filters: HistoryFilters | None = None) -> HistoryCharts:
        return charts_of(self.rows(filters))

    # -- export ---------------------------------------------------------------------------------

    def csv(self, filters: HistoryFilters | None = None) -> str:
        """The filtered rows with a header, ready for a spreadsheet: no cell is run as a formula."""
        return csv_of(self.rows(filters))


def csv_of(rows: list[HistoryRow]) -> str:
    """Rows already read (the History screen's), as `HistoryService.csv` writes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = row.model_dump()
        writer.writerow([neutralise(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def charts_of(rows: list[HistoryRow]) -> HistoryCharts:
    """The figures behind the charts, from the rows the filters let through."""
    if not rows:
        return HistoryCharts(drafts=0, approved=0)
    per_day = Counter(r.created_at.date() for r in rows)
    first, last = min(per_day), max(per_day)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]

    # A request counts on the day of its first draft, and as approved when any of its drafts is.
    first_day: dict[str, date] = {}
    approved_requests: set[str] = set()
    for r in rows:
        day = r.created_at.date()
        first_day[r.request_id] = min(day, first_day.get(r.request_id, day))
        if r.approved:
            approved_requests.add(r.request_id)
    drafted_on: dict[date, set[str]] = defaultdict(set)
    for request_id, day in first_day.items():
        drafted_on[day].add(request_id)
    rates = [
        DayRate(
            day=day,
            drafted=len(ids),
            approved=len(ids & approved_requests),
            rate=round(len(ids & approved_requests) / len(ids), 4),
        )
        for day, ids in sorted(drafted_on.items())
    ]

    distances: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        if r.approved and r.edit_distance is not None:
            distances[(_iso_week(r.created_at.date()), r.engine)].append(r.edit_distance)
    weekly = [
        WeekEngineMedian(week=week, engine=engine, approvals=len(d), median_edit_distance=float(median(d)))
        for (week, engine), d in sorted(distances.items())
    ]
    every_distance = [d for ds in distances.values() for d in ds]

    issues = Counter(f for r in rows for f in r.issue_families)
    agents = Counter(r.drafted_by for r in rows)
    return HistoryCharts(
        drafts=len(rows),
        approved=sum(r.approved for r in rows),
        approval_rate=round(len(approved_requests) / len(first_day), 4),
        median_edit_distance=float(median(every_distance)) if every_distance else None,
        drafts_per_day=[DayCount(day=day, drafts=per_day.get(day, 0)) for day in days],
        approval_rate_per_day=rates,
        median_edit_distance_per_week=weekly,
        top_issues=[
            IssueCount(family=f, drafts=n)
            for f, n in sorted(issues.items(), key=lambda item: (-item[1], item[0]))[:TOP_ISSUES]
        ],
        drafts_per_agent=[
            AgentCount(agent=a, drafts=n)
            for a, n in sorted(agents.items(), key=lambda item: (-item[1], item[0]))
        ],
    )
