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


FACTS = """\
type: checkout_failure
stage: investigating
title: Card payments failing
summary: Card payments fail at checkout.
affected: customers paying by card
actions: We are working with our payment provider.
next_update_at: "14:30 UTC"
workaround: null
"""


def test_draft_review_prints_the_full_result_as_json(env: Path) -> None:
    result = runner.invoke(
        app,
        [
            "draft",
            "review",
            "--text",
            "The Arden lamp flickers every evening after a week of use.",
            "--rating",
            "2",
            "--product",
            "Arden Desk Lamp",
            "--platform",
            "google_play",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    reply = json.loads(result.stdout)
    assert {
        "text",
        "kind",
        "language",
        "engine",
        "model",
        "fallback",
        "prompt",
        "sources",
        "report",
        "warnings",
        "timings",
    } <= reply.keys()
    assert reply["engine"] == "template" and reply["language"] == "en"
    assert "Arden Desk Lamp" in reply["text"] and len(reply["text"]) <= 350  # Google Play's limit
    assert reply["report"]["passed"] is True


def test_draft_review_rejects_an_empty_text_with_a_message(env: Path) -> None:
    result = runner.invoke(app, ["draft", "review", "--text", "   ", "--rating", "2"])
    assert result.exit_code == 1
    assert "review text is empty" in result.stderr and "Traceback" not in result.output


def test_draft_incident_drafts_the_chosen_channels(env: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(FACTS, encoding="utf-8")
    args = ["draft", "incident", "--facts", str(facts), "--channels", "sms,banner", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    pack = json.loads(result.stdout)
    assert [d["channel"] for d in pack["drafts"]] == ["sms", "banner"]
    assert pack["facts"]["workaround"] is None
    assert all(len(d["text"]) <= d["limit"] for d in pack["drafts"])
    assert "14:30 UTC" in pack["drafts"][0]["text"]
    human = runner.invoke(app, ["draft", "incident", "--facts", str(facts)])
    assert human.exit_code == 0 and "status_page" in human.stdout and "sms · " in human.stdout


def test_draft_incident_names_unknown_keys_and_values(env: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    bad = FACTS.replace("checkout_failure", "payment_meltdown") + "next_update: soon\n"
    facts.write_text(bad, encoding="utf-8")
    result = runner.invoke(app, ["draft", "incident", "--facts", str(facts)])
    assert result.exit_code == 1
    assert "facts.yaml:1 [type]" in result.stderr and "'checkout_failure'" in result.stderr
    assert "[next_update]" in result.stderr and "next_update_at" in result.stderr
    assert "nothing was drafted" in result.stderr
