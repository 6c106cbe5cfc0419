"""Checking any message, drafted here or written by a person: one, or a whole export of them.

An agent's edited reply is checked again before it is published, and a team audits its past
replies in bulk. Each message says what it is (a review reply or a status update), where it
goes (its channel) and what it may rely on (the review, the incident's facts, the allowed
compensation); the checker does the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from draftdesk.domain.drafts import IncidentFacts, MessageKind, ToneReport
from draftdesk.domain.enums import Channel
from draftdesk.domain.knowledge import KnowledgeBase
from draftdesk.services.language import detect_language
from draftdesk.services.repetition import batch_duplicates
from draftdesk.services.tone_check import CheckContext, ToneChecker, report
from draftdesk.services.tone_rules import MONEY

DEFAULT_REPLY_LIMIT = 1500
MAX_MESSAGE_CHARS = 20_000


class CheckedReview(BaseModel):
    """The review a reply answers: at least its text."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    rating: int | None = Field(None, ge=1, le=5)
    product: str | None = None
    platform: str | None = None
    language: str | None = None


class ReplyFacts(BaseModel):
    """What the store knows about a reviewer's case, and what it may offer them."""

    model_config = ConfigDict(extra="forbid")

    context: str = ""
    compensation: str | None = None


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = ""
    text: str = Field(max_length=MAX_MESSAGE_CHARS)
    kind: MessageKind = MessageKind.REVIEW_REPLY
    channel: Channel | None = None
    review: CheckedReview | None = None
    facts: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _facts_fit_the_kind(self) -> CheckRequest:
        if self.kind == MessageKind.STATUS_UPDATE:
            if self.facts is None:
                raise ValueError(
                    "a status_update needs 'facts': type, stage, title, summary, affected, actions"
                )
            IncidentFacts.model_validate(self.facts)
            if self.channel == Channel.REVIEW:
                raise ValueError("a status_update goes to an incident channel, not 'review'")
        elif self.facts is not None:
            ReplyFacts.model_validate(self.facts)
        return self


class CheckResult(BaseModel):
    id: str
    report: ToneReport


class LineError(BaseModel):
    id: str | None
    line: int
    error: str


class MessageChecker:
    def __init__(
        self, checker: ToneChecker, kb: KnowledgeBase, contact: str, duplicate_overlap: float
    ) -> None:
        self.checker = checker
        self.limits = kb.limits()
        self.contact = contact
        self.duplicate_overlap = duplicate_overlap
        host = re.sub(r"^(https?://)?(www\.)?", "", contact).split("/")[0].lower()
        self.allowed_domains = (host,) if host else ()

    def context(self, req: CheckRequest) -> CheckContext:
        ctx = CheckContext(
            kind=req.kind, channel=req.channel, allowed_domains=self.allowed_domains, contact=self.contact
        )
        if req.kind == MessageKind.STATUS_UPDATE:
            facts = IncidentFacts.model_validate(req.facts)
            channel = req.channel or Channel.STATUS_PAGE
            ctx.channel, ctx.facts = channel, facts
            ctx.limit = self.limits.get(channel.value)
            ctx.facts_text = " ".join(facts.known().values())
            ctx.compensation = facts.compensation or ""
            return ctx
        reply_facts = ReplyFacts.model_validate(req.facts or {})
        ctx.channel = Channel.REVIEW
        ctx.facts_text = reply_facts.context
        ctx.compensation = reply_facts.compensation
        review = req.review
        if review is not None:
            # Auditing a person's reply: a price the customer quoted may be repeated back to them.
            ctx.extra_allowed = [" ".join(m.group(0) for m in MONEY.finditer(review.text))]
            ctx.review_text = review.text
            ctx.product = review.product
            ctx.complaint = review.rating is not None and review.rating <= 3
            ctx.language = review.language or detect_language(review.text)[0]
            ctx.limit = self.limits.get(f"review.{review.platform}", DEFAULT_REPLY_LIMIT)
        return ctx

    def check(self, req: CheckRequest) -> ToneReport:
        return self.checker.check(req.text, self.context(req))

    def check_many(self, requests: Sequence[CheckRequest]) -> list[ToneReport]:
        """Every message, plus replies of the batch that repeat an earlier one."""
        reports = [self.check(r) for r in requests]
        replies = [n for n, r in enumerate(requests) if r.kind == MessageKind.REVIEW_REPLY]
        repeats = batch_duplicates(
            [requests[n].text for n in replies],
            [requests[n].id or f"#{n + 1}" for n in replies],
            self.duplicate_overlap,
        )
        for k, found in repeats.items():
            n = replies[k]
            if not any(i.rule == "near_duplicate" for i in reports[n].issues):
                reports[n] = report([*reports[n].issues, found], reports[n].specificity)
        return reports


def read_requests(path: Path) -> Iterator[tuple[int, CheckRequest | LineError]]:
    """Each line of a JSONL file: a request, or the reason it cannot be checked (the rest still are)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            yield number, parse_line(raw, number)


def parse_line(raw: bytes, number: int) -> CheckRequest | LineError:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return LineError(
            id=None, line=number, error=f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save as UTF-8"
        )
    except json.JSONDecodeError as exc:
        return LineError(id=None, line=number, error=f"not valid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(data, dict):
        return LineError(id=None, line=number, error="must be a JSON object with at least 'text'")
    ident = str(data["id"]) if data.get("id") is not None else None
    try:
        return CheckRequest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        return LineError(id=ident, line=number, error=problems)
