"""Review replies: classify → retrieve → prompt → draft → check → revise (at most twice).

When the model fails after its retries, the template engine writes the reply and the
result says so (`fallback`), so an agent always has something to edit.

A regenerate may carry the agent's short instruction ("shorter", "warmer"). It is trusted
more than the review, but it only shapes the wording: it joins the prompt after the review's
closing marker, and the result goes through the same checks and revisions as any draft.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor

from langchain_core.messages import BaseMessage, HumanMessage

from draftdesk.adapters.llm.base import ChatLLM, LLMError
from draftdesk.domain.drafts import (
    Engine,
    MessageKind,
    PromptRef,
    ReviewKind,
    ReviewReply,
    ReviewRequest,
    Source,
    ToneReport,
)
from draftdesk.domain.enums import KnowledgeKind
from draftdesk.errors import InputError
from draftdesk.services.drafting_support import DraftingContext, clean_answer, revise
from draftdesk.services.language import detect_language
from draftdesk.services.prompt_library import PromptFile, fenced, new_fence
from draftdesk.services.retrieval import Hit, SearchRequest
from draftdesk.services.review_kind import KIND_HELP, heuristic_kind, model_kind
from draftdesk.services.tone_check import UNSAFE_RULES, CheckContext

LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "fi": "Finnish",
    "no": "Norwegian",
    "cs": "Czech",
    "tr": "Turkish",
}
DEFAULT_REPLY_LIMIT = 1000
# "shorter", "offer a replacement": a wish, not a second prompt.
MAX_INSTRUCTION_CHARS = 200
INSTRUCTION_PROMPT = "review_instruction"
_MONEY_WORDS = re.compile(
    r"(?i)refund|discount|voucher|coupon|\bcode\b|credit|compensat|%|£|€|\$|rückerstatt|erstatt|gutschein|rabatt|"
    r"rembours|réduction|bon d'achat|reembols|descuento|cupón|rimbors|sconto|buono|terugbetal|korting|tegoed"
)
_ESCALATE = re.compile(
    r"(?i)\b(?:fire|smoke|smok\w+|sparks?|burn\w*|shock\w*|injur\w*|hospital|lawyer|solicitor|"
    r"legal action|court|sue|"
    r"journalist|press|newspaper|brand|feuer|rauch|funken|verbrannt|stromschlag|anwalt|incendie|fumée|étincelles?|"
    r"brûl\w*|avocat|incendio|humo|chispas|quemad\w*|abogado|fuoco|fumo|scintille|bruciat\w*|avvocato|brand|rook|"
    r"vonken|advocaat)\b"
)


# Reviews whose reply must name the problem and give a next step.
COMPLAINTS = frozenset({ReviewKind.LEGITIMATE_COMPLAINT, ReviewKind.MISLEADING_EXPECTATION, ReviewKind.MIXED})


class UnsafeDraft(Exception):
    """The model's final draft carries a link, amount, personal data, insult or prompt text."""

    def __init__(self, rules: list[str]) -> None:
        super().__init__(", ".join(rules))
        self.rules = rules


