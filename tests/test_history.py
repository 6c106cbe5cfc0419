"""The History screen's records, against a real SQLite file: drafts made and approved through the
record service by two people over two weeks. Every expected figure below is worked out by hand
from the texts, days and checks this file creates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from draftdesk.adapters.database import ApprovalRow, DraftRow
from draftdesk.container import Container
from draftdesk.domain.drafts import (
    Draft,
    Engine,
    Family,
    IncidentFacts,
    ReviewRequest,
    Severity,
    ToneIssue,
    ToneReport,
)
from draftdesk.domain.enums import Channel, IncidentType, Stage
from draftdesk.domain.history import HistoryFilters
from draftdesk.domain.users import User
from draftdesk.errors import InputError, RecordNotFound
from draftdesk.services.history import history_filters

from .conftest import LEE, SAM, CountingEmbedder, make_settings

FORMULA = '=HYPERLINK("http://evil.example/x")'


def _report(score: int, *issues: tuple[Family, Severity]) -> ToneReport:
    return ToneReport(
        passed=all(severity != Severity.ERROR for _, severity in issues),
        score=score,
        issues=[ToneIssue(rule=f"{f}-rule", family=f, severity=s, message=f"{f} found") for f, s in issues],
    )


def _draft(text: str, engine: Engine, report: ToneReport) -> Draft:
    model = "gpt-4o-mini" if engine == Engine.OPENAI else "templates"
    return Draft(text=text, engine=engine, model=model, report=report)


def _review(text: str) -> ReviewRequest:
    return ReviewRequest(text=text, product="Arden Desk Lamp", author="Priya")


class History(BaseModel):
    """The draft ids of what was made, by a name the assertions can read."""

    ids: dict[str, int]

    def of(self, *names: str) -> set[int]:
        return {self.ids[n] for n in names}


def _when(c: Container, draft_id: int, moment: datetime) -> None:
    """Move a draft (and the approval that names it, an hour later) to another day."""
    with c.database.begin() as s:
        s.get_one(DraftRow, draft_id).created_at = moment
        for approval in s.scalars(select(ApprovalRow).where(ApprovalRow.draft_id == draft_id)):
            approval.approved_at = moment + timedelta(hours=1)


def _day(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)  # 2 March 2026 is the Monday of ISO week 10


def record_history(container: Container) -> History:
    """Six requests by Sam and Lee over 2-11 March 2026, made and approved through the record service."""
    r = container.records
    ids: dict[str, int] = {}
    days: dict[str, datetime] = {}

    def made(
        name: str, request_id: str, draft: Draft, when: datetime, by: str | None, channel: str = "review"
    ) -> None:
        ids[name], days[name] = r.add_draft(request_id, draft, channel=channel, by=by).id, when
        _when(container, ids[name], when)

    def approve(request_id: str, text: str, user: User, name: str, channel: str = "review") -> None:
        r.approve(request_id, text, user, channel=channel)
        _when(container, ids[name], days[name])  # the approval, an hour after its draft

    # Sam's lamp reply, approved by Sam with one word deleted and one inserted (2 words changed).
    lamp = r.open_request("review_reply", _review("The lamp flickers."), by=SAM.name)
    made(
        "lamp",
        lamp,
        _draft("We are so sorry the lamp flickers at the lowest setting.", Engine.TEMPLATE, _report(100)),
        _day(2),
        SAM.name,
    )
    approve(lamp, "We are sorry the Arden lamp flickers at the lowest setting.", SAM, "lamp")

    # Sam's kettle reply: v1 fails the check, v2 is approved by Lee with 3 words changed.
    kettle = r.open_request("review_reply", _review("The kettle leaks."), by=SAM.name)
    made(
        "kettle v1",
        kettle,
        _draft(
            "We value your feedback.",
            Engine.OPENAI,
            _report(60, (Family.GENERIC, Severity.ERROR), (Family.JARGON, Severity.WARNING)),
        ),
        _day(2, 15),
        SAM.name,
    )
    made(
        "kettle v2",
        kettle,
        _draft(
            "A replacement kettle ships today", Engine.OPENAI, _report(90, (Family.JARGON, Severity.WARNING))
        ),
        _day(3),
        SAM.name,
    )
    approve(kettle, "A new kettle ships today by courier.", LEE, "kettle v2")

    # Lee's request, drafted by nobody signed in: it counts as Lee's. It fails and is never approved.
    rug = r.open_request("review_reply", _review("The rug sheds."), by=LEE.name)
    made(
        "rug",
        rug,
        _draft("Thank you for your review.", Engine.TEMPLATE, _report(70, (Family.GENERIC, Severity.ERROR))),
        _day(4),
        None,
    )

    # Lee's incident update in week 11: the email is published (3 words changed), the SMS is not.
    facts = IncidentFacts(
        type=IncidentType.CHECKOUT_FAILURE,
        stage=Stage.INVESTIGATING,
        title="Card payments failing",
        summary="Card payments are declined.",
        affected="customers paying by card",
        actions="We are working with our payment provider.",
        channels=[Channel.EMAIL, Channel.SMS],
    )
    incident = r.open_request("incident_update", facts, by=LEE.name)
    email = _draft(
        "We are looking into failed card payments",
        Engine.TEMPLATE,
        _report(95, (Family.TOO_LONG, Severity.WARNING)),
    )
    sms = _draft(
        "Card payments fail; more soon.",
        Engine.TEMPLATE,
        _report(50, (Family.TOO_LONG, Severity.ERROR), (Family.GENERIC, Severity.WARNING)),
    )
    made("email", incident, email, _day(9), LEE.name, channel="email")
    made("sms", incident, sms, _day(9, 11), LEE.name, channel="sms")
    approve(incident, "We are fixing failed card payments now", LEE, "email", channel="email")

    # Two more of Sam's replies with the language model, approved by Lee: 1 and 4 words added.
    mug = r.open_request("review_reply", _review("Lovely mug."), by=SAM.name)
    made(
        "mug",
        mug,
        _draft("Thanks for the kind words about the mug.", Engine.OPENAI, _report(100)),
        _day(10),
        SAM.name,
    )
    approve(mug, f"{FORMULA} Thanks for the kind words about the mug.", LEE, "mug")
    parcel = r.open_request("review_reply", _review("Late parcel."), by=SAM.name)
    made(
        "parcel",
        parcel,
        _draft("Sorry about the late parcel", Engine.OPENAI, _report(100)),
        _day(11),
        SAM.name,
    )
    approve(parcel, "Sorry about the late parcel we refunded the postage", LEE, "parcel")
    return History(ids=ids)


@pytest.fixture(params=["sqlite", "postgresql"])
def container(
    request: pytest.FixtureRequest, tmp_path: Path, counting: CountingEmbedder
) -> Iterator[Container]:
    """Every history query runs on both databases draftdesk supports: SQLite and a real PostgreSQL."""
    overrides = (
        {"database_url": request.getfixturevalue("postgres_url")} if request.param == "postgresql" else {}
    )
    c = Container(make_settings(tmp_path / "data", **overrides))
    c.embedder = counting  # type: ignore[misc]
    yield c
    c.close()


@pytest.fixture
def history(container: Container) -> History:
    return record_history(container)


def _ids(c: Container, **filters: object) -> set[int]:
    return {row.draft_id for row in c.history.rows(HistoryFilters(**filters))}  # type: ignore[arg-type]


def test_every_filter_narrows_to_the_drafts_it_names(container: Container, history: History) -> None:
    h = history
    everything = h.of("lamp", "kettle v1", "kettle v2", "rug", "email", "sms", "mug", "parcel")
    assert _ids(container) == everything
    # A user is whoever drafted the version or approved it.
    assert _ids(container, user="sam") == h.of("lamp", "kettle v1", "kettle v2", "mug", "parcel")
    assert _ids(container, user="lee") == h.of("kettle v2", "rug", "email", "sms", "mug", "parcel")
    assert _ids(container, user="nobody") == set()
    assert _ids(container, kind="incident_update") == h.of("email", "sms")
    assert _ids(container, kind="review_reply") == everything - h.of("email", "sms")
    assert _ids(container, channel="sms") == h.of("sms")
    assert _ids(container, engine="openai") == h.of("kettle v1", "kettle v2", "mug", "parcel")
    assert _ids(container, engine="template") == h.of("lamp", "rug", "email", "sms")
    # Days are inclusive at both ends.
    assert _ids(container, date_from=date(2026, 3, 3), date_to=date(2026, 3, 9)) == h.of(
        "kettle v2", "rug", "email", "sms"
    )
    assert _ids(container, date_to=date(2026, 3, 2)) == h.of("lamp", "kettle v1")
    assert _ids(container, date_from=date(2026, 3, 11)) == h.of("parcel")
    # Only the version that was published counts as approved: kettle v1 was superseded.
    assert _ids(container, approved="yes") == h.of("lamp", "kettle v2", "email", "mug", "parcel")
    assert _ids(container, approved="no") == h.of("kettle v1", "rug", "sms")
    assert _ids(container, user="sam", approved="no") == h.of("kettle v1")


def test_pages_of_rows_cover_every_match_once_newest_first(container: Container, history: History) -> None:
    everything = container.history.rows()
    days = [r.created_at for r in everything]
    assert days == sorted(days, reverse=True)
    pages = [container.history.rows(offset=n, limit=3) for n in (0, 3, 6, 9)]
    assert [len(p) for p in pages] == [3, 3, 2, 0]
    assert [r.draft_id for p in pages for r in p] == [r.draft_id for r in everything]
    assert container.history.count() == 8
    sam = HistoryFilters(user="sam")
    assert container.history.count(sam) == 5
    assert {r.draft_id for r in container.history.rows(sam, offset=4, limit=3)} <= history.of(
        "lamp", "kettle v1", "kettle v2", "mug", "parcel"
    )


def test_rows_say_who_drafted_and_who_approved_what(container: Container, history: History) -> None:
    rows = {r.draft_id: r for r in container.history.rows()}
    rug = rows[history.ids["rug"]]
    assert rug.drafted_by == "lee" and not rug.approved and rug.approved_by is None
    assert rug.check_passed is False and rug.check_score == 70 and rug.issue_families == ["generic"]
    kettle = rows[history.ids["kettle v2"]]
    assert (kettle.drafted_by, kettle.approved_by, kettle.edit_distance) == ("sam", "lee", 3)
    assert kettle.published_text == "A new kettle ships today by courier."
    assert kettle.approved_at == datetime(2026, 3, 3, 11, tzinfo=UTC)
    sms = rows[history.ids["sms"]]
    assert (sms.kind, sms.channel, sms.approved) == ("incident_update", "sms", False)
    assert sms.issue_families == ["generic", "too_long"]
    # Newest first.
    assert next(iter(rows)) == history.ids["parcel"]


def test_the_diff_of_an_edited_approval_shows_the_deleted_and_inserted_words(
    container: Container, history: History
) -> None:
    diff = container.history.diff(history.ids["lamp"])
    assert diff.approved and diff.approved_by == "sam" and diff.distance == 2
    changes = [(s.op, s.old, s.new) for s in diff.segments if s.op != "equal"]
    assert changes == [("delete", ["so"], []), ("insert", [], ["Arden"])]
    kept = " ".join(w for s in diff.segments if s.op == "equal" for w in s.old)
    assert kept == "We are sorry the lamp flickers at the lowest setting."

    kettle = container.history.diff(history.ids["kettle v2"])
    assert [(s.op, s.old, s.new) for s in kettle.segments if s.op != "equal"] == [
        ("replace", ["replacement"], ["new"]),
        ("insert", [], ["by", "courier."]),
    ]
    superseded = container.history.diff(history.ids["kettle v1"])
    assert not superseded.approved and superseded.distance is None
    assert "version 2" in superseded.note
    assert "not approved" in container.history.diff(history.ids["rug"]).note
    with pytest.raises(RecordNotFound):
        container.history.diff(10_000)


def test_the_charts_match_the_figures_worked_out_by_hand(container: Container, history: History) -> None:
    charts = container.history.charts()
    assert (charts.drafts, charts.approved) == (8, 5)
    per_day = {d.day.day: d.drafts for d in charts.drafts_per_day}
    assert per_day == {2: 2, 3: 1, 4: 1, 5: 0, 6: 0, 7: 0, 8: 0, 9: 2, 10: 1, 11: 1}
    # Six requests, five of them published; each counts on the day of its first draft.
    assert charts.approval_rate == pytest.approx(5 / 6, abs=1e-3)
    rates = {d.day.day: (d.drafted, d.approved, d.rate) for d in charts.approval_rate_per_day}
    assert rates == {2: (2, 2, 1.0), 4: (1, 0, 0.0), 9: (1, 1, 1.0), 10: (1, 1, 1.0), 11: (1, 1, 1.0)}
    # Words changed: lamp 2 (template, W10), kettle 3 (openai, W10), email 3 (template, W11),
    # mug 1 and parcel 4 (openai, W11).
    weekly = {
        (w.week, w.engine): (w.approvals, w.median_edit_distance)
        for w in charts.median_edit_distance_per_week
    }
    assert weekly == {
        ("2026-W10", "template"): (1, 2.0),
        ("2026-W10", "openai"): (1, 3.0),
        ("2026-W11", "template"): (1, 3.0),
        ("2026-W11", "openai"): (2, 2.5),
    }
    assert charts.median_edit_distance == 3.0  # of 1, 2, 3, 3, 4
    # generic: kettle v1, rug, sms; jargon: kettle v1 and v2; too_long: email, sms.
    assert [(i.family, i.drafts) for i in charts.top_issues] == [
        ("generic", 3),
        ("jargon", 2),
        ("too_long", 2),
    ]
    assert [(a.agent, a.drafts) for a in charts.drafts_per_agent] == [("sam", 5), ("lee", 3)]


def test_the_charts_follow_the_filters(container: Container, history: History) -> None:
    charts = container.history.charts(HistoryFilters(engine="openai"))
    assert charts.drafts == 4 and charts.approval_rate == 1.0
    assert [(a.agent, a.drafts) for a in charts.drafts_per_agent] == [("sam", 4)]
    assert {w.week: w.median_edit_distance for w in charts.median_edit_distance_per_week} == {
        "2026-W10": 3.0,
        "2026-W11": 2.5,
    }
    empty = container.history.charts(HistoryFilters(user="nobody"))
    assert empty.drafts == 0 and empty.approval_rate is None and empty.drafts_per_day == []


def test_the_csv_round_trips_and_a_formula_is_never_run(container: Container, history: History) -> None:
    text = container.history.csv(HistoryFilters(user="lee"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {int(r["draft_id"]) for r in rows} == history.of(
        "kettle v2", "rug", "email", "sms", "mug", "parcel"
    )
    by_id = {int(r["draft_id"]): r for r in rows}
    email = by_id[history.ids["email"]]
    assert (email["kind"], email["channel"], email["approved"], email["approved_by"]) == (
        "incident_update",
        "email",
        "yes",
        "lee",
    )
    assert (email["edit_distance"], email["published_text"]) == (
        "3",
        "We are fixing failed card payments now",
    )
    assert by_id[history.ids["sms"]]["issue_families"] == "generic; too_long"
    assert by_id[history.ids["rug"]]["approved"] == "no" and by_id[history.ids["rug"]]["published_text"] == ""
    # The approver's text began with a formula: the cell is quoted so a spreadsheet shows it as text.
    mug = by_id[history.ids["mug"]]["published_text"]
    assert mug == f"'{FORMULA} Thanks for the kind words about the mug."
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_the_form_filters_explain_a_bad_date(container: Container) -> None:
    assert history_filters("any", "any", "any", "any", "any", "", "") == HistoryFilters()
    parsed = history_filters("sam", "review_reply", "review", "openai", "yes", "2026-03-02", " 2026-03-08 ")
    assert parsed.date_to == date(2026, 3, 8) and parsed.user == "sam" and parsed.approved == "yes"
    with pytest.raises(InputError, match=r"'03/02/2026' is not a date") as caught:
        history_filters(date_from="03/02/2026")
    assert caught.value.hint and "YYYY-MM-DD" in caught.value.hint
    with pytest.raises(InputError, match=r"ends .* before it starts"):
        history_filters(date_from="2026-03-09", date_to="2026-03-02")
