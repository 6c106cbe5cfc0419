"""The Reviews screen: draft a reply, edit it with the checks beside it, approve it.

Every step goes through the services (drafting, checking, the record of work). The page
keeps only the id of the open request in the browser, so a reload or a server restart
brings back the review and the text in the editor from the database.
"""

from __future__ import annotations

import html
from typing import Any

import gradio as gr
from pydantic import ValidationError

from draftdesk.container import Container
from draftdesk.domain.drafts import MessageKind, ReviewRequest, Severity, ToneReport
from draftdesk.errors import DraftdeskError
from draftdesk.services.message_check import CheckedReview, CheckRequest

PLATFORMS = ["", "google", "trustpilot", "amazon", "app_store", "google_play"]
NO_RATING = "none"


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


def _review(text: str, rating: str, product: str, platform: str, author: str) -> ReviewRequest:
    try:
        return ReviewRequest(
            text=text,
            rating=None if rating == NO_RATING else int(rating),
            product=product.strip() or None,
            platform=platform or None,
            author=author.strip(),
        )
    except ValidationError as exc:
        raise gr.Error(f"The review cannot be drafted yet: {_plain(exc)}. Your text is kept.") from None


def _plain(exc: ValidationError) -> str:
    """Pydantic's errors in an agent's words."""
    problems = []
    for e in exc.errors():
        field = str(e["loc"][0]) if e["loc"] else "review"
        if e["type"] == "string_too_long":
            limit = (e.get("ctx") or {}).get("max_length")
            problems.append(f"the {field} is longer than {limit:,} characters; paste the part that matters")
        else:
            problems.append(str(e["msg"]).removeprefix("Value error, "))
    return "; ".join(problems)


def build_reviews_tab(container: Container, page: gr.Blocks) -> None:
    records = container.records

    def draft(text: str, rating: str, product: str, platform: str, author: str) -> tuple[Any, ...]:
        review = _review(text, rating, product, platform, author)
        try:
            reply = container.reviews.draft(review)
        except DraftdeskError as exc:
            raise gr.Error(f"{exc.message} Your review is kept; try again.") from None
        request_id = records.open_request("review_reply", review)
        records.add_draft(request_id, reply)
        about = (
            f"Kind: **{reply.kind}** · language `{reply.language}` · engine `{reply.engine}` ({reply.model})"
        )
        about += "".join(f"\n\n> {w}" for w in reply.warnings)
        sources = "".join(
            f"<li>{html.escape(s.title)} <small>({s.collection} · {html.escape(s.why)})</small></li>"
            for s in reply.sources
        )
        return reply.text, about, report_html(reply.report), f"<ul>{sources}</ul>", request_id, ""

    def check(request_id: str, text: str) -> str:
        if not request_id:
            return ""
        record = records.get(request_id)
        review = CheckedReview.model_validate(record.payload)
        report = container.messages.check(
            CheckRequest(text=text or " ", kind=MessageKind.REVIEW_REPLY, review=review)
        )
        return report_html(report)

    def autosave(request_id: str, text: str) -> None:
        if request_id:
            records.save_edit(request_id, text)

    def approve(request_id: str, text: str, who: str) -> str:
        if not request_id:
            raise gr.Error("Draft a reply first.")
        try:
            record = records.get(request_id)
            report = container.messages.check(
                CheckRequest(
                    text=text,
                    kind=MessageKind.REVIEW_REPLY,
                    review=CheckedReview.model_validate(record.payload),
                )
            )
            approval = records.approve(request_id, text, who, report=report)
        except DraftdeskError as exc:
            raise gr.Error(exc.message) from None
        return (
            f"**Approved by {html.escape(approval.approved_by)}** · {approval.edit_distance} words changed "
            f"from the draft ({approval.edit_ratio:.0%}). Copy the reply and post it on the platform."
        )

    def discard(request_id: str) -> tuple[Any, ...]:
        if request_id:
            records.discard(request_id)
        return "", "", "", "", "", "Discarded. The review and its drafts stay in the record."

    def restore(request_id: str) -> tuple[Any, ...]:
        """A reload: bring back the open review and whatever was in the editor."""
        if not request_id:
            return (gr.skip(),) * 9
        try:
            record = records.get(request_id)
        except DraftdeskError:
            return (gr.skip(),) * 7 + ("", gr.skip())
        p = record.payload
        text = record.work_in_progress.get("review") or (record.drafts[-1].text if record.drafts else "")
        status = "" if record.status == "open" else f"This reply is {record.status}."
        return (
            p.get("text", ""),
            str(p.get("rating") or NO_RATING),
            p.get("product") or "",
            p.get("platform") or "",
            p.get("author") or "",
            text,
            status,
            request_id,
            check(request_id, text),
        )

    current = gr.BrowserState("", storage_key="draftdesk-review")
    with gr.Row():
        with gr.Column(scale=1):
            review_text = gr.Textbox(label="Review", lines=5, placeholder="Paste the customer's review")
            with gr.Row():
                rating = gr.Dropdown([NO_RATING, "1", "2", "3", "4", "5"], value=NO_RATING, label="Stars")
                platform = gr.Dropdown(PLATFORMS, value="", label="Platform")
            product = gr.Textbox(label="Product")
            author = gr.Textbox(label="Reviewer's name")
            draft_button = gr.Button("Draft reply", variant="primary")
            about = gr.Markdown()
            with gr.Accordion("Sources", open=False):
                sources = gr.HTML()
        with gr.Column(scale=1):
            editor = gr.Textbox(label="Reply (edit here)", lines=10, elem_id="dd-reply", buttons=["copy"])
            report = gr.HTML(elem_id="dd-report")
            with gr.Row():
                check_button = gr.Button("Check again")
                who = gr.Textbox(label="Approved by", scale=2)
                approve_button = gr.Button("Approve", variant="primary")
                discard_button = gr.Button("Discard", variant="stop")
            status = gr.Markdown(elem_id="dd-status")

    fields = [review_text, rating, product, platform, author]
    draft_button.click(draft, fields, [editor, about, report, sources, current, status])
    editor.change(autosave, [current, editor], None, trigger_mode="always_last", show_progress="hidden")
    check_button.click(check, [current, editor], report)
    approve_button.click(approve, [current, editor, who], status)
    discard_button.click(discard, current, [editor, about, report, sources, current, status])
    page.load(restore, current, [*fields, editor, status, current, report])