class ReviewDrafter:
    def __init__(self, ctx: DraftingContext) -> None:
        self.ctx = ctx

    def draft(self, review: ReviewRequest, instruction: str | None = None, variant: int = 0) -> ReviewReply:
        """`instruction`: the agent's wish for this version; `variant`: which draft of the review
        this is (0 first), so the template engine, which cannot follow a wish, still varies."""
        steps = self._steps(review, False, _instruction(instruction), variant)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                result: ReviewReply = done.value
                return result

    def stream(
        self, review: ReviewRequest, instruction: str | None = None, variant: int = 0
    ) -> Iterator[str | ReviewReply]:
        """Text of the first draft as it arrives, then the final (checked, revised) result."""
        steps = self._steps(review, True, _instruction(instruction), variant)
        while True:
            try:
                yield next(steps)
            except StopIteration as done:
                yield done.value
                return

    def _steps(
        self, review: ReviewRequest, stream: bool, instruction: str | None, variant: int
    ) -> Generator[str, None, ReviewReply]:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        language = review.language or detect_language(review.text)[0]
        llm = self.ctx.llm
        fallback_reason = None
        kind, problem = heuristic_kind(review), ""
        # The past-incident lookup needs only the review: it runs while the model sorts the review,
        # so its query embedding costs no wall time.
        with ThreadPoolExecutor(1, thread_name_prefix="draftdesk-incident") as side:
            incident = side.submit(self._related_incident, review)
            # A 1.5B local model sorts reviews no better than the signals, and costs seconds a call.
            if llm is not None and llm.engine != Engine.LOCAL:
                try:
                    found, problem = model_kind(llm, self.ctx.prompts["review_kind"], review)
                    kind = found or kind
                except LLMError as exc:
                    fallback_reason, llm = str(exc), None
            timings["classify"] = _lap(started)

            mark = time.perf_counter()
            sources, guidance = self._guidance(review, kind, problem, incident.result())
        timings["retrieve"] = _lap(mark)

        limit = self.ctx.kb.limits().get(f"review.{review.platform}", DEFAULT_REPLY_LIMIT)
        check_ctx = CheckContext(
            limit=limit,
            language=language,
            # The review is the customer's word, not the store's: an amount or time in it licenses nothing.
            facts_text=review.context or "",
            allowed_domains=self.ctx.allowed_domains,
            product=review.product,
            contact=self.ctx.contact,
            kind=MessageKind.REVIEW_REPLY,
            review_text=review.text,
            complaint=kind in COMPLAINTS,
            require_product=True,
        )
        result = None
        if llm is not None:
            try:
                result = yield from self._with_model(
                    llm, review, kind, language, guidance, limit, check_ctx, stream, instruction
                )
            except LLMError as exc:
                fallback_reason = str(exc)
            except UnsafeDraft as exc:
                fallback_reason = (
                    f"its draft still broke safety rules after revision ({', '.join(exc.rules)}), "
                    "perhaps following instructions inside the review"
                )
        if result is None:
            result = self._with_templates(review, kind, language, check_ctx, variant)
            if stream:
                yield result[0]
        text, report, revisions, engine, model, prompt = result
        timings["draft"] = _lap(mark)
        timings["total"] = _lap(started)
        reply = ReviewReply(
            text=text,
            kind=kind,
            language=language,
            engine=engine,
            model=model,
            fallback=fallback_reason is not None,
            prompt=prompt,
            sources=sources,
            report=report,
            warnings=self._warnings(review, kind, text, report, language, fallback_reason, engine)
            + _instruction_warnings(instruction, engine),
            revisions=revisions,
            timings=timings,
            review_id=review.id,
        )
        return reply

    def _guidance(
        self, review: ReviewRequest, kind: ReviewKind, problem: str, incident: Hit | None
    ) -> tuple[list[Source], str]:
        query = f"{kind.value.replace('_', ' ')}: {problem or review.text[:400]}"
        hits = self.ctx.retrieval.search(SearchRequest(query=query, kinds=[KnowledgeKind.GUIDELINES], k=2))
        sources = [
            Source(id=h.id, title=h.title, collection=str(h.kind), why=f"how to answer a {kind.value} review")
            for h in hits
        ]
        text = "\n\n".join(_without_examples(h.text)[:700] for h in hits)
        if incident is not None:
            sources.append(
                Source(
                    id=incident.id,
                    title=incident.title,
                    collection=str(incident.kind),
                    why="a past incident about the same problem",
                )
            )
            text += (
                "\n\nA past incident that may be related (mention it only if this review is "
                f"about it): {incident.snippet}"
            )
        sources += self.ctx.policy_sources
        return sources, text

    def _related_incident(self, review: ReviewRequest) -> Hit | None:
        found = self.ctx.retrieval.search(
            SearchRequest(query=review.text[:600], kinds=[KnowledgeKind.INCIDENTS], k=1)
        )
        return next((h for h in found if h.score >= self.ctx.related_incident_score), None)

    def _with_model(
        self,
        llm: ChatLLM,
        review: ReviewRequest,
        kind: ReviewKind,
        language: str,
        guidance: str,
        limit: int,
        check_ctx: CheckContext,
        stream: bool,
        instruction: str | None = None,
    ) -> Generator[str, None, tuple[str, ToneReport, int, Engine, str, PromptRef | None]]:
        prompt = self.ctx.prompts["review_reply"]
        fence = new_fence("review")
        messages = prompt.render(
            store_name=self.ctx.store_name,
            language_name=LANGUAGE_NAMES.get(language, language),
            kind=f"{kind.value} ({KIND_HELP[kind]})",
            guidance=guidance,
            allowances=self.ctx.allowances_text,
            avoid=self.ctx.avoid_text,
            context=review.context or "nothing beyond the review",
            platform=review.platform or "unknown platform",
            rating=f"{review.rating} of 5 stars" if review.rating else "no rating",
            product=review.product or "not given",
            author=fenced(review.author or "not given", fence),
            review=fenced(review.text, fence),
            fence=fence,
            max_chars=min(limit, 700),
            contact=self.ctx.contact,
            signoff=f"{self.ctx.store_name} Care team",
        )
        if instruction:
            messages = _with_instruction(messages, self.ctx.prompts[INSTRUCTION_PROMPT], instruction)
        if stream:
            pieces = []
            for piece in llm.stream(messages):
                pieces.append(piece)
                yield piece
            text = clean_answer("".join(pieces))
        else:
            text = clean_answer(llm.complete(messages))
        # The rules and security text, not the policy lines a reply may fairly echo.
        check_ctx.instructions = re.sub(r"\{\w+\}", " ", prompt.system)
        # The playbook, and the worked examples of the phrases to avoid: a reply must be made of neither.
        check_ctx.guidance = "\n".join(
            [guidance, *(p.instead for g in self.ctx.kb.guidelines for p in g.meta.phrases)]
        )
        text, report, rounds = revise(self.ctx, llm, messages, text, check_ctx)
        unsafe = sorted({i.rule for i in report.errors if i.rule in UNSAFE_RULES})
        if unsafe:
            raise UnsafeDraft(unsafe)
        return text, report, rounds, llm.engine, llm.model, prompt.ref

    def _with_templates(
        self,
        review: ReviewRequest,
        kind: ReviewKind,
        language: str,
        check_ctx: CheckContext,
        variant: int = 0,
    ) -> tuple[str, ToneReport, int, Engine, str, PromptRef | None]:
        if variant:
            # The engine picks its phrasing by the review's id (else its text): another id, other phrasing.
            review = review.model_copy(update={"id": f"{review.id or review.text}#{variant}"})
        filled = self.ctx.templates.review_reply(review, kind, language, check_ctx.limit)
        return (
            filled.text,
            self.ctx.checker.check(filled.text, check_ctx),
            0,
            Engine.TEMPLATE,
            "templates",
            None,
        )

    def _warnings(
        self,
        review: ReviewRequest,
        kind: ReviewKind,
        text: str,
        report: ToneReport,
        language: str,
        fallback_reason: str | None,
        engine: Engine,
    ) -> list[str]:
        warnings = []
        if fallback_reason:
            warnings.append(
                f"The language model failed ({fallback_reason}); this draft comes from the templates."
            )
        if engine == Engine.TEMPLATE and self.ctx.templates.reply_language(language) != language:
            warnings.append(
                f"No reply phrasing in '{language}': the draft is in English; translate it before publishing."
            )
        if _MONEY_WORDS.search(text):
            warnings.append(
                "The draft mentions a refund, discount or credit: check it against the compensation policy."
            )
        if _ESCALATE.search(review.text):
            warnings.append(
                "Safety, legal or press words in the review: follow the escalation guide before replying."
            )
        if kind == ReviewKind.SUSPECTED_FAKE:
            warnings.append(
                "Possibly not a genuine review: report it to the platform; reply neutrally or not at all."
            )
        if not report.passed:
            warnings.append(
                f"The draft still fails {len(report.errors)} check(s): fix them before publishing."
            )
        return warnings


