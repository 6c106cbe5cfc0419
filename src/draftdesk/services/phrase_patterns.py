"""Phrases to avoid are written once in the knowledge base, with their variants as a pattern.

Syntax of a phrase's `text` (kept small so a support lead can write it):
- words match whole words, case-insensitively, with any spacing or punctuation between them;
- `(a|b|c)` is one of several words or word groups: "we (value|appreciate) your feedback";
- `[word]` is an optional word or group: "we apologi[s]e for [any] inconvenience" is not this,
  write "we apologise for [any] inconvenience" and spelling variants come for free;
- `word*` matches any ending: "deploy*" matches deploy, deployed, deployment.
UK/US spellings (-ise/-ize, -our/-or) match each other without being written twice.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|([\w'’&%./-]+\*?)")


def _word(word: str) -> str:
    star = word.endswith("*")
    word = word.rstrip("*").replace("’", "'")
    word = word if re.fullmatch(r"[A-Z0-9]{2,5}s?", word) else word.lower()
    out = re.escape(word).replace("'", "['’]")
    if re.search(r"i[sz](e|ed|es|ing|ation)$", word):
        out = re.sub(r"i[sz](e|ed|es|ing|ation)$", r"i[sz]\1", out)
    if word.endswith(("our", "ours")) and len(word) > 4 and word not in {"your", "yours", "four", "hour"}:
        out = out.replace("our", "ou?r")
    acronym = re.fullmatch(r"[A-Z0-9]{2,5}", word) is not None
    return out + (r"\w*" if star else "s?" if acronym else "")


def _alternatives(body: str) -> str:
    return "(?:" + "|".join(_sequence(part.strip()) for part in body.split("|")) + ")"


def _sequence(text: str) -> str:
    parts: list[tuple[str, bool]] = []
    for m in _TOKEN.finditer(text):
        group, optional, word = m.groups()
        if group is not None:
            parts.append((_alternatives(group), False))
        elif optional is not None:
            parts.append((_alternatives(optional), True))
        else:
            parts.append((_word(word), False))
    out, started = "", False
    for part, optional in parts:
        if not started and optional:
            out += f"(?:{part}\\W+)?"  # a leading optional word carries the space after it
            continue
        sep = r"\W+" if started else ""
        out += f"(?:{sep}{part})?" if optional else f"{sep}{part}"
        started = started or not optional
    return out


def phrase_pattern(text: str) -> re.Pattern[str]:
    body = _sequence(text)
    # A term in capitals (API, DNS, SKU) is an acronym: match it only in capitals.
    flags = 0 if re.fullmatch(r"[A-Z0-9]{2,5}s?", text.strip()) else re.IGNORECASE
    return re.compile(r"(?<![\w@/.-])" + body + r"(?![\w@-]|\.\w)", flags)


def phrase_example(text: str) -> str:
    """The plainest instance of a phrase pattern, to show a model or a person what it means."""
    text = re.sub(r"\[[^\[\]]*\]", "", text)
    text = re.sub(r"\(([^()|]*)(?:\|[^()]*)?\)", r"\1", text)
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()
