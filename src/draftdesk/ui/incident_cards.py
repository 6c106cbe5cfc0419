"""One channel's card on the Incident screen: its message, a live character count against the
channel's limit, the check report, and approving it as published."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from draftdesk.container import Container
from draftdesk.domain.drafts import ToneReport
from draftdesk.domain.enums import Channel
from draftdesk.errors import DraftdeskError
from draftdesk.services.incident_drafting import SOFT_LIMITS
from draftdesk.ui.reply_views import report_html
from draftdesk.ui.session import acting_user

CHANNEL_NAMES = {
    Channel.STATUS_PAGE: "Status page",
    Channel.EMAIL: "Email",
    Channel.SMS: "SMS",
    Channel.SOCIAL: "Social post",
    Channel.BANNER: "Homepage banner",
    Channel.IN_APP: "In-app notice",
}
TITLED = (Channel.STATUS_PAGE, Channel.EMAIL)
OVER_STYLE = "color:#b3261e;font-weight:700"


def counter_html(text: str, limit: int | None, soft: int | None = None) -> str:
    n = len(text or "")
    if limit:
        over = n > limit
        return (
            f"<span class='dd-count {'dd-over' if over else 'dd-ok'}' style='{OVER_STYLE if over else ''}'>"
            f"{n} / {limit} characters</span>"
        )
    return f"<span class='dd-count dd-ok'>{n} characters (no hard limit; aim under {soft or 600})</span>"


def channel_card(channel: Channel, limit: int | None) -> dict[str, Any]:
    """One channel's card, hidden until a pack includes the channel."""
    name = CHANNEL_NAMES[channel]
    with gr.Group(visible=False) as group:
        card = {
            "group": group,
            "head": gr.Markdown(f"#### {name}"),
            "title": gr.Textbox(
                label="Subject" if channel == Channel.EMAIL else "Title",
                visible=channel in TITLED,
                elem_id=f"dd-title-{channel}",
            ),
            "text": gr.Textbox(label=f"{name} message", lines=3, elem_id=f"dd-text-{channel}"),
            "counter": gr.HTML(
                counter_html("", limit, SOFT_LIMITS.get(channel)), elem_id=f"dd-count-{channel}"
            ),
            "report": gr.HTML(elem_id=f"dd-report-{channel}"),
        }
        with gr.Row():
            card["check"] = gr.Button(f"Check {name}", size="sm")
            card["approve"] = gr.Button(
                f"Approve {name}", variant="primary", size="sm", elem_id=f"dd-approve-{channel}"
            )
        card["status"] = gr.Markdown(elem_id=f"dd-status-{channel}")
    return card


def about_draft(engine: str, model: str, fallback: bool, revisions: int, sources: list[str]) -> str:
    note = f"{engine} · {html.escape(model)}"
    if fallback and engine == "template":
        note += " · from templates"
    if revisions:
        note += f" · rewritten {revisions}×"
    if sources:
        note += " · sources: " + html.escape(", ".join(dict.fromkeys(sources)))
    return note


def wire_card(
    container: Container,
    channel: Channel,
    card: dict[str, Any],
    limit: int | None,
    pack_state: Any,
    incident_state: Any,
    incident_outputs: list[Any],
    incident_view: Any,
    load: Any,
) -> None:
    ws = container.incident_workspace
    records = container.records

    def autosave(pack_id: str, text: str, request: gr.Request) -> None:
        if pack_id:
            records.save_edit(pack_id, text, channel=str(channel), by=acting_user(container, request).name)

    def check(pack_id: str, text: str) -> str:
        if not pack_id:
            return ""
        return report_html(ws.check(pack_id, str(channel), text))

    def approve(pack_id: str, incident_id: str, text: str, request: gr.Request) -> list[Any]:
        if not pack_id:
            raise gr.Error("Draft the pack first.")
        user = acting_user(container, request)
        try:
            approval = ws.approve(pack_id, str(channel), text, user)
        except DraftdeskError as exc:
            raise gr.Error(f"{exc.message} {exc.hint or ''}".strip()) from None
        status = (
            f"**Published by {html.escape(approval.approved_by)}** at {approval.approved_at:%H:%M} UTC · "
            f"{approval.edit_distance} words changed from the draft."
        )
        return [
            status,
            report_html(ToneReport.model_validate(approval.report)),
            *incident_view(load(incident_id)),
        ]

    text = card["text"]
    soft = SOFT_LIMITS.get(channel)
    text.change(
        lambda t: counter_html(t, limit, soft),
        text,
        card["counter"],
        trigger_mode="always_last",
        show_progress="hidden",
        queue=False,
    )
    text.change(autosave, [pack_state, text], None, trigger_mode="always_last", show_progress="hidden")
    card["check"].click(check, [pack_state, text], card["report"])
    card["approve"].click(
        approve, [pack_state, incident_state, text], [card["status"], card["report"], *incident_outputs]
    )
