"""Batch jobs through the REST API; prints a table for docs/benchmarks.md.

    python benchmarks/batch.py [--reviews 1000] [--concurrency 16] [--latency 0.3] [--sequential 40]

The app runs on 127.0.0.1 (FastAPI, the job worker in the same process) against the loopback
OpenAI-compatible server, in a process of its own, answering every call after a fixed latency. A
review costs two model calls (its kind, then the reply; revisions are off so the count is fixed),
so the ideal wall time is reviews x 2 x latency / concurrency; the table also prints the issue's
formula (reviews x latency / concurrency), which counts one call a review. The plain sequential loop
(`ReviewDrafter.draft` one review after another) is measured on a sample and scaled to the whole
batch. Then three jobs of new reviews: a wave (the model sums the reviews up as 3 problems, so
retrieval's query cache helps), every summary different (no cache help), and 20% of the model
calls failing transiently (HTTP 503 with Retry-After: 0): every review must end done, none lost.
"App CPU s" is the CPU time the app's process spent on the job, every thread included: near
twice the wall time on two cores means the job waits for CPU, not for the model.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fake_openai

import httpx
import uvicorn
from tests.fake_openai import Failure, FakeOpenAI

from draftdesk.container import Container
from draftdesk.domain.drafts import ReviewRequest
from draftdesk.entry.web import create_app
from draftdesk.settings import Settings

PRODUCTS = ["Arden Desk Lamp", "Brio Electric Kettle", "Calla Linen Duvet", "Dune Wool Rug", "Elm Side Table"]
PROBLEMS = ["arrived with a dent in it", "stopped working after a week", "is smaller than the photos"]
REPLY = (
    "I'm sorry it arrived like that; that's not what you paid for. We can send a replacement or "
    "refund it, whichever you prefer: message us at lumenandloom.example/help. Lumen & Loom Care team"
)


class Answers:
    """The model's answers. Its one-line problem summary feeds retrieval, whose query vectors are
    cached, so the share of repeated summaries matters: `distinct` makes every one different."""

    distinct = False

    def __call__(self, body: dict[str, Any]) -> str:
        prompt = json.dumps(body["messages"])
        if "You sort customer reviews" not in str(body["messages"][0]["content"]):
            return REPLY
        problem = next((p for p in PROBLEMS if p in prompt), "damaged")
        if self.distinct:
            order = re.findall(r"Order (\d+ \(\w+\)): my", prompt)[-1]
            problem += f" (order {order})"
        return json.dumps({"kind": "legitimate_complaint", "problem": problem})


def serve_model(conn: Connection, latency: float) -> None:
    """The loopback model in a process of its own, as a provider is: its work takes none of the
    app's CPU time. Commands on `conn`: "distinct", "flaky", "calls", "stop"."""
    answers = Answers()
    with FakeOpenAI(responder=answers, latency=latency) as llm:
        conn.send(llm.base_url)
        while (command := conn.recv()) != "stop":
            if command == "distinct":
                answers.distinct = True
            elif command == "flaky":
                answers.distinct = False
                llm.fail_randomly(0.2, Failure(status=503, retry_after=0))
            conn.send((len(llm.requests), time.process_time()))


def reviews(n: int, run: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{run}-{i:05d}",
            "platform": "trustpilot",
            "product": PRODUCTS[i % len(PRODUCTS)],
            "rating": 1 + i % 3,
            "created_at": datetime(2026, 12, 1, tzinfo=UTC).isoformat(),
            "author": f"Customer {i}",
            # The run in the text too: a review seen in an earlier run would find its vectors cached.
            "text": f"Order {i} ({run}): my {PRODUCTS[i % len(PRODUCTS)]} {PROBLEMS[i % len(PROBLEMS)]}.",
        }
        for i in range(n)
    ]


