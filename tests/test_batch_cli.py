"""`draftdesk batch` as a user runs it: a file in, every review out, a summary; killed and resumed."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from draftdesk.adapters.embeddings import Embedder
from draftdesk.container import Container
from draftdesk.entry.cli import app
from tests.conftest import make_settings
from tests.fake_openai import FakeOpenAI
from tests.test_jobs import answers, marker, review, role

runner = CliRunner()
HEADER = "id,platform,product,rating,created_at,author,text,language\n"


@pytest.fixture
def env(tmp_path: Path, small_kb: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRAFTDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DRAFTDESK_KNOWLEDGE_DIR", str(small_kb))
    # Ingested once here, so each command starts on a filled store.
    c = Container(make_settings(tmp_path / "data", knowledge_dir=small_kb))
    c.embedder = embedder  # type: ignore[misc]
    c.ensure_knowledge()
    c.close()
    return tmp_path


def test_batch_writes_every_row_and_prints_a_summary(env: Path) -> None:
    source = env / "reviews.csv"
    source.write_text(
        HEADER
        + "a1,google,Arden Desk Lamp,2,2026-01-01T09:00:00Z,Ann,The lamp flickers when I read,en\n"
        + "a2,google,Brio Electric Kettle,1,2026-01-01T09:00:00Z,Bo,,en\n"
        + "a3,trustpilot,Calder Throw Blanket,5,2026-01-01T09:00:00Z,Cy,So soft and warm,en\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["batch", str(source), "-o", "out/results.csv", "--concurrency", "2"])
    assert result.exit_code == 0, result.output
    with (env / "out" / "results.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == ["a1", "a2", "a3"]
    assert [r["state"] for r in rows] == ["done", "failed", "done"]
    assert "text" in rows[1]["error"] and rows[0]["reply"] and rows[0]["engine"] == "template"
    out = result.stdout
    for label in ("done", "failed", "check pass rate", "seconds"):
        assert label in out
    assert "a2: text:" in out and "Failed:" in out

    again = runner.invoke(app, ["batch", str(source), "-o", "out/results.jsonl", "--resume"])
    assert again.exit_code == 1 and "no earlier job to resume" in again.stderr


def test_batch_jsonl_in_and_out(env: Path) -> None:
    source = env / "reviews.jsonl"
    lines = [json.dumps(review(n)) for n in range(3)] + ["{not json"]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(source), "-o", "results.jsonl"])
    assert result.exit_code == 0, result.output
    items = [json.loads(x) for x in (env / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [i["state"] for i in items] == ["done", "done", "done", "failed"]
    assert items[0]["result"]["engine"] == "template" and "report" in items[0]["result"]
    assert "not valid JSON" in items[3]["error"]


def test_killed_mid_job_and_resumed_every_review_once_none_drafted_again(env: Path) -> None:
    total = 24
    source = env / "night.jsonl"
    source.write_text("\n".join(json.dumps(review(n)) for n in range(total)) + "\n", encoding="utf-8")
    output = env / "night-results.jsonl"
    with FakeOpenAI(responder=answers, latency=0.25) as server:
        environ = {
            **os.environ,
            "DRAFTDESK_LLM_PROVIDER": "openai",
            "DRAFTDESK_OPENAI_BASE_URL": server.base_url,
            "DRAFTDESK_LLM_MODEL": "test-model",
            "DRAFTDESK_MAX_REVISIONS": "0",
            "DRAFTDESK_BATCH_ITEM_TIMEOUT": "30",
        }
        command = [sys.executable, "-c", "from draftdesk.entry.cli import main; main()", "batch"]
        args = [str(source), "-o", str(output), "--concurrency", "2"]
        first = subprocess.Popen([*command, *args], env=environ, cwd=env, stderr=subprocess.PIPE)
        db_path = env / "data" / "draftdesk.db"
        deadline = time.monotonic() + 180
        finished_before: set[str] = set()
        while time.monotonic() < deadline and first.poll() is None:
            if db_path.exists():
                try:
                    with sqlite3.connect(db_path) as db:
                        finished_before = {
                            r for (r,) in db.execute("select review_id from job_items where state='done'")
                        }
                except sqlite3.OperationalError:
                    pass  # the schema is still being created
            if len(finished_before) >= 6:
                break
            time.sleep(0.1)
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        first.send_signal(signal.SIGKILL)
        first.wait()
        with sqlite3.connect(db_path) as db:
            finished_before = {r for (r,) in db.execute("select review_id from job_items where state='done'")}
        assert 6 <= len(finished_before) < total
        requests_before = len(server.requests)
        assert not output.exists()

        second = subprocess.run(
            [*command, *args, "--resume"], env=environ, cwd=env, capture_output=True, text=True, timeout=300
        )
        assert second.returncode == 0, second.stderr

    items = [json.loads(x) for x in output.read_text(encoding="utf-8").splitlines()]
    assert sorted(i["id"] for i in items) == sorted(f"rv-{n:03d}" for n in range(total))  # each once
    assert all(i["state"] == "done" for i in items)
    # Reviews finished before the kill were not sent to the model again.
    again = Counter(marker(b) for b in server.requests[requests_before:] if role(b) == "kind")
    assert not {f"rv-{m}" for m in again} & finished_before
    # The rest were classified once each after the restart, but for the few in flight at the kill.
    assert set(again) == {i["id"].removeprefix("rv-") for i in items if i["id"] not in finished_before}
    with sqlite3.connect(db_path) as db:
        assert db.execute("select count(*), count(distinct position) from job_items").fetchone() == (
            total,
            total,
        )
        assert db.execute("select count(*) from requests").fetchone()[0] == total  # one record each
    assert "check pass rate" in second.stdout
