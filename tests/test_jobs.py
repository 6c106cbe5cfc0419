"""Batch jobs against a real SQLite file, the real Chroma store and the loopback OpenAI server:
every review accounted for exactly once, bad ones failing alone, transient model errors outlasted."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from draftdesk.container import Container
from draftdesk.domain.drafts import Engine
from draftdesk.domain.jobs import JobStatus
from draftdesk.errors import InputError, RecordNotFound
from draftdesk.services.batch_jobs import JobService
from draftdesk.services.job_worker import JobWorker, running
from tests.conftest import drafting_container, model_container
from tests.fake_openai import Failure, FakeOpenAI

PRODUCTS = ["Arden Desk Lamp", "Brio Electric Kettle", "Calder Throw Blanket", "Dune Linen Sheets"]
_MARK = re.compile(r"\bR(\d{3})\b")


def review(n: int, **changes: Any) -> dict[str, Any]:
    product = PRODUCTS[n % len(PRODUCTS)]
    data: dict[str, Any] = {
        "id": f"rv-{n:03d}",
        "platform": "trustpilot",
        "product": product,
        "rating": 2,
        "created_at": "2026-03-01T10:00:00Z",
        "author": f"Customer {n}",
        "text": f"My {product} (order R{n:03d}) arrived with a broken part and nobody answered my email.",
        "language": "en",
    }
    data.update(changes)
    return data


def role(body: dict[str, Any]) -> str:
    return "kind" if "You sort customer reviews" in str(body["messages"][0]["content"]) else "reply"


def marker(body: dict[str, Any]) -> str:
    found = _MARK.findall(str(body["messages"][-1]["content"]))
    return found[-1] if found else "?"


def answers(body: dict[str, Any]) -> str:
    """A classification, or a reply specific to the review (so replies do not repeat each other)."""
    if role(body) == "kind":
        return json.dumps({"kind": "legitimate_complaint", "problem": "a broken part on arrival"})
    text = str(body["messages"][-1]["content"])
    product = next((p for p in PRODUCTS if p in text), "order")
    n = marker(body)
    return (
        f"I'm sorry your {product} arrived with a broken part, and that your email {n} went unanswered. "
        f"Please message us at lumenandloom.example/help and we will send the part for order {n} today. "
        "Lumen & Loom Care team"
    )


def wait_until_finished(jobs: JobService, job_id: str, seconds: float = 120) -> JobStatus:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = jobs.status(job_id)
        if status.state in ("done", "cancelled"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {jobs.status(job_id)}")


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(responder=answers) as fake:
        yield fake


def test_a_night_job_with_flaky_model_and_bad_reviews_accounts_for_every_review_once(
    full_store: Container, tmp_path: Path, server: FakeOpenAI
) -> None:
    c = model_container(
        full_store,
        tmp_path,
        server,
        llm_timeout=1.0,
        llm_max_retries=2,
        max_revisions=0,
        batch_concurrency=4,
        batch_item_timeout=30,
        batch_retry_delay=0.2,
    )
    # Rate limits with Retry-After, server errors, and one call that hangs past the client's timeout.
    server.script(
        Failure(429, retry_after=0.5),
        Failure(500),
        Failure(status=200, hang=2.5),
        Failure(503),
        Failure(429, retry_after=0.2),
        Failure(502),
    )
    good = [review(n) for n in range(27)]
    bad = [
        review(90, id="empty", text="   "),
        review(91, id="klingon", language="xx"),
        review(92, id="huge", text="word " * 200_000),
        review(93, rating=9),
        "not a review",
    ]
    status = c.jobs.submit([*good[:10], *bad, *good[10:]], by="integration")
    assert status.state == "queued" and status.total == 32
    assert status.progress.failed == 5 and status.progress.remaining == 27

    with running(c.job_worker):
        final = wait_until_finished(c.jobs, status.id)

    assert final.state == "done" and final.finished_at is not None and final.created_by == "integration"
    assert (final.progress.done, final.progress.failed, final.progress.remaining) == (27, 5, 0)
    assert final.progress.rate and final.progress.rate > 0
    results = list(c.jobs.results(status.id))
    assert len(results) == 32 and len({r.id for r in results}) == 32  # each review exactly once
    assert [r.id for r in results[:12]] == [g["id"] for g in good[:10]] + ["empty", "klingon"]  # input order
    errors = {r.id: r.error for r in results if r.state == "failed"}
    assert set(errors) == {"empty", "klingon", "huge", "rv-093", "#15"}
    assert "text" in (errors["empty"] or "")
    assert "'xx' is not a language" in (errors["klingon"] or "")
    assert "longer than the 20000 characters" in (errors["huge"] or "")
    assert "rating" in (errors["rv-093"] or "")
    assert "must be a JSON object" in (errors["#15"] or "")
    done = [r for r in results if r.state == "done"]
    for r in done:
        assert r.result is not None and r.error is None and r.request_id
        # The transient failures were outlasted: every reply is the model's, none a template fallback.
        assert r.result.engine == Engine.OPENAI and not r.result.fallback, r.result.warnings
        assert r.result.sources and r.result.report.score >= 0 and r.result.review_id == r.id
        assert f"order {r.id.removeprefix('rv-')}" in r.result.text  # its own reply, not another's
    # Each good review was classified exactly once more than the failures that hit classification.
    assert len(server.requests) >= 2 * 27 + 6
    # Every draft is in the record of work for an agent to approve.
    with sqlite3.connect(tmp_path / "draftdesk.db") as db:
        recorded = db.execute("select count(distinct request_id) from drafts").fetchone()[0]
    assert recorded == 27


def test_a_model_outage_is_waited_out_instead_of_settling_for_templates(
    full_store: Container, tmp_path: Path, server: FakeOpenAI
) -> None:
    c = model_container(
        full_store, tmp_path, server, max_revisions=0, batch_concurrency=1, batch_retry_delay=0.1
    )
    # No client retries: the adapter gives up at once, so only the job-level retry can help.
    server.script(Failure(503), Failure(429, retry_after=0.6), Failure(500))
    job = c.jobs.submit([review(1), review(2)])
    started = time.monotonic()
    with running(c.job_worker):
        final = wait_until_finished(c.jobs, job.id)
    assert final.progress.done == 2
    for r in c.jobs.results(job.id):
        assert r.result is not None and r.result.engine == Engine.OPENAI and not r.result.fallback
    assert time.monotonic() - started >= 0.6  # the Retry-After was honoured
    with sqlite3.connect(tmp_path / "draftdesk.db") as db:
        attempts = sum(a for (a,) in db.execute("select attempts from job_items"))
    assert attempts == 5  # two drafts plus the three that met a failure


def test_when_the_model_stays_down_the_last_attempt_keeps_the_template_reply(
    full_store: Container, tmp_path: Path, server: FakeOpenAI
) -> None:
    c = model_container(full_store, tmp_path, server, batch_max_attempts=2, batch_retry_delay=0.05)
    server.fail_always(Failure(500))
    job = c.jobs.submit([review(1)])
    with running(c.job_worker):
        wait_until_finished(c.jobs, job.id)
    (result,) = c.jobs.results(job.id)
    assert result.state == "done" and result.result is not None
    assert result.result.fallback and result.result.engine == Engine.TEMPLATE


def test_drafts_of_one_job_are_checked_against_each_other(
    full_store: Container, tmp_path: Path, server: FakeOpenAI
) -> None:
    same = (
        "I'm sorry your order arrived with a broken part. Please message us at "
        "lumenandloom.example/help and we will send a new one today. Lumen & Loom Care team"
    )
    server.responder = lambda body: (
        json.dumps({"kind": "legitimate_complaint", "problem": "broken"}) if role(body) == "kind" else same
    )
    c = model_container(full_store, tmp_path, server, max_revisions=0, batch_concurrency=2)
    job = c.jobs.submit([review(n) for n in range(5)])
    with running(c.job_worker):
        wait_until_finished(c.jobs, job.id)
    results = list(c.jobs.results(job.id))
    repeated = [
        r for r in results if r.result and any(i.rule == "near_duplicate" for i in r.result.report.issues)
    ]
    assert len(repeated) == 4  # all but the first one written
    for r in repeated:
        assert r.result is not None and not r.result.report.passed
        issue = next(i for i in r.result.report.issues if i.rule == "near_duplicate")
        assert "Reads like the draft for review rv-" in issue.message


def test_the_model_gets_exactly_the_configured_number_of_calls_at_once(
    full_store: Container, tmp_path: Path, server: FakeOpenAI
) -> None:
    server.latency = 0.2
    c = model_container(full_store, tmp_path, server, max_revisions=0, batch_concurrency=3)
    job = c.jobs.submit([review(n) for n in range(24)])
    with running(c.job_worker):
        final = wait_until_finished(c.jobs, job.id)
    assert final.progress.done == 24
    # A provider's limit on parallel requests is never exceeded, and the model is kept busy.
    assert server.peak == 3


def test_a_call_waiting_to_be_retried_leaves_its_slot_to_other_reviews(
    full_store: Container, tmp_path: Path, server: FakeOpenAI
) -> None:
    c = model_container(full_store, tmp_path, server, llm_max_retries=2, max_revisions=0, batch_concurrency=1)
    server.script(Failure(503, retry_after=1.0))
    job = c.jobs.submit([review(1), review(2)])
    with running(c.job_worker):
        final = wait_until_finished(c.jobs, job.id)
    assert final.progress.done == 2
    for r in c.jobs.results(job.id):  # the retry succeeded: the model's replies, not templates
        assert r.result is not None and r.result.engine == Engine.OPENAI and not r.result.fallback
    calls = [marker(body) for body in server.requests]  # the review each call was for, in order
    assert len(calls) == 5 and sorted(set(calls)) == ["001", "002"]
    failed, other = calls[0], ({"001", "002"} - {calls[0]}).pop()
    retried_at = calls.index(failed, 1)
    # One slot: while the failed call waited a second for its retry, the other review used it.
    assert other in calls[1:retried_at]


def test_a_cancelled_job_drafts_nothing_more(template_drafts: Container) -> None:
    c = template_drafts
    job = c.jobs.submit([review(n) for n in range(20)])
    cancelled = c.jobs.cancel(job.id)
    assert cancelled.state == "cancelled" and cancelled.progress.cancelled == 20
    assert cancelled.progress.remaining == 0
    worker = c.job_worker
    with running(worker):
        time.sleep(1.0)
    assert worker.drafted == 0 and list(c.jobs.results(job.id)) == []
    assert c.jobs.status(job.id).state == "cancelled"
    with pytest.raises(RecordNotFound):
        c.jobs.cancel("no-such-job")


def test_cancelling_mid_job_keeps_what_is_finished(template_drafts: Container) -> None:
    c = template_drafts
    c.settings = c.settings.model_copy(update={"batch_concurrency": 1})
    job = c.jobs.submit([review(n) for n in range(40)])
    with running(c.job_worker):
        deadline = time.monotonic() + 60
        while c.jobs.status(job.id).progress.done < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        status = c.jobs.cancel(job.id)
        time.sleep(0.5)
    final = c.jobs.status(job.id)
    assert final.state == "cancelled" and final.progress.remaining == 0
    assert final.progress.done >= 3 and final.progress.cancelled > 0
    assert final.progress.done + final.progress.cancelled == 40
    # At most the reviews in progress when it was cancelled finished after it.
    assert final.progress.done <= status.progress.done + c.job_worker.in_flight
    assert len(list(c.jobs.results(job.id))) == final.progress.done


def test_two_workers_on_one_database_never_draft_an_item_twice(full_store: Container, tmp_path: Path) -> None:
    first = drafting_container(full_store, tmp_path, batch_concurrency=3)
    second = drafting_container(full_store, tmp_path, batch_concurrency=3)
    job = first.jobs.submit([review(n) for n in range(60)])
    a, b = first.job_worker, second.job_worker
    with running(a), running(b):
        final = wait_until_finished(second.jobs, job.id)
    assert final.progress.done == 60
    assert a.drafted + b.drafted == 60  # every write that landed was the only one for its item
    with sqlite3.connect(tmp_path / "draftdesk.db") as db:
        per_item = db.execute("select count(*) from job_items group by position").fetchall()
        requests = db.execute("select count(*) from requests").fetchone()[0]
        attempts = db.execute("select max(attempts) from job_items").fetchone()[0]
    assert set(per_item) == {(1,)} and requests == 60 and attempts == 1


def test_a_lease_taken_over_cannot_be_finished_by_its_old_holder(template_drafts: Container) -> None:
    c = template_drafts
    job = c.jobs.submit([review(1)])
    slow = JobWorker(c.database, c.reviews, c.settings)
    (item,) = slow.claims.claim(1)
    # Its process hangs past the lease; the lease runs out and another worker takes the item.
    with c.database.begin() as s:
        s.execute(
            text("update job_items set lease_until = :t"),
            {"t": datetime.now(UTC) - timedelta(seconds=1)},
        )
    fresh = JobWorker(c.database, c.reviews, c.settings)
    (again,) = fresh.claims.claim(1)
    assert again.id == item.id and again.token != item.token
    slow._finish(item, slow._draft(item))
    assert slow.drafted == 0 and c.jobs.status(job.id).progress.done == 0
    fresh._finish(again, fresh._draft(again))
    fresh._settle()  # the worker's loop looks at the jobs it wrote results for
    assert fresh.drafted == 1 and c.jobs.status(job.id).state == "done"


def test_csv_uploads_with_wrong_columns_or_encoding_are_refused_with_what_to_do(
    template_drafts: Container,
) -> None:
    jobs = template_drafts.jobs
    with pytest.raises(InputError) as wrong:
        jobs.submit_csv(b"id,comment,stars\n1,great,5\n")
    assert "lacks the column(s) platform, product, rating, created_at, text" in wrong.value.message
    assert wrong.value.hint and "id, platform, product" in wrong.value.hint
    with pytest.raises(InputError) as latin:
        jobs.submit_csv(
            "id,platform,product,rating,created_at,text\n1,google,Lamp,5,2026-01-01T00:00:00Z,"
            "très bien\n".encode("latin-1")
        )
    assert "not UTF-8" in latin.value.message and "line 2" in latin.value.message
    assert latin.value.hint and "UTF-8" in latin.value.hint
    with pytest.raises(InputError):
        jobs.submit([])
    with pytest.raises(InputError, match="at most 100,000"):
        jobs.submit([{}] * 100_001)
    with pytest.raises(RecordNotFound):
        jobs.status("nope")


def test_a_csv_job_keeps_bad_rows_as_failures_and_guards_spreadsheet_formulas(
    template_drafts: Container,
) -> None:
    c = template_drafts
    data = (
        b"id,platform,product,rating,created_at,author,text,language\n"
        b"=HYPERLINK(1),google,Arden Desk Lamp,2,2026-01-01T09:00:00Z,Ann,The lamp flickers,en\n"
        b"r2,google,Arden Desk Lamp,7,2026-01-01T09:00:00Z,Bo,Bad rating,en\n"
        b"r3,google,Arden Desk Lamp,4,2026-01-01T09:00:00Z,Cy,Lovely warm light for reading,,extra\n"
    )
    job = c.jobs.submit_csv(data)
    assert job.total == 3 and job.progress.failed == 2
    with running(c.job_worker):
        wait_until_finished(c.jobs, job.id)
    lines = list(c.jobs.results_csv(job.id))
    assert lines[0].strip() == "id,state,reply,engine,passed,score,error"
    assert lines[1].startswith("'=HYPERLINK(1),done,")
    assert lines[2].startswith("r2,failed,") and "rating" in lines[2]
    assert lines[3].startswith("#3,failed,") and "line 4 has more cells than the header" in lines[3]
