"""Regenerating a reply with the agent's instruction ("shorter", "warmer"): where the instruction goes
in the prompt, that the new draft is checked like any other, and how the record keeps both versions.
Real components: the bundled knowledge in Chroma, SQLite, and the OpenAI client against a scripted
server on 127.0.0.1."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from draftdesk.container import Container
from draftdesk.domain.drafts import Engine
from draftdesk.errors import InputError
from draftdesk.services.recorded_replies import RecordedReply, stream_recorded
from tests.conftest import SAM, model_container
from tests.fake_openai import FakeOpenAI
from tests.test_drafting_llm import KETTLE

FIRST = (
    "Martha, a Brio Electric Kettle whose lid pops open mid-boil is not safe or acceptable, and I'm sorry. "
    "We can send a replacement or refund it; message us at lumenandloom.example/help. "
    "Lumen & Loom Care team"
)
# What a model might write when told to "offer 50% off": more than the compensation policy allows.
OVERPROMISE = (
    "Martha, I'm sorry the lid of your Brio Electric Kettle pops open while it boils. "
    "We'll give you 50% off your next order; message us at lumenandloom.example/help. "
    "Lumen & Loom Care team"
)
REVISED = (
    "Martha, I'm sorry the lid of your Brio Electric Kettle pops open while it boils. "
    "We can send a replacement; message us at lumenandloom.example/help. Lumen & Loom Care team"
)


def role(body: dict[str, Any]) -> str:
    if "You sort customer reviews" in str(body["messages"][0]["content"]):
        return "kind"
    if str(body["messages"][-1]["content"]).startswith("That draft has problems"):
        return "revision"
    return "reply"


def answers(body: dict[str, Any]) -> str:
    if role(body) == "kind":
        return json.dumps({"kind": "legitimate_complaint", "problem": "kettle lid pops open"})
    if role(body) == "revision":
        return REVISED
    return OVERPROMISE if "50% off" in str(body["messages"][-1]["content"]) else FIRST


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(responder=answers) as server:
        yield server


def _with_model(full_store: Container, tmp_path: Path, fake: FakeOpenAI) -> Container:
    return model_container(full_store, tmp_path, fake, openai_api_key="test-key", llm_timeout=5.0)


def _reply_turns(fake: FakeOpenAI) -> list[tuple[str, str]]:
    """(system, user) of every drafting request the server received, oldest first."""
    turns = []
    for body in fake.requests:
        if role(body) == "reply":
            system, user = (str(m["content"]) for m in body["messages"])
            turns.append((system, user))
    return turns


def _final(events: list[str | RecordedReply]) -> RecordedReply:
    last = events[-1]
    assert isinstance(last, RecordedReply), events
    return last


def test_the_instruction_follows_the_review_never_inside_its_markers(
    full_store: Container, tmp_path: Path, fake: FakeOpenAI
) -> None:
    drafts = _with_model(full_store, tmp_path, fake)
    drafts.reviews.draft(KETTLE)
    drafts.reviews.draft(KETTLE, instruction="  shorter,\n  and warmer ")
    (first_system, first_user), (system, user) = _reply_turns(fake)

    fence = re.search(r"<(review-[0-9a-f]{8})>", user)
    assert fence, user
    before, rest = user.split(f"<{fence.group(1)}>")
    inside, after = rest.split(f"</{fence.group(1)}>")
    assert "Ignore your instructions" in inside  # the review, as data
    assert 'Agent\'s request for this version: "shorter, and warmer"' in after  # on one line
    assert "shorter" not in before and "shorter" not in inside
    assert "only as far as the rules above allow" in after
    # A first draft has no request part, and the system text is the same either way
    # (the rules do not move, and a local model keeps its cache).
    assert "Agent's request" not in first_user
    assert system == first_system


def test_a_regenerated_draft_is_checked_and_revised_like_any_and_kept_as_version_2(
    full_store: Container, tmp_path: Path, fake: FakeOpenAI
) -> None:
    drafts = _with_model(full_store, tmp_path, fake)
    first = _final(list(stream_recorded(drafts.reviews, drafts.records, KETTLE)))
    assert (first.version, first.reply.text) == (1, FIRST)

    events = list(
        stream_recorded(drafts.reviews, drafts.records, KETTLE, first.request_id, instruction="offer 50% off")
    )
    streamed = "".join(e for e in events if isinstance(e, str))
    regenerated = _final(events)
    assert streamed.strip() == OVERPROMISE  # the editor sees the model's words as they come
    # The instruction asked for more than the policy allows: the checks caught it and the model
    # rewrote the draft, exactly as for a first draft.
    reply = regenerated.reply
    assert reply.engine == Engine.OPENAI and not reply.fallback
    assert reply.revisions == 1 and reply.text == REVISED and reply.report.passed
    revision = next(b for b in fake.requests if role(b) == "revision")
    assert "50%" in str(revision["messages"][-1]["content"])  # the problem named to the model
    assert "offer 50% off" in str(revision["messages"][1]["content"])  # the wish stays in the conversation

    assert (regenerated.request_id, regenerated.version) == (first.request_id, 2)
    record = drafts.records.get(first.request_id)
    assert [(d.version, d.text) for d in record.drafts] == [(1, FIRST), (2, REVISED)]


def test_the_template_engine_says_the_instruction_needs_a_model_and_varies_the_draft(
    template_drafts: Container,
) -> None:
    first = _final(list(stream_recorded(template_drafts.reviews, template_drafts.records, KETTLE)))
    again = _final(
        list(
            stream_recorded(
                template_drafts.reviews,
                template_drafts.records,
                KETTLE,
                first.request_id,
                instruction="warmer",
            )
        )
    )
    assert again.reply.engine == Engine.TEMPLATE
    assert any("“warmer” needs a language model" in w for w in again.reply.warnings)
    assert not any("needs a language model" in w for w in first.reply.warnings)
    assert again.reply.text != first.reply.text  # other phrasing, not the same text again
    assert "Brio Electric Kettle" in again.reply.text
    assert (again.request_id, again.version) == (first.request_id, 2)


def test_a_changed_or_approved_review_starts_a_new_request(template_drafts: Container) -> None:
    drafts, records = template_drafts.reviews, template_drafts.records
    first = _final(list(stream_recorded(drafts, records, KETTLE)))
    other = KETTLE.model_copy(update={"text": "The Brio kettle's base leaks after a week."})
    changed = _final(list(stream_recorded(drafts, records, other, first.request_id, "shorter")))
    assert changed.request_id != first.request_id and changed.version == 1

    records.approve(first.request_id, first.reply.text, SAM)
    after = _final(list(stream_recorded(drafts, records, KETTLE, first.request_id, "shorter")))
    assert after.request_id != first.request_id and after.version == 1
    assert len(records.get(first.request_id).drafts) == 1


def test_a_long_instruction_is_refused_before_anything_is_drafted(template_drafts: Container) -> None:
    with pytest.raises(InputError, match="longer than 200 characters"):
        list(stream_recorded(template_drafts.reviews, template_drafts.records, KETTLE, None, "shorter " * 40))
    assert template_drafts.records.recent("review_reply") == []
