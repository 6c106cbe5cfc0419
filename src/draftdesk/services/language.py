"""Language identification for reviews that arrive without a language code."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# Languages a European online store meets; a closed set makes short texts far more reliable.
CANDIDATES = ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "fi", "no", "cs", "tr"]


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATES)
    return identifier


def detect_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code and confidence (0-1)."""
    code, confidence = _identifier().classify(text)
    return str(code), float(confidence)
