"""The `draftdesk` command as a user runs it: exit codes, messages, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from draftdesk.entry.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, small_kb: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRAFTDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DRAFTDESK_KNOWLEDGE_DIR", str(small_kb))
    return small_kb


def test_search_on_first_start_ingests_and_says_so(env: Path) -> None:
    result = runner.invoke(
        app, ["search", "cyber monday card payments failing", "--kind", "incidents", "-k", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert "First start" in result.stderr
    hits = json.loads(result.stdout)
    assert hits[0]["id"] == "INC-2025-037" and "Timeline as published" in hits[0]["text"]
    again = runner.invoke(app, ["search", "refund for a late parcel", "--type", "shipping_delay"])
    assert again.exit_code == 0 and "First start" not in again.stderr
    assert "INC-2024-016" in again.stdout and "voice-and-tone" not in again.stdout


def test_ingest_prints_a_summary_and_is_idempotent(env: Path) -> None:
    first = runner.invoke(app, ["ingest"])
    assert first.exit_code == 0 and "11 added" in first.stdout
    second = runner.invoke(app, ["ingest"])
    assert "0 added, 0 updated, 0 removed, 11 unchanged (0 chunks embedded" in second.stdout


def test_invalid_knowledge_exits_non_zero_with_every_problem(env: Path) -> None:
    (env / "incidents" / "bad.yaml").write_text("id: X\ntype: meteor_strike\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "--path", str(env)])
    assert result.exit_code == 1
    assert "bad.yaml:2 [type]" in result.stderr and "nothing was changed" in result.stderr
    assert "[title]" in result.stderr and "[severity]" in result.stderr


def test_empty_search_text_is_an_error_not_a_crash(env: Path) -> None:
    result = runner.invoke(app, ["search", "   "])
    assert result.exit_code == 1 and "search text is empty" in result.stderr


def test_bad_setting_is_reported(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTDESK_CHROMA_URL", "not a url")
    result = runner.invoke(app, ["search", "refund"])
    assert result.exit_code == 1 and "chroma_url" in result.stderr
