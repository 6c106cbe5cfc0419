"""Who is behind a page request. The roles themselves are enforced by the services."""

from __future__ import annotations

import html

import gradio as gr

from draftdesk.container import Container
from draftdesk.domain.users import User
from draftdesk.errors import DraftdeskError


def acting_user(container: Container, request: gr.Request | None) -> User:
    """The signed-in account, or the single local user when no accounts are set up."""
    try:
        return container.users.current(getattr(request, "username", None))
    except DraftdeskError as exc:
        raise gr.Error(f"{exc.message} {exc.hint or ''}".strip()) from None


def user_banner(container: Container, request: gr.Request | None) -> str:
    user = acting_user(container, request)
    if user.local:
        return (
            "<div id='dd-user'>Single local user · no accounts are set up, so whoever opens this page may "
            "do everything. Add accounts with <code>draftdesk users add NAME --role agent|lead</code>.</div>"
        )
    can = "drafts and approves review replies" if user.role == "agent" else "may approve everything"
    return (
        f"<div id='dd-user'>Signed in as <b>{html.escape(user.name)}</b> ({user.role}, {can}) · "
        "<a href='/logout'>Sign out</a></div>"
    )
