"""The team deployment, for real: two draftdesk server processes share a PostgreSQL database and a
Chroma server. One job of 300 reviews goes to one of them; both workers claim its items; one
process is killed (SIGKILL) mid-job; every review still ends with exactly one result."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import free_port
from .fake_openai import FakeOpenAI
from .test_drafting_llm import _answers, role

PRODUCTS = ["Arden Desk Lamp", "Brio Electric Kettle", "Calla Linen Duvet", "Dune Wool Rug", "Elm Side Table"]
PROBLEMS = ["arrived scratched", "stopped working after a week", "is smaller than shown", "smells odd"]


def _reviews(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"team-{i:03d}",
            "platform": "trustpilot",
            "product": PRODUCTS[i % len(PRODUCTS)],
            "rating": 1 + i % 3,
            "created_at": "2026-12-01T10:00:00+00:00",
            "author": f"Customer {i}",
            "text": f"Order {i}: my {PRODUCTS[i % len(PRODUCTS)]} {PROBLEMS[i % len(PROBLEMS)]}. Not happy.",
        }
        for i in range(n)
    ]


def _draftdesk() -> str:
    found = shutil.which("draftdesk", path=str(Path(sys.executable).parent))
    assert found, "the project installs the `draftdesk` command"
    return found


@pytest.fixture
def llm() -> Iterator[FakeOpenAI]:
    # Each call takes 0.3 s, so the job lasts long enough to kill a process in the middle of it.
    with FakeOpenAI(responder=_answers, latency=0.3) as fake:
        yield fake


def _env(data: Path, postgres_url: str, chroma_url: str, llm: FakeOpenAI, small_kb: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRAFTDESK_", "OPENAI_"))}
    env.update(
        DRAFTDESK_DATA_DIR=str(data),
        DRAFTDESK_KNOWLEDGE_DIR=str(small_kb),
        DRAFTDESK_DATABASE_URL=postgres_url,
        DRAFTDESK_CHROMA_URL=chroma_url,
        DRAFTDESK_LLM_PROVIDER="openai",
        DRAFTDESK_OPENAI_BASE_URL=llm.base_url,
        DRAFTDESK_OPENAI_API_KEY="test-key",
        DRAFTDESK_LLM_MODEL="test-model",
        DRAFTDESK_MAX_REVISIONS="0",
        DRAFTDESK_BATCH_CONCURRENCY="3",
        DRAFTDESK_BATCH_ITEM_TIMEOUT="5",
        DRAFTDESK_API_RATE_LIMIT="10000",
    )
    return env


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [_draftdesk(), "serve", "--port", str(port)], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.25)
    raise AssertionError(
        f"the server on port {port} did not start: {log.read_text(errors='replace')[-3000:]}"
    )


def test_two_servers_share_one_job_and_a_killed_one_loses_nothing(
    tmp_path: Path, postgres_url: str, chroma_url: str, llm: FakeOpenAI, small_kb: Path
) -> None:
    env_a = _env(tmp_path / "a", postgres_url, chroma_url, llm, small_kb)
    env_b = _env(tmp_path / "b", postgres_url, chroma_url, llm, small_kb)
    key = subprocess.run(
        [_draftdesk(), "keys", "create", "nightly-sync"],
        env=env_a,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port_a, port_b = free_port(), free_port()
    a = _serve(env_a, port_a, tmp_path / "a.log")
    b = _serve(env_b, port_b, tmp_path / "b.log")
    api_a = httpx.Client(
        base_url=f"http://127.0.0.1:{port_a}", headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    try:
        reviews = _reviews(300)
        answer = api_a.post("/api/v1/jobs", json={"reviews": reviews})
        assert answer.status_code in (200, 201, 202), answer.text
        job_id = answer.json()["id"]

        # Kill B once both processes have drafted some of the job.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            progress = api_a.get(f"/api/v1/jobs/{job_id}").json()["progress"]
            if progress["done"] >= 60:
                break
            time.sleep(0.5)
        os.kill(b.pid, signal.SIGKILL)
        b.wait(timeout=10)

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            status = api_a.get(f"/api/v1/jobs/{job_id}").json()
            if status["state"] == "done":
                break
            time.sleep(1)
        assert status["state"] == "done", status
        assert status["progress"]["done"] == 300 and status["progress"]["failed"] == 0, status

        lines = api_a.get(f"/api/v1/jobs/{job_id}/results", params={"format": "jsonl"}).text.splitlines()
        results = [json.loads(line) for line in lines if line.strip()]
        ids = Counter(r["id"] for r in results)
        assert set(ids) == {r["id"] for r in reviews} and set(ids.values()) == {1}  # each review once
        assert all(r["state"] == "done" and r["result"]["engine"] for r in results)
    finally:
        api_a.close()
        for process in (a, b):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    # Both processes drafted part of the job (the claim token starts with host:pid).
    pids = Counter(worker.split(":")[1] for worker in _finished_by(postgres_url, job_id))
    assert set(pids) == {str(a.pid), str(b.pid)}, pids
    # An item is asked of the model again only if B was drafting it when it died (3 at a time).
    asked = Counter(_review_id(body) for body in llm.requests if role(body) == "reply")
    assert sum(1 for n in asked.values() if n > 1) <= 3


def _review_id(body: dict[str, Any]) -> str:
    text = " ".join(str(m["content"]) for m in body["messages"])
    start = text.find("Order ")
    return text[start : text.find(":", start)]


def _finished_by(database_url: str, job_id: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("select worker from job_items where job_id = :job and state = 'done'"), {"job": job_id}
        )
        workers = [str(row[0]) for row in rows]
    engine.dispose()
    return workers
