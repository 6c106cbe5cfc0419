"""The `draftdesk` command. Each command calls a service and formats what it returns."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from draftdesk.container import Container
from draftdesk.domain.enums import Channel, IncidentType, KnowledgeKind, Severity, Stage
from draftdesk.errors import DraftdeskError, ValidationFailed
from draftdesk.services.ingestion import IngestSummary
from draftdesk.services.retrieval import SearchFilters, SearchRequest
from draftdesk.settings import Settings

app = typer.Typer(
    help="draftdesk: drafts review replies and incident updates for a human to approve.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


@contextmanager
def _container() -> Iterator[Container]:
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
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
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


def _print_summary(summary: IngestSummary, console: Console = out) -> None:
    for notice in summary.notices:
        err.print(f"[yellow]•[/yellow] {escape(notice)}", highlight=False, soft_wrap=True)
    console.print(
        f"Ingested: {summary.added} added, {summary.updated} updated, {summary.removed} removed, "
        f"{summary.unchanged} unchanged ({summary.chunks_embedded} chunks embedded, "
        f"{summary.chunks_deleted} deleted) in {summary.seconds:.1f} s"
    )


@app.command()
def ingest(
    path: Annotated[
        Path | None, typer.Option(help="Knowledge directory (default: the configured one).")
    ] = None,
    rebuild: Annotated[bool, typer.Option(help="Drop the store and embed everything again.")] = False,
) -> None:
    """Validate a knowledge directory, then add, update or remove what changed in the store."""
    with _container() as c, _progress("Embedding") as progress:
        summary = c.ingestion.ingest(path or c.settings.resolved_knowledge_dir, rebuild, progress)
    _print_summary(summary)


def _first_start(c: Container) -> str | None:
    """Ingest the knowledge base into an empty store, and say so."""
    with _progress("First start: embedding the knowledge base") as progress:
        summary = c.ensure_knowledge(progress)
    if not summary:
        return None
    note = (
        f"First start: the store was empty, so the knowledge base at "
        f"{c.settings.resolved_knowledge_dir} was ingested ({summary.added} entries)."
    )
    err.print(f"[yellow]{escape(note)}[/yellow]", highlight=False, soft_wrap=True)
    _print_summary(summary, err)  # stdout stays clean for --json
    return note


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What you are looking for, in your own words.")],
    kind: Annotated[
        list[KnowledgeKind] | None, typer.Option("--kind", help="Limit to a kind (repeatable).")
    ] = None,
    type: Annotated[IncidentType | None, typer.Option("--type", help="Incident type.")] = None,
    stage: Annotated[Stage | None, typer.Option(help="Incident stage.")] = None,
    channel: Annotated[Channel | None, typer.Option(help="Channel.")] = None,
    severity: Annotated[Severity | None, typer.Option(help="Incident severity.")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="Number of hits.")] = 5,
    mmr: Annotated[bool, typer.Option(help="Diversify hits (maximal marginal relevance).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with each hit's full text.")] = False,
) -> None:
    """Search the knowledge base: guidelines, past incidents and templates."""
    with _container() as c:
        _first_start(c)
        request = SearchRequest(
            query=text,
            kinds=kind or list(KnowledgeKind),
            k=k,
            mmr=mmr,
            filters=SearchFilters(type=type, stage=stage, channel=channel, severity=severity),
        )
        hits = c.retrieval.search(request)
    if as_json:
        json.dump(
            [h.model_dump(mode="json", exclude={"metadata"}) for h in hits],
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
        return
    if not hits:
        out.print("No matches. Try other words, or fewer filters.")
        return
    table = Table(show_lines=True)
    for column in ("#", "score", "kind", "id", "title", "snippet"):
        table.add_column(column, overflow="fold")
    for n, h in enumerate(hits, 1):
        table.add_row(str(n), f"{h.score:.2f}", h.kind, h.id, h.title, h.snippet)
    out.print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Start the web app."""
    from draftdesk.entry.web import run

    overrides: dict[str, Any] = {k: v for k, v in {"host": host, "port": port}.items() if v}
    with _container() as c:
        c.settings = c.settings.model_copy(update=overrides)
        run(c, _first_start(c))


def main() -> None:
    app()
