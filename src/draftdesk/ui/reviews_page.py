"""The Reviews screen: draft a reply, edit it with the checks beside it, approve it.

Every step goes through the services (drafting, checking, the record of work). The page
keeps only the id of the open request in the browser, so a reload or a server restart
brings back the review and the text in the editor from the database.

A review is pasted, or picked from an uploaded file; the draft streams into the editor, and
each problem the check finds is marked in the text under it, so the agent sees where to edit.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from pydantic import ValidationError

from draftdesk.container import Container
from draftdesk.domain.drafts import (
    MessageKind,
    ReviewRequest,
    Source,
    ToneReport,
)
from draftdesk.errors import DraftdeskError
from draftdesk.services.message_check import CheckedReview, CheckRequest
from draftdesk.services.recorded_replies import RecordedReply, stream_recorded
from draftdesk.services.review_io import read_reviews
from draftdesk.ui.reply_views import about_markdown, marked_html, report_html, sources_html
from draftdesk.ui.session import acting_user
from draftdesk.ui.shortcuts import APPROVE_ID, HINT, REGENERATE_ID

PLATFORMS = ["", "google", "trustpilot", "amazon", "app_store", "google_play"]
NO_RATING = "none"
PICK_WORDS = 8
# The fields of a review picked from a file that the form has no box for, but the draft keeps.
PICKED_FIELDS = ("id", "language", "date")


def pick_label(review: dict[str, Any]) -> str:
    words = str(review["text"]).split()
    opening = " ".join(words[:PICK_WORDS]) + ("…" if len(words) > PICK_WORDS else "")
    return f"{review['id']} · {review['rating']}★ · {opening}"


def _review(
    text: str, rating: str, product: str, platform: str, author: str, picked: dict[str, Any] | None = None
) -> ReviewRequest:
    try:
        return ReviewRequest(
            text=text,
            rating=None if rating == NO_RATING else int(rating),
            product=product.strip() or None,
            platform=platform or None,
            author=author.strip(),
            **{k: v for k, v in (picked or {}).items() if k in PICKED_FIELDS},
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


def _in_file_words(message: str, path: Path) -> str:
    # Gradio's upload folder means nothing to the agent; the file's own name does.
    return message.replace(str(path), path.name)


def read_file_for_picking(file: str | None) -> tuple[list[dict[str, Any]], str]:
    """The file's reviews, and what to tell the agent about it (rows left out, by line)."""
    if not file:
        return [], ""
    path = Path(file)
    try:
        batch = read_reviews(path)
    except DraftdeskError as exc:
        hint = f"\n\n{exc.hint}" if exc.hint else ""
        return [], f"**This file cannot be used.** {_in_file_words(exc.message, path)}{hint}"
    notes = f"{len(batch.reviews)} review{'s' if len(batch.reviews) != 1 else ''} to pick from."
    if batch.problems:
        notes += "\n\nLeft out (fix these rows and upload again):\n" + "\n".join(
            f"- {_in_file_words(str(p), path)}" for p in batch.problems
        )
    return [r.model_dump(mode="json") for r in batch.reviews], notes


