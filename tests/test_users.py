"""Accounts and roles: passwords never stored in clear, and each role limit enforced by the services
themselves, whichever screen, command or script calls them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from draftdesk.adapters.embeddings import Embedder
from draftdesk.container import Container
from draftdesk.domain.drafts import IncidentFacts, ReviewRequest
from draftdesk.domain.enums import Channel, IncidentType, Severity, Stage
from draftdesk.domain.incident_records import NewIncident, Resolution
from draftdesk.domain.users import Role
from draftdesk.entry.cli import app
from draftdesk.errors import InputError, PermissionDenied, SignInLocked
from draftdesk.services.sign_in_throttle import SignInThrottle
from draftdesk.services.users import UserService

from .conftest import LEE, SAM, add_accounts, make_settings, password_for, serving

runner = CliRunner()

KETTLE = ReviewRequest(
    text="The kettle's lid hinge snapped after two weeks and now it won't switch off by itself.",
    rating=2,
    product="Brio Electric Kettle",
    platform="trustpilot",
)


def _container(tmp_path: Path, small_kb: Path, embedder: Embedder, **overrides: object) -> Container:
    c = Container(make_settings(tmp_path / "data", knowledge_dir=small_kb, **overrides))
    c.embedder = embedder  # type: ignore[misc]
    c.ensure_knowledge()
    return c


def _database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "draftdesk.db"


def test_users_add_stores_only_a_hash_and_the_account_signs_in(
    tmp_path: Path, small_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRAFTDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DRAFTDESK_KNOWLEDGE_DIR", str(small_kb))
    added = runner.invoke(
        app, ["users", "add", "lee", "--role", "lead", "--password-stdin"], input="tea-at-four\n"
    )
    assert added.exit_code == 0, added.output
    assert "lee (lead)" in added.stdout

    again = runner.invoke(app, ["users", "add", "lee", "--password-stdin"], input="another-one\n")
    assert again.exit_code == 1 and "already a user called 'lee'" in again.output
    short = runner.invoke(app, ["users", "add", "sam", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "shorter than 8" in short.output

    listed = runner.invoke(app, ["users", "list"])
    assert listed.stdout.split() == ["lee", "lead"]  # the refused accounts were not created
    with sqlite3.connect(_database(tmp_path)) as db:
        stored = db.execute("select name, role, password_hash from users").fetchall()
    assert [(n, r) for n, r, _ in stored] == [("lee", "lead")]
    assert "tea-at-four" not in stored[0][2] and stored[0][2].startswith("$2")

    c = Container(make_settings(tmp_path / "data"))
    user = c.users.authenticate("lee", "tea-at-four")
    assert user is not None and user.role == Role.LEAD
    assert c.users.authenticate("lee", "tea-at-five") is None
    assert c.users.authenticate("nobody", "tea-at-four") is None
    c.close()


def test_accounts_from_settings_sign_in_and_a_malformed_entry_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["users", "hash", "ana", "--role", "agent", "--password-stdin"], input="pa55-word!\n"
    )
    assert result.exit_code == 0, result.output
    entry = result.stdout.strip()
    assert entry.startswith("ana:agent:$2") and "pa55-word!" not in entry

    c = Container(make_settings(tmp_path / "data", accounts=json.loads(json.dumps([entry]))))
    assert c.users.has_accounts()
    user = c.users.authenticate("ana", "pa55-word!")
    assert user is not None and user.role == Role.AGENT
    with pytest.raises(PermissionDenied, match="without signing in"):
        c.users.current(None)  # accounts exist: nobody acts anonymously
    c.close()

    with pytest.raises(ValueError, match="name:agent\\|lead:bcrypt-hash"):
        make_settings(tmp_path, accounts=["ana:admin:secret"])


def test_with_no_accounts_everyone_is_the_single_local_user(tmp_path: Path) -> None:
    c = Container(make_settings(tmp_path / "data"))
    user = c.users.current(None)
    assert user.local and user.role == Role.LEAD
    c.close()


def test_an_agent_drafts_and_approves_replies_but_no_incident_update(
    tmp_path: Path, small_kb: Path, embedder: Embedder
) -> None:
    c = _container(tmp_path, small_kb, embedder)
    request_id = c.records.open_request("review_reply", KETTLE, by=SAM.name)
    reply = c.reviews.draft(KETTLE)
    c.records.add_draft(request_id, reply, by=SAM.name)
    c.records.save_edit(request_id, reply.text + " Thank you, Ana.", by=SAM.name)
    approval = c.records.approve(request_id, reply.text + " Thank you, Ana.", SAM)
    assert approval.approved_by == "sam" and approval.edit_distance == 3
    record = c.records.get(request_id)
    assert record.created_by == "sam" and record.drafts[0].created_by == "sam"

    ws = c.incident_workspace
    incident = ws.open(
        NewIncident(type=IncidentType.CHECKOUT_FAILURE, severity=Severity.MAJOR, title="Cards")
    )
    facts = IncidentFacts(
        type=IncidentType.CHECKOUT_FAILURE,
        stage=Stage.INVESTIGATING,
        title="Card payments failing",
        summary="Card payments fail at checkout for some customers.",
        affected="Customers paying by card.",
        actions="We are working with our payment provider.",
        next_update_at="14:30 UTC",
    )
    pack_id, pack = ws.draft(incident.id, facts, by=SAM.name)  # drafting is open to agents
    text = pack.draft(Channel.STATUS_PAGE).text
    with pytest.raises(PermissionDenied, match="only a comms lead may approve incident updates"):
        ws.approve(pack_id, "status_page", text, SAM)
    # The record service refuses too, so no other entry point can publish past the rule.
    with pytest.raises(PermissionDenied):
        c.records.approve(pack_id, text, SAM, channel="status_page")
    assert ws.get(incident.id).timeline == []

    ws.approve(pack_id, "status_page", text, LEE)
    assert [u.approved_by for u in ws.get(incident.id).timeline] == ["lee"]
    resolution = Resolution(
        cause="A certificate at our payment provider expired.",
        fix="The provider renewed it and payments went through again.",
        lesson="We now watch the provider's certificate dates ourselves.",
    )
    with pytest.raises(PermissionDenied, match="resolve"):
        ws.resolve(incident.id, resolution, SAM)
    assert ws.get(incident.id).status == "open"
    c.close()


def test_a_user_name_with_a_colon_or_nothing_in_it_is_refused(tmp_path: Path) -> None:
    c = Container(make_settings(tmp_path / "data"))
    for name in ("", "   ", "lee:lead"):
        with pytest.raises(InputError, match="1 to 100 characters"):
            c.users.add(name, Role.AGENT, "long-enough-1")
    assert not c.users.has_accounts()
    c.close()


def test_wrong_passwords_in_a_row_pause_that_name_and_a_right_one_clears_the_count(tmp_path: Path) -> None:
    c = Container(make_settings(tmp_path / "data"))
    add_accounts(c, sam=Role.AGENT, lee=Role.LEAD)
    now = [1_000_000.0]
    users = UserService(c.database, [], SignInThrottle(c.database, clock=lambda: now[0]))

    for _ in range(4):
        assert users.authenticate("sam", "guess-guess") is None
    assert users.authenticate("sam", password_for("sam")) is not None  # a success clears the count
    for _ in range(5):
        assert users.authenticate("sam", "guess-guess") is None
    with pytest.raises(SignInLocked) as paused:  # even the right password waits now
        users.authenticate("sam", password_for("sam"))
    assert "Too many wrong passwords for 'sam'" in paused.value.message and "1 minute" in paused.value.message
    assert paused.value.retry_after == pytest.approx(60)
    assert users.authenticate("lee", password_for("lee")) is not None  # other accounts are not held up

    now[0] += 61
    assert users.authenticate("sam", "guess-guess") is None  # one more miss doubles the pause
    with pytest.raises(SignInLocked) as longer:
        users.authenticate("sam", password_for("sam"))
    assert "2 minutes" in longer.value.message
    now[0] += 121
    assert users.authenticate("sam", password_for("sam")) is not None

    # A name with no account is paused the same way: the answers say nothing about which names exist.
    for _ in range(5):
        assert users.authenticate("nobody", "guess-guess") is None
    with pytest.raises(SignInLocked):
        users.authenticate("nobody", "guess-guess")
    c.close()


def test_the_sign_in_form_answers_429_with_the_wait_once_a_name_is_paused(tmp_path: Path) -> None:
    c = Container(make_settings(tmp_path / "data"))
    add_accounts(c, ana=Role.AGENT)
    with serving(c) as url:
        wrong = {"username": "ana", "password": "guess-guess"}
        for _ in range(5):
            assert httpx.post(f"{url}/login", data=wrong).status_code == 400
        paused = httpx.post(f"{url}/login", data={"username": "ana", "password": password_for("ana")})
        assert paused.status_code == 429, paused.text
        assert "Too many wrong passwords for 'ana'" in paused.json()["detail"]
        assert 1 <= int(paused.headers["retry-after"]) <= 60
    # Another server process on the same database sees the same pause.
    with pytest.raises(SignInLocked):
        Container(make_settings(tmp_path / "data")).users.authenticate("ana", password_for("ana"))
    c.close()
