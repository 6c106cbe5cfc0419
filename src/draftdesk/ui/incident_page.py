"""The Incident screen: the comms lead's pack of updates, one card per channel, kept to the cadence.

All decisions live in the incident workspace service; this module lays out the form and turns
service errors into messages. The browser keeps only the ids of the open incident and pack, so
a reload or a restart brings the facts, the cards and the text being edited back from the record.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import gradio as gr
from pydantic import ValidationError

from draftdesk.container import Container
from draftdesk.domain.drafts import INCIDENT_CHANNELS, IncidentFacts, IncidentPack, ToneReport
from draftdesk.domain.enums import Channel, IncidentType, Severity, Stage
from draftdesk.domain.incident_records import IncidentRecord, NewIncident, Resolution
from draftdesk.domain.users import Role
from draftdesk.errors import DraftdeskError
from draftdesk.services.incident_drafting import SOFT_LIMITS
from draftdesk.ui.incident_cards import CHANNEL_NAMES, about_draft, channel_card, counter_html, wire_card
from draftdesk.ui.reply_views import report_html
from draftdesk.ui.session import acting_user

FACT_FIELDS = (
    "summary",
    "affected",
    "actions",
    "workaround",
    "eta",
    "next_update_at",
    "compensation",
    "cause",
)


def _facts(stage: str, channels: list[str], record: IncidentRecord, values: tuple[str, ...]) -> IncidentFacts:
    known = {k: (v.strip() or None) for k, v in zip(FACT_FIELDS, values, strict=True)}
    try:
        return IncidentFacts.model_validate(
            {"type": record.type, "stage": stage, "title": record.title, "channels": channels, **known}
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'facts'}: {e['msg']}" for e in exc.errors())
        raise gr.Error(f"The facts are not complete yet: {problems}. Nothing you typed is lost.") from None


def _choices(container: Container) -> list[tuple[str, str]]:
    return [
        (f"{i.title} · {i.type} · {i.severity} · {i.stage}", i.id)
        for i in container.incident_workspace.incidents()
    ]


def _summary(container: Container, record: IncidentRecord) -> tuple[str, bool]:
    """The incident's header line and when the next update is due; True when a holding update is due."""
    lines = [f"**{html.escape(record.title)}** · `{record.type}` · {record.severity} · {record.status}"]
    if record.status == "resolved":
        lines.append(f"Resolved and filed in the knowledge base as `{record.filed_as}`.")
        return "\n\n".join(lines), False
    due = container.incident_workspace.next_update(record.id, datetime.now(UTC))
    if due:
        when = f"{due.due_at:%H:%M} UTC" + (
            f" (at the latest {due.latest_at:%H:%M} UTC)" if due.latest_at != due.due_at else ""
        )
        flag = "**Overdue:** " if due.overdue else ("**Due now:** " if due.holding_offered else "")
        lines.append(f"{flag}next update {when}, because {due.reason}.")
        return "\n\n".join(lines), due.holding_offered
    return "\n\n".join(lines), False


def _timeline_html(record: IncidentRecord) -> str:
    if not record.timeline:
        return "<p><i>Nothing published yet.</i></p>"
    items = [
        f"<li><b>{u.at:%d %b %H:%M} UTC</b> · {u.stage} · {CHANNEL_NAMES.get(Channel(u.channel), u.channel)} "
        f"· {html.escape(u.approved_by)}<br>{html.escape(u.text)}</li>"
        for u in reversed(record.timeline)
    ]
    return f"<ol class='dd-timeline' reversed>{''.join(items)}</ol>"


def incident_states() -> tuple[gr.BrowserState, gr.BrowserState]:
    """The ids of the open incident and pack, kept in the browser. Made outside the tab: a tab that is
    not shown yet is not mounted, and its state would read empty when the page loads."""
    return (
        gr.BrowserState("", storage_key="draftdesk-incident"),
        gr.BrowserState("", storage_key="draftdesk-incident-pack"),
    )


