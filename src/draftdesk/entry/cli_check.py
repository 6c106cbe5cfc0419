"""`draftdesk check` and `draftdesk publish`: the tone checker and the published-replies store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.markup import escape

from draftdesk.domain.drafts import MessageKind
from draftdesk.domain.enums import Channel
from draftdesk.entry.cli_draft import print_report
from draftdesk.entry.cli_support import container_scope, err, out
from draftdesk.services.facts_io import read_facts
from draftdesk.services.message_check import CheckRequest, CheckResult, LineError, read_requests
from draftdesk.services.repetition import PublishedReply
from draftdesk.services.text_files import FileProblem, parse_yaml, read_text

USAGE = 2


def check(
    text: Annotated[str | None, typer.Argument(help="The message to check (or use --file).")] = None,
    kind: Annotated[
        MessageKind, typer.Option(help="review_reply or status_update.")
    ] = MessageKind.REVIEW_REPLY,
    channel: Annotated[Channel | None, typer.Option(help="Where it goes: status_page, sms, review …")] = None,
    facts: Annotated[
        Path | None,
        typer.Option(
            help="Incident facts (YAML/JSON); for a reply: context and compensation.", dir_okay=False
        ),
    ] = None,
    review: Annotated[str | None, typer.Option(help="The review a reply answers.")] = None,
    rating: Annotated[int | None, typer.Option(min=1, max=5, help="The review's star rating.")] = None,
    product: Annotated[str | None, typer.Option(help="The product reviewed.")] = None,
    platform: Annotated[
        str | None, typer.Option(help="google, trustpilot, amazon, app_store, google_play …")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="JSONL: one message per line (id, text, kind, channel, review, facts)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (one line per message).")
    ] = False,
) -> None:
    """Check a message for tone: exit 0 when it passes, 1 when it has errors, 2 for bad usage."""
    if (text is None) == (file is None):
        err.print("[red]Give the message to check, or --file MESSAGES.jsonl (not both).[/red]")
        raise typer.Exit(USAGE)
    if file is not None:
        raise typer.Exit(_check_file(file, as_json))
    request = _request(text or "", kind, channel, facts, review, rating, product, platform)
    with container_scope() as c:
        result = c.messages.check(request)
    if as_json:
        sys.stdout.write(result.model_dump_json() + "\n")
    else:
        print_report(result)
    raise typer.Exit(0 if result.passed else 1)


def _request(
    text: str,
    kind: MessageKind,
    channel: Channel | None,
    facts: Path | None,
    review: str | None,
    rating: int | None,
    product: str | None,
    platform: str | None,
) -> CheckRequest:
    data: dict[str, Any] = {"text": text, "kind": kind, "channel": channel}
    if facts is not None:
        data["facts"] = _facts(facts, kind)
    if review is not None:
        data["review"] = {"text": review, "rating": rating, "product": product, "platform": platform}
    try:
        return CheckRequest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        err.print(f"[red]Cannot check this message: {escape(problems)}[/red]")
        raise typer.Exit(USAGE) from None


def _facts(path: Path, kind: MessageKind) -> dict[str, Any]:
    if kind == MessageKind.STATUS_UPDATE:
        with container_scope():  # a bad facts file gets the same line-by-line message as `draft incident`
            return read_facts(path).model_dump(exclude={"channels"})
    try:
        text = read_text(path)
        data = json.loads(text) if path.suffix.lower() == ".json" else parse_yaml(text, path)[0]
    except (FileProblem, json.JSONDecodeError) as exc:
        err.print(f"[red]{escape(str(getattr(exc, 'problem', exc)))}[/red]")
        raise typer.Exit(USAGE) from None
    if not isinstance(data, dict):
        err.print("[red]A reply's facts file holds 'context' and 'compensation'.[/red]")
        raise typer.Exit(USAGE)
    return data


def _check_file(path: Path, as_json: bool) -> int:
    if not path.is_file():
        err.print(f"[red]{escape(str(path))} is not a file.[/red]")
        return USAGE
    rows = list(read_requests(path))
    good = [(n, r) for n, r in rows if isinstance(r, CheckRequest)]
    failed = False
    with container_scope() as c:
        reports = iter(c.messages.check_many([r for _, r in good]))
        for number, row in rows:
            if isinstance(row, LineError):
                failed = True
                line = row.model_dump_json()
                human = f"[red]line {number}: {escape(row.error)}[/red]"
            else:
                result = CheckResult(id=row.id or f"line {number}", report=next(reports))
                failed = failed or not result.report.passed
                line = result.model_dump_json()
                human = ""
            if as_json:
                sys.stdout.write(line + "\n")
            elif human:
                out.print(human, soft_wrap=True)
            else:
                out.rule(escape(result.id))
                print_report(result.report)
    return 1 if failed else 0


def publish(
    file: Annotated[
        Path, typer.Argument(help="JSONL of approved replies: id, text, optional product, review_id.")
    ],
) -> None:
    """Add approved replies to the `published` collection, so new drafts are checked against them."""
    replies, problems = [], []
    for number, raw in enumerate(file.read_bytes().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            replies.append(PublishedReply.model_validate_json(raw))
        except ValidationError as exc:
            problems.append(
                f"line {number}: {exc.errors()[0]['msg']} ({'.'.join(map(str, exc.errors()[0]['loc']))})"
            )
    for p in problems:
        err.print(f"[red]{escape(p)}[/red]", soft_wrap=True)
    with container_scope() as c:
        added = c.published.add(replies)
        total = c.published.count()
    out.print(f"Published replies: {added} added, {total} in all; {len(problems)} lines skipped.")
    raise typer.Exit(1 if problems else 0)
