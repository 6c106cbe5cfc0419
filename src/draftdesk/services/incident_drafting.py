"""Incident update packs: one draft per channel, all telling the status page's story.

The status page is drafted first; every other channel is a shorter form of it, so the
pack stays consistent. Every draft is checked against its channel's hard limit and the
facts: a time, cause or amount the facts do not give is an error that triggers a rewrite.
"""

from __future__ import annotations

import re
import time

from draftdesk.adapters.llm.base import ChatLLM, LLMError
from draftdesk.domain.drafts import ChannelDraft, Engine, IncidentFacts, IncidentPack, MessageKind, Source
from draftdesk.domain.enums import Channel, KnowledgeKind, Stage
from draftdesk.domain.knowledge import Template
from draftdesk.services.drafting_support import DraftingContext, clean_answer, revise
from draftdesk.services.prompt_library import fenced, new_fence
from draftdesk.services.retrieval import SearchFilters, SearchRequest
from draftdesk.services.template_engine import Filled, fit
from draftdesk.services.tone_check import CheckContext

TITLE_LIMITS = {Channel.STATUS_PAGE: "status_page_title", Channel.EMAIL: "email_subject"}
# Soft lengths for channels without a hard limit: what the model is asked to stay under.
SOFT_LIMITS = {Channel.STATUS_PAGE: 600, Channel.EMAIL: 1500}
CHANNEL_RULES = {
    Channel.STATUS_PAGE: "the single source of truth: complete, calm, factual.",
    Channel.EMAIL: "can explain in full and apologise properly; short paragraphs.",
    Channel.SMS: "one or two short sentences; start with the store name and a colon.",
    Channel.SOCIAL: "a public post: human and direct, no hashtags, no emojis.",
    Channel.BANNER: "one short sentence on the homepage, no greeting.",
    Channel.IN_APP: "one or two short sentences shown inside the mobile app.",
}
STAGE_GOALS = {
    Stage.INVESTIGATING: "say quickly that we know and are looking into it; give the next update time.",
    Stage.IDENTIFIED: "say we found what is wrong and are fixing it; the ETA if given, else the next update.",
    Stage.MONITORING: "say a fix is in place and we are watching that it holds; it is not over yet.",
    Stage.RESOLVED: "say it is fixed, thank customers for their patience and apologise where it hurt them.",
    Stage.FOLLOW_UP: "explain briefly what happened and what we changed so it does not happen again.",
}
_TITLE_LINE = re.compile(r"(?im)^\s*(?:title|subject|betreff|objet|asunto)\s*:\s*(.+)$")


