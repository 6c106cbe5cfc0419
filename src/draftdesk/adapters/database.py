"""The record database: every request, draft version, edit and approval.

SQLAlchemy 2 over any URL (SQLite in the data directory by default, PostgreSQL for a
team); the schema is owned by Alembic migrations in `draftdesk/migrations`, applied when
the database is opened, so an upgrade never needs a manual step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from draftdesk.errors import ConfigError, MissingExtraError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class RequestRow(Base):
    """What a user asked for: a review to answer, or an incident update to draft."""

    __tablename__ = "requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id"), index=True, default=None)
    created_by: Mapped[str | None] = mapped_column(String(100), index=True, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class IncidentRow(Base):
    """An incident the comms lead is handling: its facts as last edited, and how it ended."""

    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    facts: Mapped[dict[str, Any]]
    resolution: Mapped[dict[str, Any]]
    filed_as: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class UserRow(Base):
    """An account created with `draftdesk users add`; the password only as a bcrypt hash."""

    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class DraftRow(Base):
    """One draft version, as the engine wrote it, with what it was built from and its check."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="review")
    version: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(200), default=None)
    text: Mapped[str] = mapped_column(Text)
    engine: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str | None] = mapped_column(String(100))
    sources: Mapped[list[Any]]
    report: Mapped[dict[str, Any]]
    created_by: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class EditRow(Base):
    """The text a person has in the editor, saved as it changes so nothing typed is lost."""

    __tablename__ = "edits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="review")
    text: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ApprovalRow(Base):
    """Who approved what, when, and how far it moved from the draft."""

    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="review")
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    approved_by: Mapped[str] = mapped_column(String(200))
    published_text: Mapped[str] = mapped_column(Text)
    edit_distance: Mapped[int]
    edit_ratio: Mapped[float]
    report: Mapped[dict[str, Any]]
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class JobRow(Base):
    """A batch job: a night's reviews sent at once; its items carry the work (migration 0004)."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    total: Mapped[int]
    rejected: Mapped[int] = mapped_column(Integer, default=0)  # items failed at submission
    source: Mapped[str | None] = mapped_column(String(200), default=None)
    created_by: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class JobItemRow(Base):
    """One review of a job: queued, leased by a worker (running), then done or failed exactly once."""

    __tablename__ = "job_items"
    __table_args__ = (
        Index("ix_job_items_claim", "state", "job_id", "position"),
        Index("ix_job_items_job_position", "job_id", "position", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"))
    position: Mapped[int]
    review_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(120), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    reply_text: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    request_id: Mapped[str | None] = mapped_column(String(36), default=None)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


def open_database(url: str) -> sessionmaker[Any]:
    """An engine on `url` with the schema migrated to the newest version."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
    except ModuleNotFoundError as exc:
        # The SQLite driver ships with Python; PostgreSQL's comes with the `postgres` extra.
        if (exc.name or "").startswith("psycopg"):
            raise MissingExtraError(exc.name or "psycopg", "postgres", "This database URL") from exc
        raise ConfigError(
            f"DRAFTDESK_DATABASE_URL needs the database driver '{exc.name}', which is not installed.",
            "Use SQLite or PostgreSQL (pip install 'draftdesk[postgres]'), or install that driver.",
        ) from exc
    except ArgumentError as exc:
        raise ConfigError(
            f"DRAFTDESK_DATABASE_URL is not a database URL: {exc}",
            "Use sqlite:///path/to/file.db or postgresql+psycopg://user:password@host/db.",
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise ConfigError(
            f"The record database at {engine.url.render_as_string(hide_password=True)} cannot be opened: "
            f"{str(exc.orig).strip().splitlines()[0]}",
            "Check DRAFTDESK_DATABASE_URL, and that the database server is running and reachable.",
        ) from None
    return sessionmaker(engine, expire_on_commit=False)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets the UI read while a bulk run writes; foreign keys are off in SQLite by default.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode a commit survives the process being killed without an fsync each time; only a
    # power cut can take back the last commits. A batch job writes a few rows a draft.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class ApiKeyRow(Base):
    """A REST API key from `draftdesk keys create`: only its SHA-256 is kept, never the key."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ApiRateRow(Base):
    """One API key's token bucket, in the database so that every server process spends the same
    budget. `updated_at` is wall-clock seconds (processes on several machines share it)."""

    __tablename__ = "api_rate_buckets"
    key_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    allowed: Mapped[bool] = mapped_column(Boolean)  # whether the last request was let through


class SignInFailureRow(Base):
    """Wrong passwords in a row for one account name (names that do not exist too, so a guesser
    learns nothing); times are wall-clock seconds, shared by every server process."""

    __tablename__ = "sign_in_failures"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[float] = mapped_column(Float)
    locked_until: Mapped[float] = mapped_column(Float)
