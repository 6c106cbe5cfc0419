"""Pattern rules that hold for any store: private data, style, links, and claims beyond the facts.

Each rule is a function from the text (and what the draft may rely on) to issues. The
checker in `tone_check` runs them; the knowledge base's phrase rules live there too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from draftdesk.domain.drafts import Family, Severity, ToneIssue
from draftdesk.services import tone_cues as cues
from draftdesk.services.text_features import content_stems, fold, sentences, words

PLACEHOLDER = re.compile(r"\{[a-z_]+\}|\[\[|\]\]")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(r"(?<![\w:/.£€$])\+?\(?\d[\d ()-]{7,}\d\b")
ORDER = re.compile(
    r"(?i)\b(?:order|bestellung|commande|pedido|ordine|bestelling|ref(?:erence)?)\s*(?:no\.?|number|nr\.?|"
    r"#|n°|num[eé]ro|nummer)?\s*#?\s*[A-Z]{0,3}-?\d{4,}\b|#\s?[A-Z]{0,3}-?\d{4,}\b"
    # "pedido n.º 55120938", "your order number is 55120938": a long number soon after the word
    r"|\b(?:order|bestellung|commande|pedido|ordine|bestelling)\w*\b[^\d!?\n]{0,20}?[A-Z]{0,3}-?\d{5,}\b"
    # ...but not a phone line for orders: "Phone orders: 01632 960 218" goes on in digit groups
    r"(?![ -]?\d)"
)
CARD = re.compile(
    r"\b(?:\d[ -]?){13,19}\b|(?i:ending(?: in| with)?|last (?:four|4) digits(?: of)?|endet auf|"
    r"se terminant par|terminada en|che termina con|eindigend op)\s*:?\s*\d{4}\b"
)
ADDRESS = re.compile(
    r"\b\d{1,4}[a-z]?,? (?:[A-Z][\w'-]+ ){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|"
    r"Crescent|Place|Terrace|Court|Gardens|Grove|Square|Boulevard|Blvd)\b\.?"
    r"|\b[A-ZÄÖÜ][\w]+(?:straße|strasse|weg|gasse|allee|platz|straat|laan|gracht) \d{1,4}\b"
    r"|\b\d{1,4},? (?:rue|avenue|boulevard|chemin|impasse|calle|avenida|via|viale|piazza) [A-ZÉ][\w' -]{2,30}"
    r"|\b(?:calle|avenida|via|viale|rue) [A-ZÉ][\w' ]{2,30},? \d{1,4}\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"  # UK postcode
)
URL = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s)]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|ly|co|info|biz|xyz|"
    r"shop|example|de|fr|es|it|nl|uk|eu)(?:/[^\s)]*)?"
)
TIME = re.compile(
    r"(?<![£€$\d.,])\b(?:[01]?\d|2[0-3])[:.h][0-5]\d(?:\s?(?:am|pm))?\b(?![.,]\d)"
    r"|(?<![:.\d])\b(?:1[0-2]|0?[1-9])\s?(?:am|pm)\b",
    re.I,
)
MONEY = re.compile(
    r"(?:(?:[£€$]|\b(?:EUR|GBP|USD)\s?)\d+(?:[.,]\d+)?"
    r"|\b\d+(?:[.,]\d+)?\s?(?:€|EUR|GBP|USD|euros?|pounds?|dollars?)\b)",
    re.I,
)
PERCENT = re.compile(
    r"(?i)\b\d{1,3}\s?(?:%|per ?cent\b|prozent\b|pour ?cent\b|por ?ciento\b|per ?cento\b|procent\b)"
)
SHOUT = re.compile(r"\b[A-ZÄÖÜÉÈ]{4,}(?:\s+[A-ZÄÖÜÉÈ]{2,}){2,}\b")
INSULT = re.compile(
    r"(?i)\b(?:fuck\w*|shit\w*|idiots?|morons?|stupid|bastards?|arsch\w*|schei(?:ss|ß)\w*|idioten?|merde|connards?|"
    r"putain|mierda|idiotas?|imbéciles?|cazz\w*|stronz\w*|idioti|klootzak\w*|kut\w*|garbage|crap\w*|"
    r"trash(?:y)?|pathetic|losers?|dumb|scum\w*|clowns?)\b"
)
# A model that declines answers the prompt, not the customer.
REFUSAL = re.compile(
    r"(?i)\bI (?:can't|cannot|can not|am unable to|'m unable to|won't be able to) "
    r"(?:assist|help|comply|provide|do) (?:with )?(?:that|this|you with that)\b"
    r"|\bas an AI\b|\bI(?:'m| am) an AI\b"
)
NOTES_LINE = re.compile(r"(?m)^\s*(?:[-*•]\s+|\d{1,2}[.)]\s|[A-Z][\w ]{0,30}:\s)")


def issue(
    rule: str,
    family: Family,
    message: str,
    suggestion: str,
    span: tuple[int, int] | None = None,
    severity: Severity = Severity.ERROR,
) -> ToneIssue:
    return ToneIssue(
        rule=rule, family=family, severity=severity, span=span, message=message, suggestion=suggestion
    )


def _own(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".,")
    return any(host == d or host.endswith("." + d) for d in allowed)


# Mailboxes of a team, not of a person: "help@", "privacy@", "hola@".
_ROLE_MAILBOX = re.compile(
    r"(?i)(?:help|support|care|customercare|service|customerservice|hello|hi|hola|bonjour|hallo|ciao|info|"
    r"hilfe|aide|hulp|ayuda|aiuto|ajuda|kontakt|contacto|contatto|soporte|servicio|assistance|klantendienst|"
    r"contact|team|orders?|returns?|sales|shop|store|security|privacy|dpo|data|press|billing|accounts|"
    r"feedback|enquiries|inquiries|kundenservice|service-client|atencion|assistenza|klantenservice)"
    r"[-_.]?(?:team|desk)?@"
)


def private_data(
    text: str, allowed: tuple[str, ...], public: str = "", planted: str = ""
) -> Iterable[ToneIssue]:
    """Personal data in public text; `public` holds the store's own published details, `planted`
    the review, whose own addresses a reply must never repeat, team mailbox or not."""
    public_numbers = {re.sub(r"\D", "", m.group(0)) for m in PHONE.finditer(public)}
    taken: list[tuple[int, int]] = []
    for pattern, what in (
        (EMAIL, "an email address"),
        (ORDER, "an order number"),
        (CARD, "card digits"),
        (PHONE, "a phone number"),
        (ADDRESS, "a street address"),
    ):
        for m in pattern.finditer(text):
            domain = m.group(0).split("@")[1].lower() if what == "an email address" else ""
            if domain and (
                _own(domain, allowed) or (_ROLE_MAILBOX.match(m.group(0)) and domain not in planted.lower())
            ):
                continue  # the store's own support address, or any team's mailbox, is no one's personal data
            digits = re.sub(r"\D", "", m.group(0))
            # The pattern can run on into what follows ("0800 555 0199 (08:00-20:00)").
            if what == "a phone number" and any(p in digits or digits in p for p in public_numbers):
                continue
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            yield issue(
                "private_data",
                Family.PRIVATE_DATA,
                f"“{m.group(0)}” looks like {what}; public text must not carry personal data.",
                "Remove it and ask the customer to contact you privately.",
                (m.start(), m.end()),
            )


def style(text: str) -> Iterable[ToneIssue]:
    for m in PLACEHOLDER.finditer(text):
        yield issue(
            "unfilled_placeholder",
            Family.STYLE,
            f"“{m.group(0)}” is a template placeholder that was never filled.",
            "Replace it with the fact, or remove the sentence.",
            (m.start(), m.end()),
        )
    for m in re.finditer(r"[!?]{2,}", text):
        yield issue(
            "exclamation_run",
            Family.STYLE,
            "Runs of ! or ? read as shouting or sarcasm.",
            "Use one full stop.",
            (m.start(), m.end()),
            Severity.WARNING,
        )
    capitals = sum(w.isupper() and len(w) > 3 for w in re.findall(r"\w+", text))
    for m in SHOUT.finditer(text):
        # A word or two in capitals is emphasis; a message in capitals is shouting.
        yield issue(
            "shouting",
            Family.STYLE,
            "Several words in capitals read as shouting.",
            "Write them in normal case.",
            (m.start(), m.end()),
            Severity.ERROR if capitals > 5 else Severity.WARNING,
        )
    yield from _repeats(text)
    if REFUSAL.search(text):
        yield issue(
            "model_refusal",
            Family.STYLE,
            "This is the language model declining to answer, not a message to a customer.",
            "Write the reply yourself, or draft it again.",
        )
    if re.search(r"\*\*|__|(?m:^#{1,6}\s)", text):
        yield issue(
            "markup",
            Family.STYLE,
            "Markdown markup (** or #) shows up as symbols on review sites and in messages.",
            "Write plain text.",
        )
    if len(NOTES_LINE.findall(text)) >= 2:
        # Customer messages are prose: labelled lines or bullets mean a model copied its instructions.
        yield issue(
            "notes_layout",
            Family.STYLE,
            "The text reads like notes (labelled lines or bullets), not a message to a customer.",
            "Write it as a few plain sentences.",
        )


def _repeats(text: str) -> Iterable[ToneIssue]:
    # A model caught in a loop writes the same line over and over; no reader takes that for a message.
    counts = Counter(f for f in (fold(s).strip(" *#:-") for s in sentences(text)) if f)
    line, times = counts.most_common(1)[0] if counts else ("", 0)
    tokens = words(text)
    grams = Counter(" ".join(tokens[i : i + 4]) for i in range(len(tokens) - 3))
    gram, gram_times = grams.most_common(1)[0] if grams else ("", 0)
    if times >= 3 or gram_times >= 4:
        yield issue(
            "repeated_text",
            Family.STYLE,
            f"The same words come back again and again (“{line if times >= 3 else gram}”).",
            "Say each thing once.",
        )


def links(text: str, allowed: tuple[str, ...], planted: str = "") -> Iterable[ToneIssue]:
    """Links outside the store's configured addresses. One the review itself carries is an error
    (a reply that repeats it follows the reviewer); any other is a warning to check before
    publishing, since the store may own more addresses than the settings list."""
    for m in URL.finditer(text):
        if "@" in text[max(0, m.start() - 1) : m.start()]:
            continue  # the domain of an email address, judged by private_data
        host = re.sub(r"(?i)^(https?://)?(www\.)?", "", m.group(0)).split("/")[0].rstrip(".,;:").lower()
        if _own(host, allowed):
            continue
        from_review = bool(host) and host in planted.lower()
        yield issue(
            "foreign_link",
            Family.UNSUPPORTED_CLAIM,
            f"The link “{m.group(0)}” is not one of the store's own addresses"
            + (", and the review itself carries it." if from_review else " in the settings."),
            "Remove it; point customers only to the store's help page or status page.",
            (m.start(), m.end()),
            Severity.ERROR if from_review else Severity.WARNING,
        )


def insults(text: str) -> Iterable[ToneIssue]:
    for m in INSULT.finditer(text):
        yield issue(
            "insult",
            Family.DEFENSIVE,
            f"“{m.group(0)}” is insulting or profane.",
            "Remove it; stay calm and offer help.",
            (m.start(), m.end()),
        )


def _eights(text: str) -> list[str]:
    said = re.findall(r"\w+", text.lower())
    return [" ".join(said[i : i + 8]) for i in range(len(said) - 7)]


@lru_cache(maxsize=256)
def _eight_set(text: str) -> frozenset[str]:
    """For the prompt and the guidance: a few texts, each checked against every draft."""
    return frozenset(_eights(text))


def leak(text: str, secret: str, guidance: str = "") -> Iterable[ToneIssue]:
    """Eight words in a row from the instructions, or a draft made of the playbook, is not a reply."""
    said = _eights(text)
    if not _eight_set(secret).isdisjoint(said):
        yield issue(
            "prompt_leak",
            Family.UNSUPPORTED_CLAIM,
            "The draft repeats draftdesk's own instructions.",
            "Remove them; reply only to the customer.",
        )
    # Echoing a policy line is fine; a draft that is mostly guidance text speaks to nobody.
    copied = _eight_set(guidance) if guidance else frozenset()
    if said and sum(s in copied for s in said) / len(said) > 0.25:
        yield issue(
            "copied_guidance",
            Family.GENERIC,
            "The draft copies the playbook's guidance instead of replying to this customer.",
            "Write to the customer about their own review, in your own words.",
        )


def normal_figure(value: str) -> str:
    """One spelling per figure: 14:30, 14.30, 14h30 and 2:30 pm are one time; 5.00 and 5 one amount."""
    time = re.fullmatch(r"(?i)(\d{1,2})(?:[:.h](\d{2}))?\s?(am|pm)?", value.strip())
    if time:
        hour, minute, half = int(time[1]), int(time[2] or 0), (time[3] or "").lower()
        hour = hour % 12 + (12 if half == "pm" else 0) if half else hour
        return f"{hour:02d}:{minute:02d}"
    digits = re.sub(r"\D", "", value)
    digits = digits[:-2] if re.search(r"[.,]00\b", value) else digits
    # An amount is its currency and its number: GBP 25 of credit never allows "$25".
    for code, pattern in _CURRENCIES.items():
        if re.search(pattern, value, re.I):
            return f"{code} {digits}"
    return digits


_CURRENCIES = {"GBP": r"£|gbp|pound", "EUR": r"€|eur", "USD": r"\$|usd|dollar"}


def figures(text: str, facts: str, policy: str) -> Iterable[ToneIssue]:
    for pattern, what in ((TIME, "time"), (MONEY, "amount"), (PERCENT, "percentage")):
        # A figure is licensed only by the same kind of figure: "GBP 50" never allows "50%".
        source = facts if what == "time" else f"{facts} {policy}"
        known = {normal_figure(m.group(0)) for m in pattern.finditer(source)}
        for m in pattern.finditer(text):
            if normal_figure(m.group(0)) in known:
                continue
            yield issue(
                f"unsupported_{what}",
                Family.UNSUPPORTED_CLAIM,
                f"The {what} “{m.group(0)}” is not in the facts or the compensation policy.",
                f"Remove the {what}, or add it to the facts if it is confirmed.",
                (m.start(), m.end()),
            )


def promises(
    text: str, facts: str, compensation: str, cause_known: bool = False, review: str = ""
) -> Iterable[ToneIssue]:
    """Remedies, dates, causes and guarantees must come from the facts or the allowed compensation.

    `cause_known`: the facts give a cause, so a cause told in other words (even jargon, which
    has its own rule) is a retelling as long as it touches the facts at all.
    """
    for name, pattern in cues.REMEDIES.items():
        if pattern.search(compensation) or pattern.search(facts):
            continue
        for m in pattern.finditer(text):
            if re.search(r"(?i)\b(?:your|the)\s+$", text[max(0, m.start() - 6) : m.start()]):
                continue  # "your refund" is one already under way, not a new offer
            if _free_in_facts(text[m.start() : m.end() + 12], f"{facts}\n{compensation}"):
                continue
            if re.search(r"(?i)\b(?:one|it|them) free\b", m.group(0)) and re.search(
                r"(?i)\bfree\b", compensation
            ):
                continue  # "we'll post you one free" under a policy that gives the part free
            if _figure_in(m.group(0), f"{facts} {compensation}"):
                continue  # "15% off" where the facts allow "a 15% code"
            yield issue(
                f"unsupported_{name}",
                Family.UNSUPPORTED_CLAIM,
                f"“{m.group(0)}” offers something the compensation allowed here does not include.",
                "Offer only what the compensation policy allows, or ask an approver first.",
                (m.start(), m.end()),
            )
            break
    yield from _kept_for_nothing(text, f"{facts}\n{compensation}")
    known = content_stems(facts)
    reasons = known | content_stems(review)
    unknown = bool(_CAUSE_UNKNOWN.search(facts))
    dated = _date_tokens(f"{facts} {compensation}")
    for m in cues.DATE_OR_ETA.finditer(text):
        said = _date_tokens(m.group(0))
        if said and said <= dated:
            continue
        if re.search(r"(?i)\b(?:if|unless)\b[^.!?\n]*$", text[max(0, m.start() - 80) : m.start()]):
            continue  # "if it hasn't arrived by Friday, ..." sets a checkpoint; it promises nothing
        yield issue(
            "unsupported_date",
            Family.UNSUPPORTED_CLAIM,
            f"“{m.group(0)}” promises a time or date the facts do not give.",
            "Promise only the times the facts give, or say when the next update comes.",
            (m.start(), m.end()),
        )
    for m in cues.CAUSE.finditer(text):
        if _HARM.search(text[max(0, m.start() - 30) : m.start()]):
            continue  # "the trouble caused by this" names a harm, not a cause
        # The cause is the rest of its clause; most of it must come from the facts.
        clause = re.split(r"[.;:!?,\n]", text[m.end() : m.end() + 80])[0]
        following = content_stems(clause)
        shared = len(following & reasons)
        if not unknown and following and (2 * shared >= len(following) or (cause_known and shared)):
            continue
        yield issue(
            "unsupported_cause",
            Family.UNSUPPORTED_CLAIM,
            f"“{text[m.start() : m.end() + 40].strip()}…” states a cause the facts do not give.",
            "Leave the cause out until it is confirmed.",
            (m.start(), m.end()),
        )
    for m in cues.GUARANTEE.finditer(text):
        if cues.GUARANTEE.search(f"{facts} {compensation}"):
            continue  # "our 60-day guarantee" is the store's own policy
        if _NOT_PROMISED.search(text[max(0, m.start() - 25) : m.start()]):
            continue  # "estimates rather than guarantees" promises nothing
        yield issue(
            "unsupported_guarantee",
            Family.UNSUPPORTED_CLAIM,
            f"“{m.group(0)}” is a promise or reassurance nobody has confirmed.",
            "Say what you know and what you are doing; do not guarantee.",
            (m.start(), m.end()),
        )


_NOT_PROMISED = re.compile(
    r"(?i)\b(?:rather than|not|no|never|can't|cannot|can not|without)\s+(?:a\s+|any\s+)?$"
)
# The facts say nobody knows the cause yet: any cause the message gives is a guess.
_CAUSE_UNKNOWN = re.compile(
    r"(?i)\bcause\b[^.;\n]{0,20}\b(?:not (?:yet )?(?:known|confirmed|clear)|unknown|unclear|"
    r"(?:still )?(?:under|being) investigat\w*)|\b(?:not yet|still not) (?:known|clear) (?:why|what caused)"
)
_FREE_THING = re.compile(r"(?i)\bfree\s+((?:[\w-]+\s+){0,2}[\w-]+)|([\w-]+)\s+(?:is|are)\s+free\b")
_TRIVIAL = frozenset({"a", "an", "one", "the", "of", "charge", "is", "are", "will", "be"})


def _figure_in(offer: str, known: str) -> bool:
    """The offer's own percentage or amount is one the facts or the policy give."""
    said = {normal_figure(m.group(0)) for pattern in (PERCENT, MONEY) for m in pattern.finditer(offer)}
    return bool(said) and said <= {
        normal_figure(m.group(0)) for pattern in (PERCENT, MONEY) for m in pattern.finditer(known)
    }


