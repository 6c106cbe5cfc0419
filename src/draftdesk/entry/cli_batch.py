"""`draftdesk batch`: a file of reviews drafted as a batch job, in this process, resumable.

The same JobService and JobWorker as the server: the job and every item's result live in
the record database, so a run that is killed continues with `--resume` where it stopped.
The job's id is kept next to OUTPUT (`.OUTPUT.job`), with the hash of INPUT.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from draftdesk.container import Container
from draftdesk.domain.jobs import JobStatus
from draftdesk.entry.cli_support import container_scope, err, first_start, out, progress_bar
from draftdesk.errors import InputError, RecordNotFound
from draftdesk.services.batch_jobs import ItemProblem
from draftdesk.services.job_worker import JobWorker

SHOWN_FAILURES = 20


def batch(
    input: Annotated[
        Path, typer.Argument(help="Reviews as .csv or .jsonl (one review record per line).", dir_okay=False)
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where the results go: .csv or .jsonl.", dir_okay=False)
    ],
    concurrency: Annotated[
        int | None, typer.Option(min=1, max=64, help="Reviews drafted at once (DRAFTDESK_BATCH_CONCURRENCY).")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Continue the job started earlier for this INPUT and OUTPUT.")
    ] = False,
) -> None:
    """Draft a reply to every review of a file as a batch job; write every result to OUTPUT."""
    with container_scope() as c:
        if output.suffix.lower() not in (".csv", ".jsonl"):
            raise InputError(
                f"{output} is neither .csv nor .jsonl.", "Name the output file *.csv or *.jsonl."
            )
        if not input.is_file():
            raise InputError(f"{input} does not exist.", "Give the path of a .csv or .jsonl file of reviews.")
        if concurrency:
            c.settings = c.settings.model_copy(update={"batch_concurrency": concurrency})
        started = time.perf_counter()
        data = input.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        state_file = output.with_name(f".{output.name}.job")
        job = _resume(c, state_file, digest, input) if resume else _start(c, state_file, digest, input, data)
        first_start(c)
        err.print(
            f"[dim]Job {job.id}: {job.total} reviews, drafting with {escape(c.engine_label())}…[/dim]",
            highlight=False,
        )
        job = _run(c, job)
        counts, failures = _write(c, job.id, output)
        _summary(job, counts, failures, output, time.perf_counter() - started)


def _start(c: Container, state_file: Path, digest: str, input: Path, data: bytes) -> JobStatus:
    previous = _state(state_file)
    if previous and previous.get("sha256") == digest:
        try:
            earlier = c.jobs.status(previous["job_id"])
        except RecordNotFound:
            earlier = None
        if earlier is not None and earlier.state in ("queued", "running"):
            raise InputError(
                f"A job for {input} → this output is unfinished ({earlier.progress.remaining} reviews left).",
                "Add --resume to continue it, or delete " + str(state_file) + " to start again.",
            )
    if input.suffix.lower() == ".csv":
        job = c.jobs.submit_csv(data, source=f"cli:{digest}")
    elif input.suffix.lower() in (".jsonl", ".ndjson"):
        job = c.jobs.submit(_jsonl_items(data, input), source=f"cli:{digest}")
    else:
        raise InputError(f"{input} is neither CSV nor JSON Lines.", "Use a .csv or .jsonl file.")
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(
        json.dumps({"job_id": job.id, "input": str(input), "sha256": digest}), encoding="utf-8"
    )
    return job


def _resume(c: Container, state_file: Path, digest: str, input: Path) -> JobStatus:
    previous = _state(state_file)
    if previous is None:
        raise InputError(
            f"There is no earlier job to resume for this output ({state_file} is missing).",
            "Run the command without --resume to start the job.",
        )
    if previous.get("sha256") != digest:
        raise InputError(
            f"{input} has changed since the job {previous.get('job_id')} was started from it.",
            "Run without --resume to start a new job for the changed file.",
        )
    try:
        return c.jobs.status(str(previous["job_id"]))
    except RecordNotFound:
        raise InputError(
            f"The job {previous['job_id']} is not in the database {c.settings.resolved_database_url}.",
            "Use the same DRAFTDESK_DATA_DIR / DRAFTDESK_DATABASE_URL as the first run, "
            "or run without --resume.",
        ) from None


def _state(state_file: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) and "job_id" in value else None


def _jsonl_items(data: bytes, path: Path) -> list[Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path} is not UTF-8 (byte 0x{data[exc.start]:02x} on line {where}).",
            "Save the file as UTF-8 and try again.",
        ) from exc
    items: list[Any] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            items.append(ItemProblem(f"line {n} is not valid JSON: {exc.msg}"))
    return items


def _run(c: Container, job: JobStatus) -> JobStatus:
    if job.state in ("done", "cancelled"):
        return job
    worker = JobWorker(c.database, c.reviews, c.settings, c.records, only_jobs=[job.id], llm=c.batch_llm)
    worker.start()
    try:
        with progress_bar("Drafting") as progress:
            while True:
                job = c.jobs.status(job.id)
                progress(job.progress.done + job.progress.failed, job.total)
                if job.state in ("done", "cancelled"):
                    return job
                if not worker.alive:
                    raise InputError("The job worker stopped unexpectedly.", "Run again with --resume.")
                time.sleep(0.3)
    except KeyboardInterrupt:
        err.print("[yellow]Stopped. Run the same command with --resume to continue.[/yellow]")
        raise typer.Exit(130) from None
    finally:
        worker.stop()


def _write(c: Container, job_id: str, output: Path) -> tuple[Counter[str], list[str]]:
    """Every finished item into OUTPUT (via a temporary file), counting outcomes for the summary."""
    counts: Counter[str] = Counter()
    failures: list[str] = []
    partial = output.with_name(output.name + ".partial")
    output.parent.mkdir(parents=True, exist_ok=True)
    with partial.open("w", encoding="utf-8", newline="") as handle:
        if output.suffix.lower() == ".csv":
            handle.writelines(c.jobs.results_csv(job_id))
        for item in c.jobs.results(job_id):
            counts[item.state] += 1
            if item.result is not None and item.result.report.passed:
                counts["passed"] += 1
            if item.error and item.state == "failed":
                failures.append(f"{item.id}: {item.error}")
            if output.suffix.lower() == ".jsonl":
                handle.write(item.model_dump_json(exclude_none=True) + "\n")
    partial.replace(output)
    return counts, failures


def _summary(job: JobStatus, counts: Counter[str], failures: list[str], output: Path, seconds: float) -> None:
    done, failed = counts["done"], counts["failed"]
    table = Table(title=f"Job {job.id} ({job.state})", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("reviews", str(job.total))
    table.add_row("done", str(done))
    table.add_row("failed", str(failed))
    if job.progress.cancelled:
        table.add_row("cancelled", str(job.progress.cancelled))
    rate = f"{counts['passed'] / done:.0%} ({counts['passed']} of {done})" if done else "n/a"
    table.add_row("check pass rate", rate)
    table.add_row("seconds", f"{seconds:.1f}")
    out.print(table)
    if failures:
        out.print("Failed:")
        for line in failures[:SHOWN_FAILURES]:
            out.print(f"  • {escape(line)}", highlight=False, soft_wrap=True)
        if len(failures) > SHOWN_FAILURES:
            out.print(f"  … and {len(failures) - SHOWN_FAILURES} more (see {escape(str(output))})")
    out.print(f"Results: {escape(str(output))}", highlight=False, soft_wrap=True)
