"""Which playbook section a review needs: by the model when there is one, else by signals.

The signal rules only need to be good enough to pick the reply's shape; the agent sees the
kind and can change it.
"""

from __future__ import annotations

import json
import re

from draftdesk.adapters.llm.base import ChatLLM
from draftdesk.domain.drafts import ReviewKind, ReviewRequest
from draftdesk.services.prompt_library import PromptFile, fenced, new_fence
from draftdesk.services.tone_check import INSULT

KIND_HELP = {
    ReviewKind.LEGITIMATE_COMPLAINT: "a real problem with the product, delivery or service",
    ReviewKind.MISLEADING_EXPECTATION: "works, but differs from what the listing or photos suggested",
    ReviewKind.SUSPECTED_FAKE: "generic, vague text with no real detail of use, possibly not a real customer",
    ReviewKind.POSITIVE: "the customer is happy",
    ReviewKind.MIXED: "praise and a problem together",
    ReviewKind.ABUSIVE: "insults, slurs or threats",
}
_MISLEADING = re.compile(
    r"(?i)\b(?:pictured|picture|photos?|listing|described|description|advertised|expected|"
    r"looks? (?:nothing|different)|"
    r"smaller than|bigger than|not as shown|colou?r is|abgebildet|Fotos?|Beschreibung|erwartet|anders als|"
    r"sur la photo|attendu|en la foto|descripci[oó]n|esperaba|foto|descrizione|afbeelding|"
    r"beschrijving)\b"
)
_CONTRAST = re.compile(
    r"(?i)\b(?:but|however|except|aber|jedoch|mais|cependant|pero|sin embargo|però|ma|maar)\b"
)
_FAKE_CUES = re.compile(
    r"(?i)\b(?:scam|fake|worst|terrible|awful|avoid|never buy|don'?t buy|do not buy|garbage|rubbish)\b"
)
_POSITIVE = re.compile(
    r"(?i)\b(?:love|great|perfect|excellent|lovely|happy|recommend|super|toll|parfait|génial|genial|encanta|"
    r"perfetto|ottimo|fantastisch|prachtig)\b"
)


def heuristic_kind(review: ReviewRequest) -> ReviewKind:
    text, rating = review.text, review.rating
    if INSULT.search(text):
        return ReviewKind.ABUSIVE
    if rating is None:
        rating = 4 if _POSITIVE.search(text) and not _CONTRAST.search(text) else 2
    if rating == 5 or (rating == 4 and not _CONTRAST.search(text)):
        return ReviewKind.POSITIVE
    if rating >= 3:
        return ReviewKind.MIXED
    words = re.findall(r"\w+", text)
    product_words = {w.lower() for w in re.findall(r"\w+", review.product or "") if len(w) > 3}
    specific = any(w.lower() in product_words for w in words) or re.search(r"\d", text)
    if len(words) < 15 and _FAKE_CUES.search(text) and not specific:
        return ReviewKind.SUSPECTED_FAKE
    if _MISLEADING.search(text):
        return ReviewKind.MISLEADING_EXPECTATION
    return ReviewKind.LEGITIMATE_COMPLAINT


def model_kind(llm: ChatLLM, prompt: PromptFile, review: ReviewRequest) -> tuple[ReviewKind | None, str]:
    """The model's kind and its one-line problem summary; (None, "") if its answer is unusable."""
    fence = new_fence("review")
    messages = prompt.render(
        kinds="\n".join(f"- {k}: {why}" for k, why in KIND_HELP.items()),
        review=fenced(review.text, fence),
        rating=review.rating or "not given",
        product=review.product or "not given",
        fence=fence,
    )
    return parse_kind(llm.complete(messages))


def parse_kind(answer: str) -> tuple[ReviewKind | None, str]:
    match = re.search(r"\{.*?\}", answer, re.S)
    if match:
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            data = {}
        kind = str(data.get("kind", "")).strip().lower()
        if kind in ReviewKind.__members__.values():
            return ReviewKind(kind), str(data.get("problem", ""))[:200]
    # Small models sometimes answer with the bare label.
    for kind in ReviewKind:
        if re.search(rf"\b{kind.value}\b", answer):
            return kind, ""
    return None, ""