def build_reviews_tab(container: Container, page: gr.Blocks) -> None:
    records = container.records

    def cited(sources: list[Source]) -> str:
        return sources_html(
            [(s, container.retrieval.entry_text(s.collection, s.id, s.title)) for s in sources]
        )

    def shown(recorded: RecordedReply, instruction: str | None) -> tuple[Any, ...]:
        reply = recorded.reply
        status = f"Draft {recorded.version} of this reply"
        status += (
            f", asked to be \u201c{instruction.strip()}\u201d."
            if instruction and instruction.strip()
            else "."
        )
        return (
            reply.text,
            about_markdown(reply),
            report_html(reply.report),
            marked_html(reply.text, reply.report),
            cited(reply.sources),
            recorded.request_id,
            status,
        )

    def drafting(
        review: ReviewRequest,
        request_id: str,
        instruction: str | None,
        before: str,
        redraft: bool,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the draft into the editor, then show the checked result and where it is kept."""
        # No request id while pieces arrive, sent before the first piece: the editor's change
        # events then neither save a piece as an edit nor check it.
        yield (gr.skip(), *[gr.skip()] * 4, "", "Drafting…")
        so_far = ""
        by = acting_user(container, request).name
        try:
            target = request_id if redraft else None
            for item in stream_recorded(container.reviews, records, review, target, instruction, by):
                if isinstance(item, str):
                    so_far += item
                    yield (so_far, *[gr.skip()] * 6)
                else:
                    # The editor holds the new draft now: a reload must bring it back, not an older edit.
                    records.save_edit(item.request_id, item.reply.text, by=by)
                    yield shown(item, instruction)
        except DraftdeskError as exc:
            yield (before, *[gr.skip()] * 4, request_id, "")
            raise gr.Error(f"{exc.message} Your review and your reply are kept; try again.") from None

    def draft(
        text: str,
        rating: str,
        product: str,
        platform: str,
        author: str,
        picked: dict[str, Any],
        request_id: str,
        before: str,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        review = _review(text, rating, product, platform, author, picked)
        yield from drafting(review, request_id, None, before, False, request)

    def regenerate(
        text: str,
        rating: str,
        product: str,
        platform: str,
        author: str,
        picked: dict[str, Any],
        request_id: str,
        before: str,
        instruction: str,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        """A new draft of the open request (the same review), shaped by the agent's instruction."""
        review = _review(text, rating, product, platform, author, picked)
        yield from drafting(review, request_id, instruction, before, True, request)

    def checked(request_id: str, text: str) -> ToneReport | None:
        if not request_id:
            return None
        record = records.get(request_id)
        review = CheckedReview.model_validate(record.payload)
        try:
            request = CheckRequest(text=text or " ", kind=MessageKind.REVIEW_REPLY, review=review)
        except ValidationError as exc:
            raise gr.Error(f"The reply cannot be checked: {_plain(exc)}.") from None
        return container.messages.check(request)

    def check(request_id: str, text: str) -> tuple[str, str]:
        try:
            report = checked(request_id, text)
        except DraftdeskError as exc:
            raise gr.Error(exc.message) from None
        return report_html(report), marked_html(text, report)

    def edited(request_id: str, text: str, request: gr.Request) -> tuple[Any, Any]:
        """Keep what the agent typed (a reload gives it back), and check it as it stands."""
        if not request_id:
            # A draft is arriving (or none is open): its own result fills the report.
            return gr.skip(), gr.skip()
        records.save_edit(request_id, text, by=acting_user(container, request).name)
        return check(request_id, text)

    def approve(request_id: str, text: str, request: gr.Request) -> str:
        if not request_id:
            raise gr.Error("Draft a reply first.")
        user = acting_user(container, request)
        try:
            approval = records.approve(request_id, text, user, report=checked(request_id, text))
        except DraftdeskError as exc:
            raise gr.Error(exc.message) from None
        return (
            f"**Approved by {html.escape(approval.approved_by)}** · {approval.edit_distance} words changed "
            f"from the draft ({approval.edit_ratio:.0%}). Copy the reply and post it on the platform."
        )

    def discard(request_id: str) -> tuple[Any, ...]:
        if request_id:
            records.discard(request_id)
        return "", "", "", "", "", "", "Discarded. The review and its drafts stay in the record."

    def upload_file(file: str | None) -> tuple[Any, ...]:
        reviews, notes = read_file_for_picking(file)
        if file and not reviews:
            gr.Warning("No review in this file can be used; see the note under the file.")
        choices = [(pick_label(r), r["id"]) for r in reviews]
        return gr.Dropdown(choices=choices, value=None), notes, reviews

    def pick(review_id: str | None, reviews: list[dict[str, Any]]) -> tuple[Any, ...]:
        found = next((r for r in reviews if r["id"] == review_id), None)
        if found is None:
            return (gr.skip(),) * 6
        keep = {"id": found["id"], "language": found.get("language"), "date": found.get("created_at")}
        return (
            found["text"],
            str(found["rating"]),
            found["product"],
            found["platform"],
            found.get("author") or "",
            keep,
        )

    def restore(request_id: str) -> tuple[Any, ...]:
        """A reload: bring back the open review and whatever was in the editor."""
        if not request_id:
            return (gr.skip(),) * 12
        try:
            record = records.get(request_id)
        except DraftdeskError:
            return (gr.skip(),) * 7 + ("", gr.skip(), gr.skip(), gr.skip(), gr.skip())
        p = record.payload
        last = record.drafts[-1] if record.drafts else None
        text = record.work_in_progress.get("review") or (last.text if last else "")
        status = "" if record.status == "open" else f"This reply is {record.status}."
        report, marks = check(request_id, text)
        return (
            p.get("text", ""),
            str(p.get("rating") or NO_RATING),
            p.get("product") or "",
            p.get("platform") or "",
            p.get("author") or "",
            text,
            status,
            request_id,
            report,
            marks,
            cited([Source.model_validate(s) for s in last.sources]) if last else "",
            {k: p.get(k) for k in PICKED_FIELDS},
        )

    current = gr.BrowserState("", storage_key="draftdesk-review")
    picked = gr.State({})  # id, language and date of a review picked from a file
    file_reviews = gr.State([])
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Accordion("Pick a review from a file (CSV or JSON Lines)", open=False):
                upload = gr.File(
                    label="Reviews file", file_types=[".csv", ".jsonl"], elem_id="dd-review-file", height=110
                )
                pick_box = gr.Dropdown([], value=None, label="Review to answer", elem_id="dd-pick")
                file_notes = gr.Markdown(elem_id="dd-file-notes")
            review_text = gr.Textbox(
                label="Review", lines=4, max_lines=12, placeholder="Paste the customer's review"
            )
            with gr.Row():
                rating = gr.Dropdown([NO_RATING, "1", "2", "3", "4", "5"], value=NO_RATING, label="Stars")
                platform = gr.Dropdown(PLATFORMS, value="", label="Platform", allow_custom_value=True)
            product = gr.Textbox(label="Product")
            author = gr.Textbox(label="Reviewer's name")
            draft_button = gr.Button("Draft reply", variant="primary", elem_id="dd-draft")
            with gr.Row(equal_height=True):
                instruction = gr.Textbox(
                    label="Instruction for a new draft",
                    placeholder="e.g. shorter, warmer, offer a replacement",
                    max_lines=1,
                    scale=3,
                )
                regenerate_button = gr.Button("Regenerate", elem_id=REGENERATE_ID, scale=1)
            with gr.Accordion("Sources", open=False):
                sources = gr.HTML(elem_id="dd-sources")
        with gr.Column(scale=1):
            # Kind, engine and warnings sit above the reply they are about, in view while editing.
            about = gr.Markdown(elem_id="dd-about")
            editor = gr.Textbox(label="Reply (edit here)", lines=4, elem_id="dd-reply", buttons=["copy"])
            marked = gr.HTML(elem_id="dd-marked")
            report = gr.HTML(elem_id="dd-report")
            with gr.Row(equal_height=True):
                check_button = gr.Button("Check again")
                approve_button = gr.Button("Approve", variant="primary", elem_id=APPROVE_ID)
                discard_button = gr.Button("Discard", variant="stop")
            gr.Markdown(HINT, elem_id="dd-shortcuts")
            status = gr.Markdown(elem_id="dd-status")

    fields = [review_text, rating, product, platform, author]
    drafted = [editor, about, report, marked, sources, current, status]
    draft_button.click(draft, [*fields, picked, current, editor], drafted)
    regenerate_button.click(regenerate, [*fields, picked, current, editor, instruction], drafted)
    instruction.submit(regenerate, [*fields, picked, current, editor, instruction], drafted)
    # `change`, not `input`: Gradio's textbox fires `input` on key presses only, not on a paste or Backspace.
    editor.change(
        edited, [current, editor], [report, marked], trigger_mode="always_last", show_progress="hidden"
    )
    check_button.click(check, [current, editor], [report, marked])
    approve_button.click(approve, [current, editor], status)
    discard_button.click(discard, current, [editor, about, report, marked, sources, current, status])
    upload.upload(upload_file, upload, [pick_box, file_notes, file_reviews])
    upload.clear(
        lambda: (gr.Dropdown(choices=[], value=None), "", []), None, [pick_box, file_notes, file_reviews]
    )
    pick_box.input(pick, [pick_box, file_reviews], [*fields, picked])
    # Words typed into the review make it another review: the file's id no longer belongs to it.
    review_text.input(lambda: {}, None, picked, show_progress="hidden")
    # Restoring is quick; a progress overlay on every field at each page load only flickers.
    page.load(
        restore,
        current,
        [*fields, editor, status, current, report, marked, sources, picked],
        show_progress="hidden",
    )
