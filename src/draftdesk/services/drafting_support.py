"""What both drafters share: the knowledge they draw on, answer clean-up and the revision loop."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, BaseMessage

from draftdesk.adapters.llm.base import ChatLLM, LLMError
from draftdesk.domain.drafts import ReviewReply, Source, ToneIssue, ToneReport
from draftdesk.domain.enums import Approver, PhraseFamily
from draftdesk.domain.knowledge import KnowledgeBase
from draftdesk.services.phrase_patterns import phrase_example
from draftdesk.services.prompt_library import PromptLibrary
from draftdesk.services.retrieval import RetrievalService
from draftdesk.services.template_engine import TemplateEngine
from draftdesk.services.tone_check import CheckContext, ToneChecker, report

AVOID_IN_PROMPT = 20


@dataclass
class DraftingContext:
    kb: KnowledgeBase
    prompts: PromptLibrary
    llm: ChatLLM | None
    checker: ToneChecker
    templates: TemplateEngine
    retrieval: RetrievalService
    store_name: str
    contact: str
    max_revisions: int = 2
    # e5 cosine scores sit high; below this a "related" incident is usually about something else.
    related_incident_score: float = 0.86
    allowed_domains: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        host = re.sub(r"^(https?://)?(www\.)?", "", self.contact).split("/")[0].lower()
        if not self.allowed_domains:
            self.allowed_domains = (host,) if host else ()

    @property
    def allowances_text(self) -> str:
        # Only what an agent may grant alone: anything else needs a lead, so a draft never offers it.
        lines = [
            f"- {a.offer} (at most {a.max_value}; when: {a.when})"
            for g in self.kb.guidelines
            for a in g.meta.allowances
            if a.approver == Approver.AGENT
        ]
        return (
            "\n".join(lines)
            or "- Nothing beyond fixing the problem itself; ask a lead before offering anything."
        )

    @property
    def avoid_text(self) -> str:
        # The phrases alone: small models copy the worked examples of "instead" into replies.
        phrases = [
            f'"{phrase_example(p.text)}"'
            for g in self.kb.guidelines
            for p in g.meta.phrases
            # English examples only: the model needs the idea, and the prompt must stay short.
            if p.family in (PhraseFamily.GENERIC, PhraseFamily.DEFENSIVE) and p.text.isascii()
        ]
        # A short list: a small model copies phrases from a long one into its reply.
        return ", ".join(list(dict.fromkeys(phrases))[:AVOID_IN_PROMPT]) or "(none listed)"

    @property
    def policy_sources(self) -> list[Source]:
        sources = []
        for g in self.kb.guidelines:
            if g.meta.allowances:
                sources.append(
                    Source(
                        id=g.meta.id,
                        title=g.meta.title,
                        collection="guidelines",
                        why="what may be offered, and who approves it",
                    )
                )
            if g.meta.phrases:
                sources.append(
                    Source(
                        id=g.meta.id,
                        title=g.meta.title,
                        collection="guidelines",
                        why="phrases the draft must avoid",
                    )
                )
        return sources


_PREAMBLE = re.compile(
    r"(?is)^\s*(?:here(?:'s| is) (?:the|a|my) [\w ]{0,30}?:|reply:|draft:|revised (?:draft|reply|text):)\s*"
)
_EMPHASIS = re.compile(r"(\*\*|__)(\S(?:.*?\S)?)\1")
_FENCE_TAG = re.compile(r"</?[a-z]+-[0-9a-f]{8}>")


def clean_answer(text: str) -> str:
    """The model's answer without chat wrapping: preambles, our markers, surrounding quotes."""
    text = _FENCE_TAG.sub("", text)
    text = _PREAMBLE.sub("", text).strip()
    if len(text) > 2 and text[0] == text[-1] and text[0] in "\"'“”":
        text = text[1:-1].strip()
    # Review sites and SMS show Markdown as literal symbols.
    text = _EMPHASIS.sub(r"\2", text)
    text = re.sub(r"(?m)^#{1,6}\s+", "", text)
    return re.sub(r"\n{3,}", "\n\n", text)


def revise(
    ctx: DraftingContext,
    llm: ChatLLM,
    messages: list[BaseMessage],
    text: str,
    check_ctx: CheckContext,
) -> tuple[str, ToneReport, int]:
    """Rewrite while the checks find errors, at most `max_revisions` times; keep the best draft.
    Raises LLMError when every answer was empty.

    The failed draft stays in the conversation and the problems follow as the next turn:
    small models rewrite far more reliably that way than from a fresh prompt, and a local
    model reuses its cache for everything before the new turn.
    """
    report = ctx.checker.check(text, check_ctx)
    best = (text, report)
    rounds = 0
    while report.errors and rounds < ctx.max_revisions:
        rounds += 1
        problems = "\n".join(
            f"- {i.message} {_without_examples(i.suggestion)}".strip() for i in report.errors
        )
        follow_up = ctx.prompts["revision"].render(problems=problems, max_chars=check_ctx.limit or 1500)
        messages = [*messages, AIMessage(text), *follow_up]
        text = clean_answer(llm.complete(messages))
        report = ctx.checker.check(text, check_ctx)
        if _rank(text, report) <= _rank(*best):
            best = (text, report)
    if not best[0].strip():
        # An empty box helps nobody: the caller falls back to the template engine and says why.
        raise LLMError("The model answered with an empty reply, even when asked again.")
    return best[0], best[1], rounds


def _rank(text: str, report: ToneReport) -> tuple[bool, int, int]:
    """Lower is better: any answer beats an empty one, then fewer errors, then a higher score."""
    return not text.strip(), len(report.errors), -report.score


_EXAMPLE = re.compile(r"[:,]?\s*(?:e\.g\.|for example|such as)?\s*['‘“\"].*$", re.S)


def _without_examples(suggestion: str) -> str:
    """Small models paste a suggestion's worked example (another product, another customer) verbatim."""
    plain = _EXAMPLE.sub("", suggestion).strip().rstrip(".:")
    return plain + "." if plain else ""


FAILS_WARNING = "The draft still fails"


def with_issue(reply: ReviewReply, found: ToneIssue) -> ReviewReply:
    """The reply with one more issue found after drafting (a near-duplicate of a sibling draft):
    its report and its 'still fails' warning say so."""
    checked = report([*reply.report.issues, found], reply.report.specificity)
    warnings = [w for w in reply.warnings if not w.startswith(FAILS_WARNING)]
    if not checked.passed:
        warnings.append(f"{FAILS_WARNING} {len(checked.errors)} check(s): fix them before publishing.")
    return reply.model_copy(update={"report": checked, "warnings": warnings})
