"""What every CLI command shares: the consoles, the service container and its error handling."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from draftdesk.container import Container
from draftdesk.errors import DraftdeskError, ValidationFailed
from draftdesk.services.ingestion import IngestSummary
from draftdesk.settings import Settings

out = Console()
err = Console(stderr=True)


@contextmanager
def container_scope() -> Iterator[Container]:
    """Build the services once per command and turn our errors into a message and exit code 1."""
    container: Container | None = None
    try:
        container = Container(Settings())
        yield container
    except ValidationFailed as exc:
        for problem in exc.problems:
            err.print(f"[red]✗[/red] {escape(str(problem))}", highlight=False, soft_wrap=True)
        err.print(
            f"[bold red]{escape(exc.message)}[/bold red]\n  → {escape(exc.hint or '')}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None
    except DraftdeskError as exc:
        err.print(f"[bold red]Error:[/bold red] {escape(exc.message)}", highlight=False, soft_wrap=True)
        if exc.hint:
            err.print(f"  → {escape(exc.hint)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except ValueError as exc:  # settings that fail validation
        err.print(
            f"[bold red]Configuration error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(1) from None
    finally:
        if container:
            container.close()


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or 1)

        yield update


def print_summary(summary: IngestSummary, console: Console = out) -> None:
    for notice in summary.notices:
        err.print(f"[yellow]•[/yellow] {escape(notice)}", highlight=False, soft_wrap=True)
    console.print(
        f"Ingested: {summary.added} added, {summary.updated} updated, {summary.removed} removed, "
        f"{summary.unchanged} unchanged ({summary.chunks_embedded} chunks embedded, "
        f"{summary.chunks_deleted} deleted) in {summary.seconds:.1f} s"
    )


def first_start(c: Container) -> str | None:
    """Ingest the knowledge base into an empty store, and say so."""
    with progress_bar("First start: embedding the knowledge base") as progress:
        summary = c.ensure_knowledge(progress)
    if not summary:
        return None
    note = (
        f"First start: the store was empty, so the knowledge base at "
        f"{c.settings.resolved_knowledge_dir} was ingested ({summary.added} entries)."
    )
    err.print(f"[yellow]{escape(note)}[/yellow]", highlight=False, soft_wrap=True)
    print_summary(summary, err)  # stdout stays clean for --json
    return note
