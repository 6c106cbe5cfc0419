"""How a drafted reply is shown: the check report, the reply with its problems marked, and the
sources with their text. Plain HTML from the services' models; the pages only place it."""

from __future__ import annotations

import html
import itertools
import re

from draftdesk.domain.drafts import ReviewReply, Severity, Source, ToneIssue, ToneReport

REVIEWS_CSS = """
#dd-marked .dd-marked-text { white-space: pre-wrap; line-height: 1.7; padding: 8px 12px;
  border: 1px solid var(--border-color-primary); border-radius: 8px; }
#dd-marked mark { color: #1f1f1f; padding: 0 2px; border-radius: 3px; cursor: help; }
#dd-marked mark.dd-error { background: #fcdcdc; border-bottom: 2px solid #c62828; }
#dd-marked mark.dd-warning { background: #fff1c2; border-bottom: 2px dotted #a86b00; }
#dd-sources details { margin: 4px 0 8px; }
#dd-sources .dd-source-text { white-space: pre-line; max-height: 18em; overflow: auto; font-size: 0.85em;
  padding: 4px 10px; border-left: 3px solid var(--border-color-primary); }
#dd-shortcuts { opacity: 0.75; font-size: 0.85em; }
"""


def report_html(report: ToneReport | None) -> str:
    """The check report as an agent reads it: verdict first, then each problem and its fix."""
    if report is None:
        return ""
    n = len(report.errors)
    verdict = (
        "<p class='dd-pass'><b>Passes the checks</b>"
        if report.passed
        else f"<p class='dd-fail'><b>{n} problem{'s' if n != 1 else ''} to fix</b>"
    )
    items = [
        f"<li class='dd-{i.severity.value}'><b>{html.escape(i.family.value)}</b>: {html.escape(i.message)}"
        f"<br><small>{html.escape(i.suggestion)}</small></li>"
        for i in sorted(report.issues, key=lambda i: i.severity != Severity.ERROR)
    ]
    return f"{verdict} · score {report.score}/100</p><ul>{''.join(items)}</ul>"


def marked_html(text: str, report: ToneReport | None) -> str:
    """The reply with each problem's words marked; hovering a mark gives the problem and its fix."""
    if report is None or not text:
        return ""
    spanned = [i for i in report.issues if i.span and 0 <= i.span[0] < i.span[1] <= len(text)]
    if not spanned:
        return "<p><small>No words in the reply are flagged.</small></p>"
    # Spans may overlap: cut the text at every edge, and mark each piece with all that cover it.
    edges = sorted({0, len(text), *(edge for i in spanned for edge in i.span or ())})
    pieces = [
        _mark(text[start:end], [i for i in spanned if i.span and i.span[0] <= start and end <= i.span[1]])
        for start, end in itertools.pairwise(edges)
    ]
    return (
        "<p><small>Problems marked in the reply (hover a mark for what to change):</small></p>"
        f"<div class='dd-marked-text'>{''.join(pieces)}</div>"
    )


def _mark(piece: str, covering: list[ToneIssue]) -> str:
    if not covering:
        return html.escape(piece)
    worst = Severity.ERROR if any(i.severity == Severity.ERROR for i in covering) else Severity.WARNING
    tip = " | ".join(f"{i.family.value}: {i.message} {i.suggestion}".strip() for i in covering)
    families = " ".join(sorted({i.family.value for i in covering}))
    return (
        f"<mark class='dd-{worst.value}' data-family='{families}' title='{html.escape(tip)}'>"
        f"{html.escape(piece)}</mark>"
    )


def sources_html(sources: list[tuple[Source, str]]) -> str:
    """Each source a draft drew on, with why, opening onto the guideline or incident text itself."""
    merged: dict[tuple[str, str], tuple[Source, str, list[str]]] = {}
    for source, text in sources:
        # The same entry cited for two reasons (what to offer, what to avoid) is shown once.
        _, _, whys = merged.setdefault((source.id, source.title), (source, text, []))
        whys.append(source.why)
    blocks = [
        f"<details><summary><b>{html.escape(s.title)}</b> <small>({html.escape(s.collection)} · "
        f"{html.escape('; '.join(whys))})</small></summary>{_reflowed(text, s.title)}</details>"
        for s, text, whys in merged.values()
    ]
    return "".join(blocks)


def _reflowed(text: str, title: str) -> str:
    """Stored text keeps its file's hard line breaks, which break raggedly in a narrow panel:
    paragraphs are joined up again, while list items and headings keep their own line."""
    if not text:
        return "<p>The text of this entry is no longer in the knowledge store.</p>"
    body = text.removeprefix(title).strip()
    paragraphs = [re.sub(r"\n(?![-*•|#>]|\d+[.)])", " ", p) for p in re.split(r"\n\s*\n", body)]
    return "<div class='dd-source-text'>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) + "</div>"


def about_markdown(reply: ReviewReply) -> str:
    about = f"Kind: **{reply.kind}** · language `{reply.language}` · engine `{reply.engine}` ({reply.model})"
    return about + "".join(f"\n\n> {w}" for w in reply.warnings)
