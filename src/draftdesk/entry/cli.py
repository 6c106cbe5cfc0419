"""The `draftdesk` command. Each command calls a service and formats what it returns."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from draftdesk.domain.enums import Channel, IncidentType, KnowledgeKind, Severity, Stage
from draftdesk.entry.cli_batch import batch
from draftdesk.entry.cli_check import check, publish
from draftdesk.entry.cli_draft import draft_app
from draftdesk.entry.cli_keys import keys_app
from draftdesk.entry.cli_support import container_scope, first_start, out, print_summary, progress_bar
from draftdesk.entry.cli_users import users_app
from draftdesk.entry.cli_waves import waves
from draftdesk.services.retrieval import SearchFilters, SearchRequest

app = typer.Typer(
    help="draftdesk: drafts review replies and incident updates for a human to approve.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def ingest(
    path: Annotated[
        Path | None, typer.Option(help="Knowledge directory (default: the configured one).")
    ] = None,
    rebuild: Annotated[bool, typer.Option(help="Drop the store and embed everything again.")] = False,
) -> None:
    """Validate a knowledge directory, then add, update or remove what changed in the store."""
    with container_scope() as c, progress_bar("Embedding") as progress:
        summary = c.ingest(path, rebuild, progress)
    print_summary(summary)


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
    with container_scope() as c:
        first_start(c)
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
    with container_scope() as c:
        c.settings = c.settings.model_copy(update=overrides)
        run(c, first_start(c))


app.add_typer(draft_app, name="draft")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.command()(check)
app.command()(publish)
app.command()(batch)
app.command()(waves)


def main() -> None:
    app()