class IncidentDrafter:
    def __init__(self, ctx: DraftingContext) -> None:
        self.ctx = ctx

    def draft(self, facts: IncidentFacts) -> IncidentPack:
        started = time.perf_counter()
        limits = self.ctx.kb.limits()
        sources, playbook, past = self._sources(facts)
        timings = {"retrieve": round(time.perf_counter() - started, 4)}
        channels = sorted(facts.channels, key=lambda c: c != Channel.STATUS_PAGE)
        lead_text = ""
        llm, fallback_reason = self.ctx.llm, None
        drafts: list[ChannelDraft] = []
        for channel in channels:
            limit = limits.get(str(channel))
            template = self.ctx.templates.template_for(facts, channel)
            filled = self.ctx.templates.channel_message(facts, channel, limit)
            draft = None
            if llm is not None:
                try:
                    draft = self._with_model(
                        llm, facts, channel, limit, template, filled, lead_text, past, playbook
                    )
                except LLMError as exc:
                    fallback_reason, llm = str(exc), None
            if draft is None:
                draft = self._with_templates(facts, channel, limit, filled, fallback_reason is not None)
            draft.sources = self._channel_sources(filled, sources)
            if channel == Channel.STATUS_PAGE:
                lead_text = draft.text
            drafts.append(draft)
        drafts.sort(key=lambda d: facts.channels.index(d.channel))
        timings["total"] = round(time.perf_counter() - started, 4)
        return IncidentPack(
            facts=facts, drafts=drafts, warnings=self._warnings(facts, fallback_reason), timings=timings
        )

    def _sources(self, facts: IncidentFacts) -> tuple[list[Source], str, str]:
        stage_words = STAGE_GOALS[facts.stage]
        guide = self.ctx.retrieval.search(
            SearchRequest(
                query=f"{facts.type.value.replace('_', ' ')} {facts.stage.value} update: {stage_words}",
                kinds=[KnowledgeKind.GUIDELINES],
                k=2,
            )
        )
        incidents = self.ctx.retrieval.search(
            SearchRequest(
                query=f"{facts.title}. {facts.summary}",
                kinds=[KnowledgeKind.INCIDENTS],
                k=2,
                filters=SearchFilters(type=facts.type),
            )
        )
        sources = [
            Source(
                id=h.id, title=h.title, collection="guidelines", why=f"how to write a {facts.stage} update"
            )
            for h in guide
        ]
        sources += [
            Source(id=h.id, title=h.title, collection="incidents", why="a past incident of the same type")
            for h in incidents
        ]
        playbook = "\n\n".join(h.text[:800] for h in guide)
        past = "\n".join(f"- {h.title}: {h.snippet}" for h in incidents) or "(none)"
        return sources, playbook, past

    def _channel_sources(self, filled: Filled, shared: list[Source]) -> list[Source]:
        own = [
            Source(
                id=t,
                title=t,
                collection="templates",
                why="pre-written message for this type, stage and channel",
            )
            for t in filled.template_ids
        ]
        return own + shared

    def _with_model(
        self,
        llm: ChatLLM,
        facts: IncidentFacts,
        channel: Channel,
        limit: int | None,
        template: Template | None,
        filled: Filled,
        lead_text: str,
        past: str,
        playbook: str,
    ) -> ChannelDraft:
        prompt = self.ctx.prompts["status_update"]
        fence = new_fence("facts")
        known = facts.known()
        unknown = [
            k for k in ("eta", "next_update_at", "workaround", "cause", "compensation") if k not in known
        ]
        title_key = TITLE_LIMITS.get(channel)
        title_limit = self.ctx.kb.limits().get(title_key, 90) if title_key else None
        asked_limit = limit or SOFT_LIMITS.get(channel, 600)
        messages = prompt.render(
            store_name=self.ctx.store_name,
            channel=channel.value,
            channel_rules=CHANNEL_RULES[channel],
            limit=asked_limit,
            title_rule=(
                f"Start with a line 'Title: ...' of at most {title_limit} characters, then a blank line, "
                "then the message."
                if title_limit
                else "No title, no greeting line, no sign-off."
            ),
            stage=facts.stage.value,
            stage_goal=STAGE_GOALS[facts.stage] + f" Playbook: {playbook[:600]}",
            facts=fenced("\n".join(f"{k}: {v}" for k, v in known.items()), fence),
            unknown=", ".join(unknown) or "nothing",
            template=(filled.title + "\n" if filled.title else "") + (filled.text or "(none)"),
            lead_message=lead_text or "(this is the status-page update itself)",
            past=past,
            fence=fence,
        )
        answer = clean_answer(llm.complete(messages))
        title, text = _split_title(answer) if title_limit else (None, answer)
        check_ctx = CheckContext(
            kind=MessageKind.STATUS_UPDATE,
            channel=channel,
            limit=limit,
            facts_text=" ".join(known.values()) + " " + (filled.text if template else ""),
            compensation=facts.compensation or "",
            allowed_domains=self.ctx.allowed_domains,
            facts=facts,
        )
        text, report, rounds = revise(self.ctx, llm, messages, text, check_ctx)
        if title_limit and rounds:
            again, text = _split_title(text)
            title = again or title
        warnings = []
        if limit and len(text) > limit:
            # Last resort after the rewrites: whole sentences only, and say so.
            text = fit(text, limit)
            report = self.ctx.checker.check(text, check_ctx)
            warnings.append(
                f"Shortened to whole sentences to fit {limit} characters; check nothing vital went."
            )
        if title_limit and (not title or len(title) > title_limit):
            title = (
                filled.title
                if filled.title and len(filled.title) <= title_limit
                else facts.title[:title_limit]
            )
        return ChannelDraft(
            channel=channel,
            title=title,
            text=text,
            limit=limit,
            engine=llm.engine,
            model=llm.model,
            prompt=prompt.ref,
            report=report,
            warnings=warnings,
            revisions=rounds,
        )

    def _with_templates(
        self, facts: IncidentFacts, channel: Channel, limit: int | None, filled: Filled, fallback: bool
    ) -> ChannelDraft:
        text = filled.text or facts.summary
        check_ctx = CheckContext(
            kind=MessageKind.STATUS_UPDATE,
            channel=channel,
            limit=limit,
            facts_text=text,
            compensation=text,
            allowed_domains=self.ctx.allowed_domains,
            facts=facts,
        )
        warnings = [
            f"The facts give no '{name}', so the sentence that needs it was left out."
            for name in filled.dropped
            if name not in ("template",)
        ]
        if not filled.template_ids:
            warnings.append(
                f"No pre-written {channel.value} message for {facts.type}/{facts.stage}: "
                "the summary stands in."
            )
        return ChannelDraft(
            channel=channel,
            title=filled.title,
            text=text,
            limit=limit,
            engine=Engine.TEMPLATE,
            model="templates",
            fallback=fallback,
            report=self.ctx.checker.check(text, check_ctx),
            warnings=warnings,
        )

    def _warnings(self, facts: IncidentFacts, fallback_reason: str | None) -> list[str]:
        warnings = []
        if fallback_reason:
            warnings.append(
                f"The language model failed ({fallback_reason}); drafts from then on come from the templates."
            )
        if (
            facts.stage in (Stage.INVESTIGATING, Stage.IDENTIFIED, Stage.MONITORING)
            and not facts.next_update_at
        ):
            cadence = self.ctx.kb.cadence(facts.stage)
            gap = (
                f" (the playbook's cadence at this stage: every {cadence[0]}–{cadence[1]} minutes)"
                if cadence
                else ""
            )
            warnings.append(
                f"No next update time: add next_update_at so customers know when to check back{gap}."
            )
        if facts.type == "data_breach":
            warnings.append("Breach wording needs legal sign-off before anything is published.")
        return warnings


def _split_title(answer: str) -> tuple[str | None, str]:
    match = _TITLE_LINE.search(answer)
    if not match:
        return None, answer.strip()
    title = match.group(1).strip().strip("*\"'")
    rest = (answer[: match.start()] + answer[match.end() :]).strip()
    return title, rest
