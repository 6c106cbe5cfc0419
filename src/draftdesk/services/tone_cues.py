"""Words that show a message does its job: a next step, an action, an apology, a fix, a promise.

These are language knowledge, not store policy, so they live here rather than in the
knowledge base; the store's own phrases to avoid stay in its guidelines. Each cue covers
the six languages draftdesk replies in.
"""

from __future__ import annotations

import re


def _cue(*parts: str) -> re.Pattern[str]:
    return re.compile(r"(?i)(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


# How the customer gets help, or what the store will do for them next.
NEXT_STEP = _cue(
    r"(?:contact|message|email|e-mail|write to|call|phone|ring|dm|reach|ping|text) (?:us|our|me|the team)\w*",
    r"get in touch",
    r"reach out",
    r"(?:you're|you are) (?:\w+ )?welcome to \w+",
    r"(?:is|are) (?:going out|being sent|being posted)",
    r"(?:should|will|'ll) (?:\w+ )?(?:land|arrive|reach you|show up)",
    r"drop us",
    r"send us",
    r"reply (?:to|here|with)",
    r"let us know",
    r"(?:request|claim|book|arrange|choose|pick|start|open)\w* (?:\w+ ){0,6}"
    r"(?:through|via|at|from|using|on)\b",
    # The customer's own next move, as an instruction: "Update the app", "Descale it".
    r"(?:^|(?<=[.!?;:,—–] )|(?<=\n)|(?<= - ))(?:please )?"
    r"(?:update|restart|reinstall|descale|clear|reset|unplug|try|use|return|swap|bring|reply|call|visit|check|pop|drop|pick|keep|stop|put|tap|open|sign|log|choose|"
    r"select|follow|go|head|download|enter|send|ask|book|request|claim|cancel|message|email|contact|take|"
    r"leave|switch|turn|press|hold|wash|run|set) (?:\w+ ){0,2}"
    r"(?:the|your|it|us|this|in|out|on|off|to|up|a|an)\b",
    r"you (?:can|could|may|'ll be able to|will be able to) (?:\w+ ){0,3}"
    r"(?:return|request|claim|swap|exchange|cancel|choose|get|order|book|track|download|find|set|use|update|reset|send|ask|reach|contact|message|"
    r"call|email|switch|pick|collect|keep)\w*",
    r"you(?:'ll| will) (?:\w+ ){0,1}(?:be offered|be sent|be refunded|get|receive|see|find|hear)\w*",
    r"(?:in|through|from|via|under) (?:your|the) (?:orders|account|order history|app)\b",
    r"(?:will|'ll) (?:\w+ ){0,2}"
    r"(?:be (?:refunded|replaced|sent|back|with you|in touch)|arrive|reach|show|come back)",
    r"(?:refunded|replaced|sent) automatically",
    r"il suffit de|passez par|passer par|rendez-vous sur",
    r"tell us",
    r"(?:we're|we are|we'd be|we'll be|we'd be|i'm|i am|i'd be) (?:\w+ )?(?:happy|glad|pleased) to "
    r"(?:send|replace|refund|arrange|swap|exchange|help|sort|post|take|collect)\w*",
    r"\S+/(?:help|support|contact|returns?)\b",
    r"just (?:reply|tell us|ask)",
    r"(?:we|i)(?:'ll| will| would| can|'d| are going to| have| 've|'ve) (?:\w+ ){0,2}"
    r"(?:extend|send|arrange|replace|refund|swap|exchange|ship|post|call|email|contact|follow|look|check|dm|message|"
    r"text|write|investigate|book|collect|pick|cover|credit|issue|sort|fix|update|add|make|get|put|"
    r"organi[sz]e|reimburse|take|ring|be in touch|reach)\w*",
    r"(?:visit|see|use|go to|head to|open|start) (?:\w+ ){0,3}(?:help|returns?|support|page|form|portal|link|"
    r"chat|app|account)\w*",
    r"(?:is|are) on (?:its|their) way",
    r"(?:returns?|exchanges?|refunds?|collection|replacements?) (?:are|is) (?:free|available|possible|easy)",
    r"(?:has|have) been (?:sent|issued|refunded|arranged|booked|dispatched|shipped)",
    r"help page|returns? page|help centre|help center|support page|contact form",
    # de
    r"schreiben sie uns",
    r"melden sie sich",
    r"kontaktieren sie",
    r"wir (?:\w+ ){0,3}(?:senden|schicken|ersetzen|erstatten|tauschen|kümmern|melden|rufen|prüfen)\w*",
    r"(?:senden|schicken) sie uns",
    r"antworten sie",
    r"(?:sie|du) (?:\w+ ){0,1}(?:können|kannst)|(?:können|kannst) (?:sie|du)",
    r"(?:über|unter|in) (?:„|\")?(?:meine|ihre|deine|ihrem|ihren|deinem) (?:bestellungen|konto|kundenkonto)",
    # fr
    r"écrivez-nous|ecrivez-nous|contactez-nous|contactez|écrivez|ecrivez",
    r"nous (?:\w+ ){0,3}(?:enverr|rembours|remplac|échang|echang|occup|contact|rappel)\w*",
    r"(?:n'hésitez|n'hesitez) pas",
    r"vous pouvez|tu peux|pouvez-vous|nous pouvons|il suffit d'\w+",
    # es
    r"escr[ií]banos|cont[aá]ctenos|escr[ií]benos|cont[aá]ctanos|env[ií]enos",
    r"(?:le |te )?(?:enviaremos|reembolsaremos|cambiaremos|repondremos|sustituiremos|llamaremos|"
    r"gestionaremos|contactaremos)",
    r"(?:puedes?|podrás|podrá)(?! que)",
    # it
    r"scriveteci|contattateci|scrivici|contattaci|ci scriva|ci contatti",
    r"(?:le |ti |vi )?(?:invieremo|rimborseremo|sostituiremo|manderemo|contatteremo|chiameremo)",
    r"(?:può|puoi|potrà|potrai) (?:\w+ ){0,2}"
    r"(?:restituir|richieder|chieder|scriver|contattar|sceglier|usar)\w*",
    # nl
    r"neem (?:\w+ )?contact",
    r"stuur (?:ons|een)",
    r"mail ons|bel ons|laat (?:het )?(?:ons )?weten",
    r"we (?:\w+ ){0,3}(?:sturen|vervangen|vergoeden|betalen|nemen|bellen|regelen)",
    r"(?:je|u) kunt|kun je|kunt u",
    # pt
    r"(?:vamos|iremos|podemos) (?:\w+ )?(?:enviar|reembolsar|trocar|substituir|devolver|ligar)\w*",
    r"(?:pode|podes|poderá) (?:\w+ )?(?:devolver|pedir|escrever|contactar|trocar|escolher|usar)\w*",
    r"entre em contacto|entre em contato|fale connosco|escreva-nos|contacte-nos|contate-nos",
)

# What the team is doing about an incident.
ACTION = _cue(
    # Any first-person statement of work under way or done: "we're rotating", "we corrected".
    r"(?:we|we're|we've|we'll|we are|we have|we will)(?: now| already| also| just)? \w+(?:ing|ed)",
    r"(?:we|we're|we've|our (?:\w+ ){0,2}(?:team|teams|engineers|staff|people|partners?|colleagues)|the team)"
    r"(?: are| is| have| has| had| will|'ll)?(?: been| now| already| still| also| actively)*"
    r" (?:\w+ly )?(?:working|investigating|looking|fixing|restoring|monitoring|watching|contacting|"
    r"replacing|testing|checking|talking|switching|moving|adding|rebuilding|rerouting|repairing|"
    r"reviewing|preparing|processing|shipping|sending|packing|refunding|tracing|resetting|updating|"
    r"correcting|pausing|paused|removed|fixed|found|identified|applied|switched|added|contacted|"
    r"started|put|made|changed|reversed|undone|restored|brought|hired|opened|extended|"
    r"worked|traced|tested|informed|notified|reported|secured|locked|blocked|closed|reset|rolled|"
    r"work|fix|restore|investigate|contact|refund|replace|ship|send|email|notify|post)\w*",
    r"(?:is|are) (?:being|now being) (?:\w+ed|fixed|built|shipped|sent|rebuilt|replaced|processed)",
    r"(?:engineers|technicians|specialists|investigators|couriers?) (?:are|is|have)",
    r"(?:we're|we are|our (?:\w+ )?team is|the team is|team's|team are) (?:\w+ )?on (?:it|the case)",
)

# A way around the problem in other words than the facts' own: "you can still order in the app".
WORKAROUND = _cue(
    r"you can still",
    r"(?:still|also) (?:able to|possible to)",
    r"in the meantime",
    r"meanwhile",
    r"instead",
    r"until then",
    r"(?:still|also) (?:works?|working|open|available)",
    r"(?:is|are) (?:not affected|unaffected)",
)

NEXT_UPDATE = _cue(
    r"next update",
    r"(?:update|post|check in|write|report) (?:\w+ ){0,3}(?:again|by|at|before|within|in|every)",
    r"keep (?:you|everyone|this page) (?:\w+ )?(?:posted|updated|informed)",
    r"more (?:news|information|details) (?:by|at|in|within)",
)

FIXED = _cue(
    r"fixed",
    r"resolved",
    r"restored",
    r"back (?:up|online|to normal|in stock|on track|on schedule)",
    r"(?:working|works?) (?:again|normally|as normal|properly|fine)",
    r"(?:running|operating|shipping|dispatching) normally",
    r"normal service",
    r"all clear",
    r"(?:is|are|has|have) (?:now )?(?:over|ended|cleared|caught up)",
    r"(?:now|again) (?:working|open|live|available|shipping|on time)",
    r"caught up",
    r"(?:all |now |been )?sorted(?: out| now)?",
    r"back to (?:full )?(?:speed|strength)|(?:at|to) full speed",
    r"no longer",
    # The end state in the incident's own terms: parcels arrived, photos corrected, orders sent.
    r"(?:has|have|had) (?:now |all |since )*(?:arrived|left|gone out|reached|landed)",
    r"(?:has|have|is|are) (?:now |all |since )*been (?:delivered|dispatched|sent|shipped|corrected|updated|"
    r"replaced|renewed|repaired|refunded|cleared|reopened|restocked)",
    r"(?:we|we've|we have) (?:now |since )?(?:corrected|updated|renewed|replaced|repaired|retaken|cleared|"
    r"reopened|restocked|reversed|undone|removed|withdrawn|changed)",
    r"(?:is|are) (?:now )?(?:correct|accurate|available|open|in stock|live)(?: again)?",
    r"(?:going|going out|leaving|arriving|shipping|loading|working) (?:\w+ ){0,4}again",
    r"as (?:normal|usual)",
    # de, fr, es, it, nl
    r"behoben|wieder (?:verfügbar|erreichbar|online|normal)|funktioniert wieder",
    r"résolu|rétabli|fonctionne (?:à nouveau|de nouveau)|corrigé",
    r"resuelto|solucionado|restablecido|funciona (?:de nuevo|con normalidad)|corregido",
    r"risolto|ripristinato|funziona di nuovo|corretto",
    r"opgelost|hersteld|werkt weer",
)

THANKS = _cue(
    r"thank\w*", r"grateful", r"appreciate\w*", r"danke\w*", r"merci", r"gracias", r"grazie", r"bedankt"
)

APOLOGY = _cue(
    r"sorry",
    r"apologi[sz]\w*",
    r"apolog(?:y|ies)",
    r"regret\w*",
    r"entschuldig\w*",
    r"tut uns leid",
    r"désolé\w*|desole\w*|excus\w*",
    r"lo sentimos|disculp\w*|perd[oó]n",
    r"ci dispiace|scus\w*",
    r"excuses|spijt",
    # Owning it: "that was our mistake", "we got this wrong".
    r"(?:our|my) (?:own )?(?:mistake|fault|error)",
    r"(?:we|i) (?:got|had) (?:this|it|that) wrong",
    r"(?:that's|that is|this is|that was|this was) on us",
    r"(?:we|i) (?:messed|slipped) up",
    r"(?:we|i) let you down",
)

# Words that say who is affected, when the facts do not supply their own.
AFFECTED = _cue(
    r"customers?",
    r"shoppers?",
    r"anyone",
    r"everyone",
    r"(?:all|some|many|most) (?:of )?(?:you|orders|customers|shoppers|people|accounts)",
    r"if you",
    r"your (?:order|orders|account|payment|parcel|delivery|card|basket|cart)",
    r"orders? (?:placed|made|shipped|sent)",
)

# Remedies and gestures: each must be licensed by the compensation the store allows.
REMEDIES: dict[str, re.Pattern[str]] = {
    "refund": _cue(
        r"refund\w*",
        r"money back",
        r"reimburs\w*",
        r"(?:rück)?erstatt\w*",
        r"rembours\w*",
        r"reembols\w*",
        r"rimbors\w*",
        r"terugbetal\w*",
        r"geld terug",
        r"cover (?:the )?cost",
    ),
    "discount": _cue(
        r"discount\w*",
        r"coupon\w*",
        r"(?:promo|discount|voucher) code",
        r"\d+ ?% off",
        r"money off",
        r"off your next",
        r"rabatt\w*",
        r"réduction|reduction|remise",
        r"descuento\w*",
        r"sconto|sconti",
        r"korting\w*",
    ),
    "voucher": _cue(
        r"vouchers?",
        r"gift cards?",
        r"(?:store |account )?credit",
        r"gutschein\w*",
        r"bon d'achat|avoir client",
        r"cheque regalo|vale regalo",
        r"buono|buoni",
        r"tegoed|cadeaubon",
    ),
    "free_delivery": _cue(
        r"free (?:shipping|delivery|postage|express|upgrade)",
        r"(?:shipping|delivery|postage) (?:is )?(?:on us|free)",
        r"versandkostenfrei|kostenlose? (?:versand|lieferung)",
        r"livraison (?:gratuite|offerte)",
        r"env[ií]o gratis|env[ií]o gratuito",
        r"spedizione (?:\w+ ){0,5}(?:sarà |è )?gratuita",
        r"(?:shipping|delivery|postage) (?:on|for) your next (?:\w+ ){0,2}(?:is |will be )?free",
        r"gratis (?:verzending|bezorging)",
    ),
    "gift": _cue(
        r"free gift",
        r"complimentary",
        r"on the house",
        # Offered as a gift, not "it was a gift": "als Geschenk", "en cadeau", "in omaggio".
        r"(?:als|zum) geschenk",
        r"(?:en|comme) cadeau",
        r"(?:de|como|in) regalo",
        r"(?:in|come) omaggio",
        r"(?:als|een) cadeautje",
        # "a free pillow", "one free as soon as it's out": an extra item; the remedy itself is not a gift
        r"(?:a|an|one) free (?!replacement|repair|collection|return|exchange|of charge|delivery|shipping)\w+",
        r"(?:send|give|post) (?:\w+ ){0,2}(?:one|it|them) free",
    ),
}

# A promise nobody can keep, or a reassurance the facts do not give.
GUARANTEE = _cue(
    r"(?:will|won't|would) never happen again",
    r"(?:can't|cannot|can not|won't|will not|could not|couldn't) (?:ever )?happen again",
    r"(?:was|were|is|are) never (?:at risk|in danger|affected|exposed|accessed)",
    r"no (?:\w+ |\w+ or \w+ )?(?:data|details|information|passwords?) "
    r"(?:was|were|has been|have been) (?:accessed|affected|taken|exposed|stolen|compromised|lost)",
    r"never (?:happens?|occurs?) again",
    r"guarantee\w*",
    r"100 ?% (?:safe|secure|sure|certain)",
    r"no (?:customer |personal |card |payment |customers' )?(?:data|details|information|passwords?) "
    r"(?:was|were|has been|have been) (?:accessed|affected|taken|exposed|stolen|compromised|lost)",
    r"(?:your|all) (?:\w+ )?(?:data|details|information) (?:is|are|remains?) "
    r"(?:completely |fully |perfectly )?(?:safe|secure)",
)

CAUSE = _cue(
    r"caused by",
    r"(?:was|were|is|are) (?:\w+ )?due to",
    r"due to (?:a|an|the|our|their)",
    r"because (?:of )?(?:a|an|the|our|their)",
    r"the result of",
    r"(?:was |were )?triggered by",
    r"traced (?:it |this |the \w+ )?(?:back )?to",
    r"stemm(?:ed|s) from",
    r"(?:root )?cause (?:was|is|has been)",
    r"(?:it |this |they )?(?:comes?|came) from (?:a|an|the)",
    r"(?:indications?|signs?|evidence) points? to",
    r"(?:is|was|are|were) down to (?:a|an|the)",
    r"the reason (?:is|was)",
    r"(?:happened|occurred|started) (?:when|after|because)",
)

DATE_OR_ETA = _cue(
    r"by (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|the weekend)",
    r"by (?:the )?end of (?:the |this |next )?(?:day|week|month|today)",
    r"(?:on|this|next|until|before) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    r"within the (?:next )?(?:hour|day|week|afternoon|morning)",
    r"(?:in|within) (?:an|the next) hour",
    r"(?:by|before) (?:this|the) (?:afternoon|evening|morning|weekend)",
    r"tomorrow",
    r"tonight",
    r"later today",
    r"next week",
    r"within (?:the next )?(?:\d+|an?|one|two|three|four|five|a few|24|48|72)(?:[-–]\d+)? ?"
    r"(?:working |business )?(?:minutes?|mins?|hours?|hrs?|h|days?|weeks?)",
    r"in (?:the next )?(?:\d+|two|three|four|five|a few|24|48)(?:[-–]\d+)? ?(?:working |business )?"
    r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?)",
    # de, fr, es, it, nl, pt: "tomorrow", and "within N hours/days"
    r"(?:bis )?morgen(?! früh)(?<!en morgen)(?<!heute morgen)(?<!am morgen)",
    r"demain|mañana(?<!esta mañana)(?<!la mañana)|domani|amanhã",
    r"(?:innerhalb (?:von )?|binnen |sous |en |entro |dentro de |em )"
    r"(?:\d+|zwei|drei|deux|trois|dos|tres|due|tre|twee|drie)(?:[-–]\d+)? "
    r"(?:werktagen|werkdagen|stunden|tagen|uur|dagen|heures|jours|horas|días|dias|ore|giorni|minuten|minutes|minutos|minuti)",
    r"(?<![-/])\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w*",
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w* \d{1,2}(?:st|nd|rd|th)?",
)
