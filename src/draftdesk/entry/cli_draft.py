"""`draftdesk draft review|incident`: the drafting services from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape

from draftdesk.domain.drafts import ChannelDraft, Draft, IncidentPack, ReviewReply, ReviewRequest, ToneReport
from draftdesk.domain.enums import Channel
from draftdesk.entry.cli_support import container_scope, err, first_start, out
from draftdesk.errors import InputError
from draftdesk.services.facts_io import read_facts

draft_app = typer.Typer(help="Draft a review reply or an incident update pack.", no_args_is_help=True)


@draft_app.command("review")
def draft_review(
    text: Annotated[str, typer.Option("--text", help="The review text.")],
    rating: Annotated[int | None, typer.Option(min=1, max=5, help="Star rating, 1-5.")] = None,
    product: Annotated[str | None, typer.Option(help="The product reviewed.")] = None,
    platform: Annotated[
        str | None, typer.Option(help="google, trustpilot, amazon, app_store, google_play …")
    ] = None,
    author: Annotated[str, typer.Option(help="The reviewer's display name.")] = "",
    language: Annotated[str | None, typer.Option(help="ISO 639-1 code; detected when absent.")] = None,
    context: Annotated[str | None, typer.Option(help="What you know: the order, a live incident.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
) -> None:
    """Draft a public reply to one review."""
    with container_scope() as c:
        request = _review_request(
            text=text,
            rating=rating,
            product=product,
            platform=platform,
            author=author,
            language=language,
            context=context,
        )
        first_start(c)
        if as_json:
            result = c.reviews.draft(request)
            sys.stdout.write(result.model_dump_json(indent=2) + "\n")
            return
        err.print(f"[dim]Drafting with {escape(c.engine_label())}…[/dim]")
        reply = None
        for event in c.reviews.stream(request):
            if isinstance(event, ReviewReply):
                reply = event
            else:
                err.print(escape(event), end="", highlight=False, style="dim")
        err.print()
    assert reply is not None
    _print_reply(reply)


@draft_app.command("incident")
def draft_incident(
    facts: Annotated[
        Path, typer.Option("--facts", help="Incident facts, YAML or JSON.", exists=True, dir_okay=False)
    ],
    channels: Annotated[
        str | None, typer.Option(help="Comma-separated channels, e.g. status_page,sms.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full pack as JSON.")] = False,
) -> None:
    """Draft one update for every channel of an incident, from its facts file."""
    with container_scope() as c:
        overrides = {"channels": [s.strip() for s in channels.split(",") if s.strip()]} if channels else None
        parsed = read_facts(facts, overrides)
        first_start(c)
        if not as_json:
            err.print(f"[dim]Drafting {len(parsed.channels)} channels with {escape(c.engine_label())}…[/dim]")
        pack = c.incidents.draft(parsed)
    if as_json:
        sys.stdout.write(pack.model_dump_json(indent=2) + "\n")
        return
    _print_pack(pack)


def _review_request(**fields: object) -> ReviewRequest:
    try:
        return ReviewRequest.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
        )
        raise InputError(
            f"The review cannot be drafted: {problems}.", "Fix the option and run it again."
        ) from None


def _print_reply(reply: ReviewReply) -> None:
    out.print(f"[bold]Reply[/bold] · {reply.kind} · {reply.language} · {_engine(reply)}")
    out.print(escape(reply.text), highlight=False, soft_wrap=True)
    print_report(reply.report)
    for w in reply.warnings:
        out.print(f"[yellow]! {escape(w)}[/yellow]", soft_wrap=True)
    out.print("[dim]Sources: " + escape("; ".join(f"{s.id} ({s.why})" for s in reply.sources)) + "[/dim]")


def _print_pack(pack: IncidentPack) -> None:
    for w in pack.warnings:
        out.print(f"[yellow]! {escape(w)}[/yellow]", soft_wrap=True)
    for d in pack.drafts:
        _print_channel(d)


def _print_channel(d: ChannelDraft) -> None:
    size = f"{len(d.text)}/{d.limit}" if d.limit else f"{len(d.text)} chars"
    out.rule(f"{d.channel} · {size} · {_engine(d)}")
    if d.title:
        label = "Subject" if d.channel == Channel.EMAIL else "Title"
        out.print(f"[bold]{label}:[/bold] {escape(d.title)}", soft_wrap=True)
    out.print(escape(d.text), highlight=False, soft_wrap=True)
    print_report(d.report)
    for w in d.warnings:
        out.print(f"[yellow]! {escape(w)}[/yellow]", soft_wrap=True)


def _engine(d: Draft) -> str:
    return f"{d.engine} · {d.model}" + (" · FALLBACK" if d.fallback else "")


def print_report(report: ToneReport) -> None:
    verdict = "[green]checks passed[/green]" if report.passed else "[red]checks failed[/red]"
    out.print(f"{verdict} · score {report.score}")
    for issue in report.issues:
        colour = "red" if issue.severity == "error" else "yellow"
        out.print(
            f"  [{colour}]{issue.severity}[/{colour}] {issue.family}: {escape(issue.message)}", soft_wrap=True
        )
