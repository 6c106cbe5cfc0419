"""`draftdesk check` and `draftdesk publish` as a support team uses them: one message, or a whole export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from draftdesk.entry.cli import app

runner = CliRunner()
KETTLE_REVIEW = {
    "text": "The lid of my Brio kettle pops open while it boils.",
    "rating": 1,
    "product": "Brio Kettle",
}
GOOD = (
    "Sorry the lid of your Brio kettle springs open mid-boil, Sam. We'll send a replacement or refund you "
    "in full; message us at lumenandloom.example/help and we'll arrange it."
)
STATUS_FACTS = {
    "type": "checkout_failure",
    "stage": "investigating",
    "title": "Card payments failing",
    "summary": "Card payments fail at checkout.",
    "affected": "customers paying by card",
    "actions": "We are working with our payment provider.",
    "next_update_at": "14:30 UTC",
}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRAFTDESK_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_one_reply_is_checked_against_its_review(env: Path) -> None:
    bad = runner.invoke(
        app,
        [
            "check",
            "--review",
            KETTLE_REVIEW["text"],
            "--rating",
            "1",
            "--product",
            "Brio Kettle",
            "--json",
            "We value your feedback and apologise for any inconvenience.",
        ],
    )
    assert bad.exit_code == 1, bad.output
    report = json.loads(bad.stdout)
    assert not report["passed"] and report["score"] < 60
    generic = [i for i in report["issues"] if i["family"] == "generic"]
    assert generic and all(i["message"] and i["suggestion"] for i in generic)
    assert generic[0]["span"] == [0, len("We value your feedback")]
    good = runner.invoke(
        app, ["check", "--review", KETTLE_REVIEW["text"], "--rating", "1", "--product", "Brio Kettle", GOOD]
    )
    assert good.exit_code == 0, good.output
    assert "checks passed" in good.stdout


def test_a_status_update_is_checked_against_its_facts_file(env: Path) -> None:
    facts = env / "facts.yaml"
    facts.write_text("\n".join(f"{k}: {v}" for k, v in STATUS_FACTS.items()), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "check",
            "--kind",
            "status_update",
            "--channel",
            "sms",
            "--facts",
            str(facts),
            "--json",
            "Lumen & Loom: a minor glitch with our payment API. Fixed within the hour!",
        ],
    )
    assert result.exit_code == 1, result.output
    families = {i["family"] for i in json.loads(result.stdout)["issues"]}
    assert {"sugarcoat", "jargon", "unsupported_claim"} <= families


def test_bad_usage_exits_2(env: Path) -> None:
    assert runner.invoke(app, ["check"]).exit_code == 2
    assert runner.invoke(app, ["check", "--kind", "status_update", "text without facts"]).exit_code == 2


def test_a_jsonl_export_is_audited_line_by_line_and_a_bad_line_loses_nothing(env: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": GOOD, "kind": "review_reply", "review": KETTLE_REVIEW}),
        "{not json",
        json.dumps({"id": "b", "text": "Your order 48213977 is on its way.", "review": KETTLE_REVIEW}),
        json.dumps({"id": "c", "kind": "status_update", "text": "Card payments are failing."}),
        json.dumps(
            {
                "id": "d",
                "kind": "status_update",
                "channel": "sms",
                "facts": STATUS_FACTS,
                "text": "Lumen & Loom: card payments are failing at checkout. Next update 14:30 UTC.",
            }
        ),
    ]
    path = env / "export.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "e", "text": "caf\xe9"}\n')
    result = runner.invoke(app, ["check", "--file", str(path), "--json"])
    assert result.exit_code == 1
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(out) == 6  # one line out for every line in, in order
    assert out[0] == {"id": "a", "report": out[0]["report"]} and out[0]["report"]["passed"]
    assert out[1]["line"] == 2 and "JSON" in out[1]["error"]
    assert "private_data" in {i["family"] for i in out[2]["report"]["issues"]}
    assert out[3]["id"] == "c" and out[3]["line"] == 4 and "facts" in out[3]["error"]
    assert out[4]["report"]["passed"], out[4]
    assert out[5]["line"] == 6 and "UTF-8" in out[5]["error"]


def test_published_replies_make_a_pasted_draft_a_near_duplicate(env: Path) -> None:
    published = env / "published.jsonl"
    published.write_text(
        json.dumps({"id": "P-17", "text": GOOD, "product": "Brio Kettle"}) + "\n" + '{"id": ""}\n',
        encoding="utf-8",
    )
    added = runner.invoke(app, ["publish", str(published)])
    assert added.exit_code == 1 and "1 added" in added.stdout and "line 2" in added.stderr
    pasted = GOOD.replace("Sam", "Priya")
    result = runner.invoke(
        app,
        ["check", "--review", "My Brio kettle lid will not stay shut.", "--rating", "2", "--json", pasted],
    )
    assert result.exit_code == 1
    dupes = [i for i in json.loads(result.stdout)["issues"] if i["family"] == "near_duplicate"]
    assert dupes and "P-17" in dupes[0]["message"]
    fresh = (
        "Priya, a kettle lid that won't stay shut is a real nuisance and we're sorry. A replacement Brio is "
        "yours if you want it: tell us at lumenandloom.example/help where to send it."
    )
    ok = runner.invoke(
        app, ["check", "--review", "My Brio kettle lid will not stay shut.", "--rating", "2", fresh]
    )
    assert ok.exit_code == 0, ok.output


def test_drafts_in_one_batch_that_repeat_each_other_are_flagged(env: Path) -> None:
    lines = [
        json.dumps({"id": f"r{n}", "text": GOOD.replace("Sam", name), "review": KETTLE_REVIEW})
        for n, name in enumerate(["Sam", "Ana", "Joe"])
    ]
    path = env / "wave.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = [
        json.loads(x)
        for x in runner.invoke(app, ["check", "--file", str(path), "--json"]).stdout.splitlines()
    ]
    assert out[0]["report"]["passed"]
    for later in out[1:]:
        dupes = [i for i in later["report"]["issues"] if i["family"] == "near_duplicate"]
        assert dupes and "r0" in dupes[0]["message"]
