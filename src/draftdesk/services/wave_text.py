"""Words of reviews for wave analysis: tokens, stop words, generic praise and abuse, sentiment.

Reviews arrive in English, German, French, Spanish and Italian, so every list covers those.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def words_of(text: str) -> frozenset[str]:
    """A word list written as text: one list per language family reads better than one word a line."""
    return frozenset(text.split())


STOPWORDS = words_of(
    """
    the and for but not you your yours with this that these those was were are is been being
    have has had our out off too very just than then them they their there here what when where
    which while who whom why how all any both each few more most other some such only own same
    can will would should could did does doing into from over under again further once about
    above below after before between its it's i'm i've don't didn't doesn't isn't wasn't won't
    can't after also even still really get got one two three now back after ago much many
    because since until though within without she her him his hers himself herself myself
    ourselves yourself itself themselves der die das und ist nicht mit ein eine einen einem
    einer sich auf für von dem den des war wie auch aber nach noch nur schon sehr bei hat haben
    ich mir mich wir uns sie ihr ihm zum zur les des une est pas que qui pour dans sur avec mais
    par son ses aux ont été elle ils nous vous très tout plus comme cette ces mon mes ma sans
    fait être avoir los las una por con para del que era muy pero sus les sin este esta son fue
    todo más como ese esa eso ese ya hay nos mis gli che con per una sono della del non nel alla
    come più molto anche questo questa
    """
)

# Words that fit any product: a review made only of these says nothing about the one it rates.
GENERIC = words_of(
    """
    product products item items thing stuff company store shop seller service quality price
    money best worst great good bad terrible awful amazing awesome excellent perfect fantastic
    horrible love loved hate hated like nice wonderful super poor cheap fake scam rip ripoff
    rubbish garbage trash junk waste recommend recommended highly definitely absolutely totally
    ever never buy bought buying purchase purchased order ordered customer customers everyone
    anyone nobody people avoid stars star five one happy satisfied disappointed experience
    overall thanks thank wow omg lol deal value worth life changing must have would again time
    times ok okay fine fraud fraudulent producto empresa tienda calidad precio mejor peor
    excelente genial malo terrible estafa produkt firma qualität preis beste schlechteste super
    toll schlecht betrug empfehlen produit entreprise qualité prix meilleur pire génial nul
    arnaque recommande prodotto azienda qualità prezzo migliore peggiore ottimo pessimo truffa
    consiglio
    """
)

POSITIVE = words_of(
    """
    love loved lovely great excellent perfect amazing awesome fantastic wonderful happy pleased
    beautiful brilliant superb recommend delighted best nice gorgeous solid sturdy comfortable
    impressed genial excelente perfecto encanta precioso recomiendo toll super perfekt empfehlen
    schön begeistert parfait génial excellent recommande magnifique ravi ottimo perfetto
    consiglio bellissimo
    """
)

NEGATIVE = words_of(
    """
    broke broken break breaks cracked crack leaked leaks leaking stopped dead faulty defective
    useless terrible awful horrible worst disappointed disappointing refund return returned
    damaged dented scam waste rubbish garbage junk never late missing wrong unsafe dangerous
    burnt burned hate poor roto rota estafa terrible peor decepcionado defectuoso kaputt defekt
    schlecht enttäuscht betrug cassé déçu nul arnaque défectueux rotto deluso pessimo truffa
    difettoso
    """
)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def content_words(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS]


def specific_words(text: str) -> list[str]:
    """Words that say something about this product or this order: not stop words, not stock praise."""
    return [t for t in content_words(text) if t not in GENERIC and t not in POSITIVE and t not in NEGATIVE]


def sentiment(text: str) -> int:
    """Positive minus negative words: enough to see a 5-star 'broke on day one' or a 1-star 'love it'."""
    words = tokens(text)
    return sum(w in POSITIVE for w in words) - sum(w in NEGATIVE for w in words)