def run_job(base: str, key: str, items: list[dict[str, Any]]) -> tuple[float, dict[str, Any], int]:
    """Seconds from submitting the job to its last result; the final status; result lines."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as api:
        started = time.perf_counter()
        job = api.post("/api/v1/jobs", json={"reviews": items})
        job.raise_for_status()
        job_id = job.json()["id"]
        while True:
            status = api.get(f"/api/v1/jobs/{job_id}").json()
            if status["state"] in ("done", "cancelled"):
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        lines = [ln for ln in api.get(f"/api/v1/jobs/{job_id}/results").text.splitlines() if ln.strip()]
    return seconds, status, len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--sequential", type=int, default=40, help="reviews in the sequential sample")
    parser.add_argument(
        "--only",
        choices=("wave", "distinct", "flaky"),
        action="append",
        help="run only these jobs (repeatable); default: all three",
    )
    args = parser.parse_args()

    # Forked before this process loads models or starts threads.
    model, child = multiprocessing.get_context("fork").Pipe()
    model_process = multiprocessing.get_context("fork").Process(
        target=serve_model, args=(child, args.latency), daemon=True
    )
    model_process.start()
    base_url = model.recv()
    runs: list[tuple[str, tuple[float, dict[str, Any], int], int, int, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=Path(tmp),
            llm_provider="openai",
            openai_base_url=base_url,
            openai_api_key="benchmark",
            llm_model="bench-model",
            max_revisions=0,
            batch_concurrency=args.concurrency,
            batch_retry_delay=0.2,
            batch_max_attempts=6,
            api_rate_limit=100_000,
        )
        container = Container(settings)
        container.ensure_knowledge()
        _, key = container.api_keys.create("benchmark")
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning")
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"

        sample = [
            ReviewRequest(text=r["text"], rating=r["rating"], product=r["product"], platform=r["platform"])
            for r in reviews(args.sequential, "seq")
        ]
        each = []
        for request in sample:
            t0 = time.perf_counter()
            container.reviews.draft(request)
            each.append(time.perf_counter() - t0)
        sequential = statistics.mean(each) * args.reviews

        retrieval = container.retrieval
        for name, command in (
            ("API job, a wave: 3 problems", None),
            ("API job, every problem different", "distinct"),
            ("API job, 20% of model calls fail (503)", "flaky"),
        ):
            if args.only and (command or "wave") not in args.only:
                continue
            if command:
                model.send(command)
                model.recv()
            model.send("calls")
            calls, model_cpu = model.recv()
            embedded, cpu = retrieval.embedded, time.process_time()
            result = run_job(base, key, reviews(args.reviews, command or "wave"))
            cpu = time.process_time() - cpu
            model.send("calls")
            calls_after, model_cpu_after = model.recv()
            runs.append(
                (
                    name,
                    result,
                    calls_after - calls,
                    retrieval.embedded - embedded,
                    cpu,
                    model_cpu_after - model_cpu,
                )
            )
        server.should_exit = True
    model.send("stop")
    model_process.join(10)

    ideal = args.reviews * 2 * args.latency / args.concurrency
    print(
        f"{args.reviews} reviews, concurrency {args.concurrency}, "
        f"{args.latency * 1000:.0f} ms per model call, 2 calls per review\n"
    )
    print(
        "| run | wall s | x ideal | done | failed | result lines | model calls | query embeddings "
        "| app CPU s | model server CPU s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    one_call = args.reviews * args.latency / args.concurrency
    print(
        f"| ideal, one call a review (reviews x latency / concurrency) | {one_call:.1f} "
        f"| {one_call / ideal:.2f} | | | | | | | |"
    )
    print(f"| ideal (reviews x 2 x latency / concurrency) | {ideal:.1f} | 1.00 | | | | | | | |")
    print(
        f"| sequential loop (mean of {args.sequential}, x {args.reviews}) | {sequential:.1f} | "
        f"{sequential / ideal:.2f} | | | | | | | |"
    )
    for name, (seconds, status, lines), calls, embedded, cpu, model_cpu in runs:
        p = status["progress"]
        print(
            f"| {name} | {seconds:.1f} | {seconds / ideal:.2f} | {p['done']} | {p['failed']} | {lines} "
            f"| {calls} | {embedded} | {cpu:.1f} | {model_cpu:.1f} |"
        )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    main()
