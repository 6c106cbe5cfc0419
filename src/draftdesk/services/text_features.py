"""Language-light text features the tone checks share: content words, stems, shingles, reading grade.

Everything here is cheap (regular expressions and sets) because every draft is checked,
often in batches of thousands, and the rule checks must stay within a few milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

# Function words of the languages draftdesk replies in: they say nothing about *this* review.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor
    not now of off on once only or other our ours out over own same she should so some such than that
    the their them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself us let get got really
    one two much many well even still back again like im ive dont didnt cant wont youre were weve thanks
    thank thankyou please sorry hi hello dear team best regards kind wishes care sincerely der die das
    den dem des ein eine einen einem einer und oder aber ist sind war waren hat haben ich du sie wir ihr
    es mit von zu zum zur im in auf an für nicht kein keine sehr auch noch nur wie was wenn dass bei aus
    nach so schon mal ihre ihren ihrem uns unser unsere vielen dank hallo le la les un une des et ou
    mais est sont était avec pour pas ne plus très aussi que qui dans sur au aux du de nous vous votre
    vos notre nos je il elle ce cette ces son sa ses merci bonjour el los las unos unas y o pero es son
    era con por para no muy también que en su sus nuestro nuestra gracias hola usted le lo al del il lo
    gli i uno una e ma è sono era con per non molto anche che di da nel nella suo sua vostro grazie ciao
    het een en of maar is zijn was met voor niet geen zeer ook dat die wat in op aan van uw ons onze
    bedankt dank hallo je jij u wij
    """.split()  # noqa: SIM905 - one line per language group reads better than 300 list items
)


def fold(text: str) -> str:
    """Lower case without accents, so "Café" and "cafe" count as one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(fold(text))]


def stem(word: str) -> str:
    """A crude stem: the first five letters. "leaking", "leaks" and "leaked" meet; so do "deliv-".

    A plural s goes first, so that short words meet too: "bed" and "beds", "cup" and "cups".
    """
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word[:5]


@lru_cache(maxsize=4096)
def content_stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text) if len(w) > 2 and w not in STOPWORDS)


def shingles(text: str, size: int = 4) -> set[str]:
    said = words(text)
    return {" ".join(said[i : i + size]) for i in range(max(0, len(said) - size + 1))}


def excerpt(text: str, limit: int = 90) -> str:
    """The text as quoted in an issue: whole if short, else cut with an ellipsis."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "…"


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text.strip()) if s.strip()]


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups) - (1 if word.endswith("e") and len(groups) > 1 else 0)
    return max(1, count)


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level (English): the school year a reader needs to follow the text."""
    said = words(text)
    if len(said) < 30:
        return 0.0  # too short for the formula to mean anything
    count = max(1, len(sentences(text)))
    syllables = sum(_syllables(w) for w in said)
    return 0.39 * len(said) / count + 11.8 * syllables / len(said) - 15.59