def _free_in_facts(offer: str, known: str) -> bool:
    """ "A free return label" is licensed by a policy that gives one: the thing offered free is in
    the facts or the compensation, in a sentence that says it is free or as the remedy itself."""
    m = _FREE_THING.search(offer)
    if not m:
        return False
    thing = content_stems(
        " ".join(w for w in re.split(r"[\s-]+", m.group(1) or m.group(2)) if w.lower() not in _TRIVIAL)
    )
    if not thing:
        return False
    for sentence in re.split(r"[.;\n]", known):
        said = content_stems(sentence)
        if thing & said and ("free" in said or "fre" in said or not _FREE_WORD.search(sentence)):
            return True
    return False


_FREE_WORD = re.compile(r"(?i)\b(?:£|\$|€|\d+(?:[.,]\d+)?\s*(?:gbp|eur|usd))|\bcosts?\b|\bcharged?\b")
# "You can keep it", "no need to send it back": a refund without a return, which only a policy gives.
_KEEP = re.compile(
    r"(?i)\b(?:you can keep (?:it|them|the|this|that|your)\b|"
    r"keep (?:it|them|the \w+|your \w+) (?:as well|too|anyway)|"
    r"(?:no need|don't need|do not need|needn't|won't need|without needing|without having) to "
    r"(?:send|return|post) (?:\w+ ){0,3}(?:back)?|no need to return|nothing to (?:send|return)|"
    r"(?:müssen|brauchen) (?:\w+ ){0,3}nicht zurück\w*|behalten sie|"
    r"(?:pas besoin|inutile) de (?:le |la |les )?(?:renvoyer|retourner)|gardez-l\w+|"
    r"no (?:hace falta|es necesario) devolver|qu[eé]dese|"
    r"hoeft (?:\w+ ){0,2}niet terug|niets terug te sturen|"
    r"non (?:serve|è necessario) (?:restituir|rispedir)\w*)"
)
_KEEP_LICENCE = re.compile(
    r"(?i)\b(?:no (?:need to )?return|no return (?:needed|required)|without (?:a )?return|"
    r"keep (?:it|the|them)|"
    r"(?:does|do|need)(?: not|n't)(?: need to)? (?:send|return|post)|need not be returned|kept|keeps?)\b"
)