def _without_examples(section: str) -> str:
    """Playbook guidance minus its sample replies, whose names and products models copy."""
    return re.sub(r"(?s)Example:.*?(?:\n\n|$)", "", section).strip()


def _lap(since: float) -> float:
    return round(time.perf_counter() - since, 4)


def _instruction(text: str | None) -> str | None:
    """The agent's wish on one line, or None when there is none."""
    wish = " ".join((text or "").split())
    if len(wish) > MAX_INSTRUCTION_CHARS:
        raise InputError(
            f"The instruction is longer than {MAX_INSTRUCTION_CHARS} characters.",
            'A few words work best, such as "shorter", "warmer" or "offer a replacement".',
        )
    return wish or None


def _with_instruction(messages: list[BaseMessage], prompt: PromptFile, instruction: str) -> list[BaseMessage]:
    """The wish joins the end of the task turn: after the review's closing marker, and the system
    text stays the same, so a local model keeps its cache."""
    wish = str(prompt.render(instruction=instruction)[-1].content)
    *head, task = messages
    return [*head, HumanMessage(f"{task.content}\n\n{wish}")]


def _instruction_warnings(instruction: str | None, engine: Engine) -> list[str]:
    if instruction and engine == Engine.TEMPLATE:
        return [
            f"The instruction \u201c{instruction}\u201d needs a language model: the template engine "
            "cannot follow it, so this is another template draft. Edit the wording by hand."
        ]
    return []