def build_incident_tab(
    container: Container, page: gr.Blocks, states: tuple[gr.BrowserState, gr.BrowserState]
) -> None:
    ws = container.incident_workspace
    limits = container.knowledge.limits()
    channel_limits = {c: limits.get(str(c)) for c in INCIDENT_CHANNELS}

    def load(incident_id: str) -> IncidentRecord:
        try:
            return ws.get(incident_id)
        except DraftdeskError as exc:
            raise gr.Error(exc.message) from None

    incident_state, pack_state = states
    role_note = gr.Markdown(visible=False, elem_id="dd-incident-role")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            picker = gr.Dropdown(choices=[], label="Open incidents", value=None, elem_id="dd-incident-picker")
            with gr.Accordion("New incident", open=True):
                new_type = gr.Dropdown([str(t) for t in IncidentType], label="Type", value="site_outage")
                new_severity = gr.Dropdown([str(s) for s in Severity], label="Severity", value="major")
                new_title = gr.Textbox(label="Title", placeholder="e.g. Card payments failing at checkout")
                create = gr.Button("Open incident", variant="primary")
            info = gr.Markdown(elem_id="dd-incident-info")
            holding = gr.Button("Draft holding update", visible=False, elem_id="dd-holding")
            gr.Markdown("#### Published so far")
            timeline = gr.HTML(elem_id="dd-timeline")
            with gr.Accordion("Resolve and file", open=False):
                cause = gr.Textbox(label="Cause (in customers' words)", lines=2)
                fix = gr.Textbox(label="Fix", lines=2)
                lesson = gr.Textbox(label="Lesson: what changes so it does not happen again", lines=2)
                resolve = gr.Button("Resolve and file into the knowledge base", variant="stop")
        with gr.Column(scale=2):
            stage = gr.Dropdown([str(s) for s in Stage], label="Stage", value="investigating")
            fact_boxes = [
                gr.Textbox(label="What customers experience", lines=2, elem_id="dd-fact-summary"),
                gr.Textbox(label="Who and what is affected", elem_id="dd-fact-affected"),
                gr.Textbox(label="What the team is doing", lines=2, elem_id="dd-fact-actions"),
                gr.Textbox(label="Workaround (optional)", elem_id="dd-fact-workaround"),
                gr.Textbox(label="ETA (optional; leave empty when nobody knows)", elem_id="dd-fact-eta"),
                gr.Textbox(label="Next update at (e.g. 14:30 UTC)", elem_id="dd-fact-next"),
                gr.Textbox(label="Compensation the policy allows (optional)", elem_id="dd-fact-compensation"),
                gr.Textbox(label="Cause, once known (optional)", elem_id="dd-fact-cause"),
            ]
            channels = gr.CheckboxGroup(
                [(CHANNEL_NAMES[c], str(c)) for c in INCIDENT_CHANNELS],
                value=[str(c) for c in INCIDENT_CHANNELS],
                label="Channels",
            )
            draft_button = gr.Button("Draft the pack", variant="primary", elem_id="dd-draft-pack")
            pack_notes = gr.Markdown(elem_id="dd-pack-notes")
            cards: dict[Channel, dict[str, Any]] = {}
            # Long messages on the left, the short channels beside them; the columns stack on a tablet.
            with gr.Row(equal_height=False):
                for column in (
                    (Channel.STATUS_PAGE, Channel.EMAIL),
                    (Channel.SMS, Channel.SOCIAL, Channel.BANNER, Channel.IN_APP),
                ):
                    with gr.Column(min_width=340):
                        for channel in column:
                            cards[channel] = channel_card(channel, channel_limits[channel])

    card_outputs = [
        cards[c][k]
        for c in INCIDENT_CHANNELS
        for k in ("group", "head", "title", "text", "counter", "report", "status")
    ]

    def cards_update(pack_channels: dict[Channel, dict[str, Any]]) -> list[Any]:
        """Every card: shown with its draft when the pack has the channel, hidden otherwise."""
        out: list[Any] = []
        for c in INCIDENT_CHANNELS:
            d = pack_channels.get(c)
            if d is None:
                out += [gr.update(visible=False), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), ""]
                continue
            head = f"#### {CHANNEL_NAMES[c]}\n<small>{d['about']}</small>"
            out += [
                gr.update(visible=True),
                head,
                d.get("title") or "",
                d["text"],
                counter_html(d["text"], channel_limits[c], SOFT_LIMITS.get(c)),
                d["report"],
                "",
            ]
        return out

    def pack_cards(pack: IncidentPack) -> dict[Channel, dict[str, Any]]:
        return {
            d.channel: {
                "title": d.title,
                "text": d.text,
                "report": report_html(d.report),
                "about": about_draft(
                    d.engine, d.model, d.fallback, d.revisions, [s.title for s in d.sources]
                ),
            }
            for d in pack.drafts
        }

    def incident_view(record: IncidentRecord) -> list[Any]:
        summary, due = _summary(container, record)
        return [summary, gr.update(visible=due and record.status == "open"), _timeline_html(record)]

    def form_values(record: IncidentRecord) -> list[Any]:
        f = record.facts
        return [
            f.get("stage") or "investigating",
            *[f.get(k) or "" for k in FACT_FIELDS],
            f.get("channels") or [str(c) for c in INCIDENT_CHANNELS],
        ]

    form: list[Any] = [stage, *fact_boxes, channels]

    def open_new(kind: str, severity: str, title_text: str) -> list[Any]:
        try:
            record = ws.open(
                NewIncident(type=IncidentType(kind), severity=Severity(severity), title=title_text)
            )
        except ValidationError:
            raise gr.Error("Give the incident a short title, such as 'Card payments failing'.") from None
        return [
            gr.update(choices=_choices(container), value=record.id),
            record.id,
            "",
            *incident_view(record),
            *form_values(record),
            *cards_update({}),
            "",
        ]

    def pick(incident_id: str | None) -> list[Any]:
        if not incident_id:
            return [gr.skip()] * (5 + len(form) + len(card_outputs) + 1)
        record = load(incident_id)
        pack_id = record.last_request_id or ""
        return [
            incident_id,
            pack_id,
            *incident_view(record),
            *form_values(record),
            *cards_update(_recorded_cards(pack_id)),
            "",
        ]

    def _recorded_cards(pack_id: str) -> dict[Channel, dict[str, Any]]:
        if not pack_id:
            return {}
        record = container.records.get(pack_id)
        latest = {d.channel: d for d in record.drafts}
        approved = {a.channel: a for a in record.approvals}
        out: dict[Channel, dict[str, Any]] = {}
        for name, d in latest.items():
            text = record.work_in_progress.get(name, d.text)
            note = f" · approved by {html.escape(approved[name].approved_by)}" if name in approved else ""
            out[Channel(name)] = {
                "title": d.title,
                "text": text,
                "report": report_html(ToneReport.model_validate(d.report)) if d.report else "",
                "about": about_draft(
                    d.engine, d.model, d.engine == "template", 0, [s["title"] for s in d.sources]
                )
                + note,
            }
        return out

    def save_form(incident_id: str, stage_value: str, *rest: Any) -> None:
        if incident_id:
            *values, chosen = rest
            ws.save_facts(
                incident_id,
                {"stage": stage_value, **dict(zip(FACT_FIELDS, values, strict=True)), "channels": chosen},
            )

    # The request comes first: Gradio passes it only to a positional parameter, before the *rest.
    def draft_pack(request: gr.Request, incident_id: str, stage_value: str, *rest: Any) -> list[Any]:
        if not incident_id:
            raise gr.Error("Open or create an incident first.")
        *values, chosen = rest
        record = load(incident_id)
        facts = _facts(stage_value, chosen, record, tuple(values))
        try:
            pack_id, pack = ws.draft(incident_id, facts, by=acting_user(container, request).name)
        except DraftdeskError as exc:
            raise gr.Error(f"{exc.message} Your facts are kept.") from None
        notes = "".join(f"\n\n> {html.escape(w)}" for w in pack.warnings)
        return [pack_id, f"Drafted {len(pack.drafts)} messages.{notes}", *cards_update(pack_cards(pack))]

    def draft_holding(incident_id: str, request: gr.Request) -> list[Any]:
        try:
            facts = ws.holding_facts(incident_id)
            pack_id, pack = ws.draft(incident_id, facts, by=acting_user(container, request).name)
        except DraftdeskError as exc:
            raise gr.Error(exc.message) from None
        notes = f"A holding update at the same stage, promising the next one at {facts.next_update_at}."
        notes += "".join(f"\n\n> {html.escape(w)}" for w in pack.warnings)
        return [pack_id, notes, facts.next_update_at, *cards_update(pack_cards(pack))]

    def resolve_incident(
        incident_id: str, cause_text: str, fix_text: str, lesson_text: str, request: gr.Request
    ) -> list[Any]:
        if not incident_id:
            raise gr.Error("Open an incident first.")
        try:
            resolution = Resolution(cause=cause_text, fix=fix_text, lesson=lesson_text)
        except ValidationError:
            raise gr.Error(
                "Fill in the cause, the fix and the lesson; they become the past incident."
            ) from None
        try:
            filed = ws.resolve(incident_id, resolution, acting_user(container, request))
        except DraftdeskError as exc:
            raise gr.Error(f"{exc.message} {exc.hint or ''}".strip()) from None
        gr.Info(f"Filed as {filed.id}: the next incident of this type will draw on it.")
        return [gr.update(choices=_choices(container), value=None), *incident_view(load(incident_id))]

    create.click(
        open_new,
        [new_type, new_severity, new_title],
        [picker, incident_state, pack_state, info, holding, timeline, *form, *card_outputs, pack_notes],
        show_progress="hidden",
    )
    picker.input(
        pick, picker, [incident_state, pack_state, info, holding, timeline, *form, *card_outputs, pack_notes]
    )
    for box in form:
        box.change(
            save_form, [incident_state, *form], None, trigger_mode="always_last", show_progress="hidden"
        )
    draft_button.click(draft_pack, [incident_state, *form], [pack_state, pack_notes, *card_outputs])
    holding.click(draft_holding, incident_state, [pack_state, pack_notes, fact_boxes[5], *card_outputs])
    resolve.click(resolve_incident, [incident_state, cause, fix, lesson], [picker, info, holding, timeline])

    for channel, card in cards.items():
        wire_card(
            container,
            channel,
            card,
            channel_limits[channel],
            pack_state,
            incident_state,
            [info, holding, timeline],
            incident_view,
            load,
        )

    def restore(incident_id: str) -> list[Any]:
        choices = _choices(container)
        known = {v for _, v in choices}
        if incident_id and incident_id not in known:
            try:
                ws.get(incident_id)
            except DraftdeskError:
                incident_id = ""
        return [gr.update(choices=choices, value=incident_id or None), *pick(incident_id)]

    def role(request: gr.Request) -> Any:
        # The services refuse an agent's approval anyway; saying so up front saves the click.
        user = acting_user(container, request)
        if user.role == Role.LEAD:
            return gr.update(visible=False)
        return gr.update(
            visible=True,
            value=f"You are signed in as **{html.escape(user.name)}**, an agent: you can draft packs here, "
            "and a comms lead approves them and resolves the incident.",
        )

    page.load(role, None, role_note, show_progress="hidden")
    page.load(
        restore,
        incident_state,
        [picker, incident_state, pack_state, info, holding, timeline, *form, *card_outputs, pack_notes],
        show_progress="hidden",
    )
