"""The record of work, against a real SQLite file and a real Chroma store: nothing typed is lost,
every approval is recorded with its edit distance, and approved replies feed the repetition check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from draftdesk.adapters.embeddings import Embedder
from draftdesk.container import Container
from draftdesk.domain.drafts import MessageKind, ReviewRequest
from draftdesk.errors import InputError, RecordNotFound
from draftdesk.services.records import word_edit_distance
from draftdesk.services.tone_check import CheckContext

from .conftest import SAM, make_settings


def _head() -> str:
    """The newest migration, so adding one does not break these asserts."""
    from alembic.script import ScriptDirectory

    from draftdesk.adapters.database import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def _workspace(data: Path, kb: Path, embedder: Embedder) -> Container:
    """Its own store and database: approvals must not leak into other tests' published replies."""
    c = Container(make_settings(data, knowledge_dir=kb))
    c.embedder = embedder  # type: ignore[misc]
    c.ensure_knowledge()
    return c


LAMP = ReviewRequest(
    text="The Arden lamp flickers at the lowest setting, which is the one I use for reading.",
    rating=2,
    product="Arden Desk Lamp",
    platform="trustpilot",
    author="Priya",
    id="rv-981",
)


def test_a_fresh_database_file_gets_the_schema_and_reopening_changes_nothing(tmp_path: Path) -> None:
    from draftdesk.adapters.database import open_database

    url = f"sqlite:///{tmp_path / 'nested' / 'records.db'}"
    open_database(url)
    open_database(url)  # a second start must not fail or migrate twice
    with sqlite3.connect(tmp_path / "nested" / "records.db") as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
        version = db.execute("select version_num from alembic_version").fetchall()
    assert {"requests", "drafts", "edits", "approvals", "incidents", "jobs", "job_items"} <= tables
    assert version == [(_head(),)]


def test_work_in_progress_survives_a_restart_and_approval_records_the_edit(
    embedder: Embedder, small_kb: Path, tmp_path: Path
) -> None:
    first = _workspace(tmp_path / "data", small_kb, embedder)
    request_id = first.records.open_request("review_reply", LAMP)
    draft = first.reviews.draft(LAMP)
    first.records.add_draft(request_id, draft)
    edited = draft.text.replace("Arden", "Arden desk", 1) + " Thanks, Priya."
    first.records.save_edit(request_id, "half-typed")
    first.records.save_edit(request_id, edited)
    first.close()

    # A new process on the same data directory: the editor text comes back, newest first.
    second = _workspace(tmp_path / "data", small_kb, embedder)
    record = second.records.get(request_id)
    assert record.work_in_progress == {"review": edited}
    assert record.drafts[0].text == draft.text and record.drafts[0].engine == draft.engine.value
    assert record.payload["product"] == "Arden Desk Lamp" and record.status == "open"

    approval = second.records.approve(request_id, edited, SAM)
    assert approval.edit_distance == word_edit_distance(draft.text, edited) > 0
    assert 0 < approval.edit_ratio < 0.5
    assert second.records.get(request_id).status == "approved"

    # The approved reply now counts as published: drafting the same text again is a near-duplicate.
    again = second.checker.check(edited, CheckContext(kind=MessageKind.REVIEW_REPLY))
    assert "near_duplicate" in {i.family.value for i in again.errors}
    second.close()


def test_an_unchanged_approval_has_distance_zero_and_bad_approvals_are_refused(
    embedder: Embedder, small_kb: Path, tmp_path: Path
) -> None:
    c = _workspace(tmp_path / "data", small_kb, embedder)
    request_id = c.records.open_request("review_reply", LAMP)
    draft = c.reviews.draft(LAMP)
    c.records.add_draft(request_id, draft)
    with pytest.raises(InputError, match="no text"):
        c.records.approve(request_id, "   ", SAM)
    with pytest.raises(RecordNotFound):
        c.records.approve("no-such-request", draft.text, SAM)
    approval = c.records.approve(request_id, draft.text, SAM)
    assert approval.edit_distance == 0 and approval.edit_ratio == 0
    assert [r.id for r in c.records.recent("review_reply")] == [request_id]
    c.close()


def test_a_database_url_without_its_driver_or_malformed_says_what_to_do(tmp_path: Path) -> None:
    from draftdesk.adapters.database import open_database
    from draftdesk.errors import ConfigError

    # A server that is not there: the message names it (never the password) and what to check.
    with pytest.raises(ConfigError, match=r"127\.0\.0\.1:1/db cannot be opened") as refused:
        open_database("postgresql+psycopg://u:secret@127.0.0.1:1/db")
    assert "secret" not in str(refused.value) and "server is running" in (refused.value.hint or "")
    with pytest.raises(ConfigError, match="driver 'pymysql', which is not installed"):
        open_database("mysql+pymysql://u:p@127.0.0.1:1/db")
    with pytest.raises(ConfigError, match="not a database URL"):
        open_database("not a url")


@pytest.mark.parametrize(
    ("before", "after", "distance"),
    [
        ("we will send a new lamp", "we will send a new lamp", 0),
        ("we will send a new lamp", "we'll send a new lamp today", 3),
        ("", "a whole new reply", 4),
    ],
)
def test_edit_distance_counts_words_changed(before: str, after: str, distance: int) -> None:
    assert word_edit_distance(before, after) == distance


def test_a_database_from_the_first_release_is_upgraded_on_open_and_keeps_its_rows(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from draftdesk.adapters.database import MIGRATIONS, open_database

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "insert into requests (id, kind, payload, status, created_at, updated_at) "
            "values ('r1', 'review_reply', '{}', 'open', '2026-01-01', '2026-01-01')"
        )
    engine.dispose()
    open_database(url)
    with sqlite3.connect(tmp_path / "old.db") as db:
        assert db.execute("select id, incident_id from requests").fetchall() == [("r1", None)]
        assert db.execute("select version_num from alembic_version").fetchall() == [(_head(),)]
        assert db.execute("select count(*) from incidents").fetchone() == (0,)