def _kept_for_nothing(text: str, known: str) -> Iterable[ToneIssue]:
    licence = _KEEP_LICENCE.search(known)
    for sentence in sentences(text):
        m = _KEEP.search(sentence)
        if not m:
            continue
        # A policy that lets the customer keep the item for part of the price does not allow a full refund.
        partial = licence and re.search(r"(?i)\bif (?:you )?(?:kept|keep)|partial", known)
        full = re.search(
            r"(?i)\b(?:full refund|refund (?:you )?in full|full amount|all (?:of )?your money)", sentence
        )
        if licence and not (partial and full):
            continue
        yield issue(
            "unsupported_keep",
            Family.UNSUPPORTED_CLAIM,
            f"“{m.group(0).strip()}” lets the customer keep the item; the compensation here does not.",
            "Offer only what the compensation policy allows, or ask an approver first.",
        )
        return


_HARM = re.compile(
    r"(?i)(?:inconvenience|trouble|disappointment|frustration|upset|hassle|stress|worry|mess|damage)\W*$"
)
_NUMBERS = {
    w: str(n)
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}
_DATE_FILLER = frozenset(
    {"by", "on", "in", "within", "the", "of", "next", "this", "end", "working", "business"}
)


def _date_tokens(text: str) -> set[str]:
    """Words of a date or delay, spelled one way: "five working days" and "5 working days" meet."""
    tokens = [_UNITS.get(t, t) for t in re.findall(r"[a-z]+|\d+", fold(text))]
    return {_NUMBERS.get(t, t)[: 3 if t[:3] in _MONTHS else 4] for t in tokens if t not in _DATE_FILLER}


# The same span in the other languages (and short forms), so a reply in Dutch meets English facts.
_UNITS = {
    **dict.fromkeys(["min", "mins", "minuten", "minutos", "minuti"], "minutes"),
    **dict.fromkeys(["h", "hr", "hrs", "stunden", "uur", "heures", "horas", "ore"], "hours"),
    **dict.fromkeys(["tagen", "tage", "dagen", "jours", "dias", "giorni"], "days"),
    **dict.fromkeys(["werktagen", "werkdagen"], "working"),
    **dict.fromkeys(["morgen", "demain", "manana", "domani", "amanha"], "tomorrow"),
    **dict.fromkeys(["zwei", "deux", "dos", "due", "twee"], "two"),
    **dict.fromkeys(["drei", "trois", "tres", "tre", "drie"], "three"),
    **dict.fromkeys(["innerhalb", "von", "binnen", "sous", "en", "entro", "dentro", "de", "em"], "within"),
}


# "2 Dec" and "2 December" are one date.
_MONTHS = frozenset(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
