"""The REST API against the real app (FastAPI with Gradio mounted) served on 127.0.0.1, with httpx:
keys, limits, problem details, every route; the loopback OpenAI server where a model matters."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from draftdesk.container import Container
from draftdesk.entry.cli import app as cli
from tests.conftest import drafting_container, free_port, model_container, serving
from tests.fake_openai import FakeOpenAI
from tests.test_jobs import PRODUCTS, answers, review

PROBLEM = "application/problem+json"
runner = CliRunner()


def new_key(c: Container, name: str = "test") -> dict[str, str]:
    _, secret = c.api_keys.create(name)
    return {"Authorization": f"Bearer {secret}"}


def assert_problem(r: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["type"].startswith("urn:draftdesk:problem:")
    assert body["title"] and body["instance"].startswith("/")
    for word in words:
        assert word in body["detail"], body
    return body


def test_keys_from_the_cli_work_are_stored_hashed_and_stop_working_when_revoked(
    full_store: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("DRAFTDESK_DATA_DIR", str(data))
    created = runner.invoke(cli, ["keys", "create", "zendesk-sync"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("dd_") and len(secret) > 40
    again = runner.invoke(cli, ["keys", "create", "zendesk-sync"])
    assert again.exit_code == 1 and "already an active key" in again.output

    c = drafting_container(full_store, data)
    check = {"text": "Thank you for your feedback."}
    with serving(c) as url:
        missing = httpx.post(f"{url}/api/v1/tone-check", json=check)
        body = assert_problem(missing, 401, "API key")
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert "draftdesk keys create" in body["hint"]
        for wrong in ("dd_not-a-real-key", secret[:-2], "Basic abc"):
            header = wrong if wrong.startswith("Basic") else f"Bearer {wrong}"
            refused = httpx.post(f"{url}/api/v1/tone-check", json=check, headers={"Authorization": header})
            assert_problem(refused, 401)
            assert refused.headers["www-authenticate"].startswith("Bearer")

        auth = {"Authorization": f"Bearer {secret}"}
        ok = httpx.post(f"{url}/api/v1/tone-check", json=check, headers=auth)
        assert ok.status_code == 200, ok.text

        listed = runner.invoke(cli, ["keys", "list"])
        assert "zendesk-sync" in listed.stdout and "active" in listed.stdout
        assert secret not in listed.stdout and secret[:8] in listed.stdout
        revoked = runner.invoke(cli, ["keys", "revoke", "zendesk-sync"])
        assert revoked.exit_code == 0, revoked.output
        assert_problem(httpx.post(f"{url}/api/v1/tone-check", json=check, headers=auth), 401, "revoked")
        assert "revoked" in runner.invoke(cli, ["keys", "list"]).stdout
        assert runner.invoke(cli, ["keys", "revoke", "zendesk-sync"]).exit_code == 1
    c.close()

    with sqlite3.connect(data / "draftdesk.db") as db:
        rows = db.execute("select * from api_keys").fetchall()
    assert len(rows) == 1
    assert secret not in json.dumps(rows, default=str)
    assert hashlib.sha256(secret.encode()).hexdigest() in rows[0]
    assert secret.encode() not in (data / "draftdesk.db").read_bytes()


def test_the_rate_limit_answers_429_with_retry_after(full_store: Container, tmp_path: Path) -> None:
    c = drafting_container(full_store, tmp_path / "data", api_rate_limit=3)
    auth, other = new_key(c, "one"), new_key(c, "two")
    with serving(c) as url:
        check = {"text": "Thank you for your feedback."}
        for _ in range(3):
            assert httpx.post(f"{url}/api/v1/tone-check", json=check, headers=auth).status_code == 200
        limited = httpx.post(f"{url}/api/v1/tone-check", json=check, headers=auth)
        assert_problem(limited, 429, "3 requests a minute")
        assert int(limited.headers["retry-after"]) >= 1
        # Each key has its own bucket.
        assert httpx.post(f"{url}/api/v1/tone-check", json=check, headers=other).status_code == 200
    c.close()


def test_two_servers_on_one_database_spend_one_rate_limit_even_at_the_same_moment(
    full_store: Container, tmp_path: Path, postgres_url: str
) -> None:
    # Two app instances as two servers of a team deployment: nothing shared but PostgreSQL.
    a = drafting_container(full_store, tmp_path / "a", database_url=postgres_url, api_rate_limit=8)
    b = drafting_container(full_store, tmp_path / "b", database_url=postgres_url, api_rate_limit=8)
    auth = new_key(a, "nightly-sync")
    check = {"text": "Thank you for your feedback."}
    with serving(a) as url_a, serving(b) as url_b:

        def post(n: int) -> httpx.Response:
            return httpx.post(f"{(url_a, url_b)[n % 2]}/api/v1/tone-check", json=check, headers=auth)

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(post, range(12)))
        codes = Counter(r.status_code for r in answers)
        assert codes == {200: 8, 429: 4}, codes
        refused = [r for r in answers if r.status_code == 429]
        for r in refused:
            assert_problem(r, 429, "8 requests a minute")
            assert 1 <= int(r.headers["retry-after"]) <= 8  # one request's worth of refill: 7.5 s
        # Both servers refuse the key now, whichever answered the last allowed request.
        assert post(0).status_code == 429 and post(1).status_code == 429
    a.close()
    b.close()


def test_request_size_and_batch_limits(full_store: Container, tmp_path: Path) -> None:
    c = drafting_container(full_store, tmp_path / "data", api_max_body_mb=0.05)
    auth = new_key(c)
    with serving(c) as url:
        too_many = httpx.post(
            f"{url}/api/v1/review-replies", json={"reviews": [review(n) for n in range(101)]}, headers=auth
        )
        body = assert_problem(too_many, 422, "at most 100")
        assert body["errors"][0]["field"] == "reviews"

        big = {"text": "x" * 60_000}
        assert_problem(httpx.post(f"{url}/api/v1/tone-check", json=big, headers=auth), 413, "0.05 MB")

        # Without a Content-Length (chunked), the limit still holds while the body arrives.
        def chunks() -> Iterator[bytes]:
            yield b'{"text": "'
            for _ in range(20):
                yield b"y" * 5000
            yield b'"}'

        chunked = httpx.post(
            f"{url}/api/v1/tone-check",
            content=chunks(),
            headers={**auth, "Content-Type": "application/json"},
        )
        assert_problem(chunked, 413)
        # Under the limit, all is well; the Gradio app is not under the API's limit.
        assert httpx.post(f"{url}/api/v1/tone-check", json={"text": "Hi"}, headers=auth).status_code == 200
    c.close()


def test_review_replies_answer_each_good_review_and_the_bad_one_fails_alone(
    full_store: Container, tmp_path: Path
) -> None:
    with FakeOpenAI(responder=answers) as server:
        c = model_container(full_store, tmp_path / "data", server, max_revisions=0)
        auth = new_key(c)
        with serving(c) as url:
            sent = [review(1), review(2), review(3, rating=9, text=""), review(4)]
            r = httpx.post(f"{url}/api/v1/review-replies", json={"reviews": sent}, headers=auth, timeout=120)
        c.close()
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["done"], body["failed"]) == (3, 1)
    results = body["results"]
    assert [x["id"] for x in results] == ["rv-001", "rv-002", "rv-003", "rv-004"]
    bad = results[2]
    assert bad["state"] == "failed" and bad["result"] is None
    assert "rating" in bad["error"] and "text" in bad["error"]
    answered = [results[0], results[1], results[3]]
    for good, product in zip(answered, [PRODUCTS[1], PRODUCTS[2], PRODUCTS[0]], strict=True):
        assert good["state"] == "done" and good["error"] is None, good
        reply = good["result"]
        assert product in reply["text"]
        assert reply["engine"] == "openai" and reply["model"] == "test-model"
        assert reply["sources"] and {"id", "title", "collection", "why"} <= set(reply["sources"][0])
        assert {"passed", "score", "issues"} <= set(reply["report"])
        assert reply["review_id"] == good["id"]


def test_tone_check_flags_a_stock_reply_and_passes_a_specific_one(api: tuple[str, Container]) -> None:
    url, c = api
    auth = new_key(c)
    kettle = {
        "text": "The lid of my Brio Electric Kettle springs open mid-boil and splashes boiling water.",
        "rating": 1,
        "product": "Brio Electric Kettle",
        "language": "en",
    }
    stock = httpx.post(
        f"{url}/api/v1/tone-check",
        json={
            "id": "stock",
            "text": "Thank you for your feedback. We value all our customers and apologise for any "
            "inconvenience caused.",
            "review": kettle,
        },
        headers=auth,
    )
    assert stock.status_code == 200, stock.text
    report = stock.json()["report"]
    assert stock.json()["id"] == "stock" and not report["passed"]
    assert "generic" in {i["family"] for i in report["issues"] if i["severity"] == "error"}

    specific = httpx.post(
        f"{url}/api/v1/tone-check",
        json={
            "text": "A Brio kettle lid that springs open mid-boil is a scalding risk, and we're sorry. We'll "
            "send a replacement straight away: message us at lumenandloom.example/help.",
            "review": kettle,
        },
        headers=auth,
    )
    assert specific.status_code == 200 and specific.json()["report"]["passed"], specific.text

    half = {"text": "x", "kind": "status_update"}
    invalid = httpx.post(f"{url}/api/v1/tone-check", json=half, headers=auth)
    body = assert_problem(invalid, 422, "facts")
    assert body["errors"]


def test_status_updates_return_a_pack_within_each_channels_limit(api: tuple[str, Container]) -> None:
    url, c = api
    facts = {
        "type": "checkout_failure",
        "stage": "identified",
        "title": "Card payments failing at checkout",
        "summary": "Some card payments are declined at the last step of checkout.",
        "affected": "Customers paying by card on the website; PayPal works.",
        "actions": "Our payment provider is rolling back a faulty update.",
        "workaround": "Pay with PayPal for now.",
        "channels": ["status_page", "email", "sms", "social"],
    }
    r = httpx.post(f"{url}/api/v1/status-updates", json=facts, headers=new_key(c), timeout=120)
    assert r.status_code == 200, r.text
    pack = r.json()
    assert [d["channel"] for d in pack["drafts"]] == facts["channels"]
    for draft in pack["drafts"]:
        assert draft["text"] and draft["engine"] == "template" and "report" in draft
        assert draft["limit"] is None or len(draft["text"]) <= draft["limit"], draft
    assert next(d for d in pack["drafts"] if d["channel"] == "sms")["limit"]

    panic = {**facts, "stage": "panic"}
    wrong = httpx.post(f"{url}/api/v1/status-updates", json=panic, headers=new_key(c, "b"))
    body = assert_problem(wrong, 422, "stage")
    assert body["errors"][0]["field"] == "stage"


def test_readyz_names_what_cannot_be_reached(full_store: Container, tmp_path: Path) -> None:
    closed = free_port()
    c = drafting_container(
        full_store,
        tmp_path / "down",
        llm_provider="openai",
        openai_base_url=f"http://127.0.0.1:{closed}/v1",
        llm_model="test-model",
    )
    with serving(c) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
        r = httpx.get(f"{url}/readyz", timeout=30)
        body = assert_problem(r, 503, "llm", str(closed))
        assert body["components"]["llm"]["ok"] is False
        assert body["components"]["store"]["ok"] and body["components"]["database"]["ok"]
    c.close()

    with FakeOpenAI(responder=answers) as server:
        c = model_container(full_store, tmp_path / "up", server)
        with serving(c) as url:
            r = httpx.get(f"{url}/readyz", timeout=30)
        c.close()
    assert r.status_code == 200 and r.json()["status"] == "ready", r.text


def test_csv_jobs_with_wrong_columns_or_encoding_are_refused_with_a_clear_detail(
    api: tuple[str, Container],
) -> None:
    url, c = api
    auth = new_key(c)
    wrong_columns = b"review_id,stars,body\n1,2,broken\n"
    latin1 = b"id,platform,product,rating,created_at,author,text,language\n" + (
        "r1,shop,Lampe,2,2026-03-01T10:00:00Z,José,Très déçu,fr\n".encode("latin-1")
    )
    for send in (
        lambda data: httpx.post(
            f"{url}/api/v1/jobs", content=data, headers={**auth, "Content-Type": "text/csv"}
        ),
        lambda data: httpx.post(
            f"{url}/api/v1/jobs", files={"file": ("reviews.csv", data, "text/csv")}, headers=auth
        ),
    ):
        body = assert_problem(send(wrong_columns), 400, "lacks the column", "platform")
        assert "header" in body["hint"]
        body = assert_problem(send(latin1), 400, "not UTF-8", "line 2")
        assert "UTF-8" in body["hint"]

    no_file = httpx.post(f"{url}/api/v1/jobs", files={"upload": ("r.csv", wrong_columns)}, headers=auth)
    assert_problem(no_file, 400, "`file`")
    form = httpx.post(f"{url}/api/v1/jobs", data={"file": "x"}, headers=auth)
    assert_problem(form, 415, "x-www-form-urlencoded")
    xml = httpx.post(f"{url}/api/v1/jobs", content=b"<a/>", headers={**auth, "Content-Type": "text/xml"})
    assert_problem(xml, 415)
    not_json = httpx.post(
        f"{url}/api/v1/jobs", content=b"{nope", headers={**auth, "Content-Type": "application/json"}
    )
    assert_problem(not_json, 400, "not valid JSON")


def _wait(url: str, job_id: str, auth: dict[str, str], seconds: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = httpx.get(f"{url}/api/v1/jobs/{job_id}", headers=auth)
        assert r.status_code == 200, r.text
        status: dict[str, Any] = r.json()
        if status["state"] in ("done", "cancelled"):
            return status
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish")


def test_a_job_of_20_reviews_end_to_end_each_result_exactly_once(api: tuple[str, Container]) -> None:
    url, c = api
    auth = new_key(c)
    sent = [review(n) for n in range(19)] + [review(19, rating=0)]
    r = httpx.post(f"{url}/api/v1/jobs", json={"reviews": sent}, headers=auth)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["state"] in ("queued", "running") and job["total"] == 20
    assert r.headers["location"] == f"/api/v1/jobs/{job['id']}"

    status = _wait(url, job["id"], auth)
    assert status["state"] == "done"
    progress = status["progress"]
    assert (progress["done"], progress["failed"], progress["remaining"]) == (19, 1, 0)

    ids = [f"rv-{n:03d}" for n in range(20)]
    for ask in ({"headers": {"Accept": "application/x-ndjson"}}, {"params": {"format": "jsonl"}}, {}):
        lines = httpx.get(
            f"{url}/api/v1/jobs/{job['id']}/results",
            headers={**auth, **ask.get("headers", {})},
            params=ask.get("params"),
        )
        assert lines.status_code == 200 and lines.headers["content-type"].startswith("application/x-ndjson")
        items = [json.loads(line) for line in lines.text.splitlines()]
        assert sorted(i["id"] for i in items) == ids
        for item in items:
            if item["id"] == "rv-019":
                assert item["state"] == "failed" and "rating" in item["error"]
            else:
                assert item["state"] == "done" and item["result"]["engine"] == "template"
                assert "report" in item["result"] and "sources" in item["result"]

    for ask in ({"headers": {"Accept": "text/csv"}}, {"params": {"format": "csv"}}):
        table = httpx.get(
            f"{url}/api/v1/jobs/{job['id']}/results",
            headers={**auth, **ask.get("headers", {})},
            params=ask.get("params"),
        )
        assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(table.text)))
        assert sorted(row["id"] for row in rows) == ids
        assert {row["state"] for row in rows} == {"done", "failed"}

    refused = httpx.get(f"{url}/api/v1/jobs/{job['id']}/results", headers={**auth, "Accept": "image/png"})
    assert_problem(refused, 406)
    assert_problem(httpx.get(f"{url}/api/v1/jobs/no-such-job", headers=auth), 404, "no-such-job")
    assert_problem(httpx.get(f"{url}/api/v1/jobs/no-such-job/results", headers=auth), 404)


def test_a_cancelled_job_stops_and_keeps_its_finished_results(api: tuple[str, Container]) -> None:
    url, c = api
    auth = new_key(c)
    sent = [review(n) for n in range(300)]
    job = httpx.post(f"{url}/api/v1/jobs", json={"reviews": sent}, headers=auth).json()
    cancelled = httpx.post(f"{url}/api/v1/jobs/{job['id']}/cancel", headers=auth)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    status = _wait(url, job["id"], auth)
    assert status["state"] == "cancelled" and status["progress"]["done"] < 300
    lines = httpx.get(f"{url}/api/v1/jobs/{job['id']}/results", headers=auth).text.splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)) < 300
    assert_problem(httpx.post(f"{url}/api/v1/jobs/nope/cancel", headers=auth), 404)
