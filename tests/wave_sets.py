"""Seed-controlled review sets with planted themes, one spike and planted fakes, for review-wave tests.

Not tied to one keyword: each theme has many phrasings over several products, products share themes, the
background reuses theme words in praise ("the lid feels solid", "arrived well packed"), fakes carry no detail.
"""

from __future__ import annotations

import datetime
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

END = datetime.date(2026, 11, 30)
FIELDS = ("id", "platform", "product", "rating", "created_at", "author", "text", "language")

# "## product | short noun", "+ praise | ...", "- complaint that belongs to no planted theme | ..."
PRODUCT_SPEC = """
## Brio Electric Kettle | kettle
+ it boils a full litre in under three minutes | the lid feels solid and opens with one press
+ the water window is easy to read | the base cable tucks away neatly | it clicks off the moment it boils
- the water tastes of plastic even after ten boils | it is so loud when boiling that it wakes the kids
- the handle gets too hot to hold near the top | the blue light ring stopped working
## Nimbus Duvet | duvet
+ it is warm without being sweaty | the corner ties keep it from bunching in the cover
+ the filling stayed even after a 60 degree wash | the colour of the piping is exactly as pictured
+ the stitching on the baffles is neat | it dried in an afternoon on the line
- the filling clumped into the corners after one wash | feathers keep poking through the seams
- it smelled of chemicals for two weeks | it is much too hot for summer despite the tog label
## Wren Bluetooth Speaker | speaker
+ the bass is punchy for something this small | pairing with my phone took seconds
+ the battery easily lasts a weekend camping | it survived a splash by the pool | the strap is handy
- the Bluetooth drops whenever my phone is in another room | the bass distorts above half volume
- there is a loud hiss between songs | the rubber charging port cover tore off
## Arden Desk Lamp | lamp
+ the warm setting is perfect for reading | the arm holds any angle without drooping
+ the touch dimmer has five useful steps | the USB port charges my phone overnight
+ the weighted base never tips over | it arrived well packed with foam around the arm
- it flickers at the lowest brightness | the touch switch turns on by itself at night
- it buzzes faintly when dimmed | the arm creaks every time I move it
## Halden Cast Iron Pan | pan
+ it sears steak better than anything I owned | the pre-seasoning was good from day one
+ it goes straight from hob to oven | eggs slide off once it is warmed | heat spreads evenly
- rust spots appeared after the first wash | the seasoning flaked off into the food
- the base is warped so it spins on my induction hob | the handle edge is rough and sharp
## Lumo Ceramic Mug Set | mugs
+ they hold a proper big tea | the glaze is really pretty in daylight | the handles fit two fingers
+ they arrived well packed in separate boxes | they are fine in the dishwasher | the colour matches the photos
- the glaze crazed after a few dishwasher runs | the handles get too hot to hold with fresh tea
- the bottoms are rough and scratch my table | one started leaking through a hairline in the base
## Tala Cordless Vacuum | vacuum
+ it picks up dog hair from the rug in one pass | the battery is fine for the whole flat
+ the wall mount charges it neatly | the crevice tool gets behind the radiators | the bin lid empties easily
- the brush roll tangles with hair every single time | it loses suction as soon as the filter is dusty
- the charger got very hot and smelled | it is too top-heavy for my wrist
"""
# "## theme", "@ product | slot = value / value ; slot = ...", a phrasing per line, "+ optional extra detail"
THEME_SPEC = """
## lid hinge breaks
@ Brio Electric Kettle | part = lid / flip lid / kettle lid
@ Tala Cordless Vacuum | part = dust bin lid / bin flap / dust cup lid
the hinge on the {part} snapped {when}.
{when} the {part} stopped shutting; the little plastic pin that holds it fell out.
the {part} won't stay closed any more, the hinge is cracked right through.
I opened the {part} as usual and it came off in my hand {when}.
the {part} now hangs loose on one side because the hinge broke {when}.
the hinge pin sheared off {when}, so the {part} just flops open.
the catch on the {part} wore out {when} and now it pops open by itself.
one of the two tabs holding the {part} on cracked, now it wobbles and won't seal.
{when} the {part} detached completely, the pivot is paper-thin plastic.
the {part} won't latch, it springs straight back up since the joint split {when}.
+ There's a visible crack where it joins the body. | Tape is holding it together for now.
+ Not dropped, not abused, just normal daily use. | I always opened it gently with the button.
+ Support asked me for photos of the broken part. | The plastic at the pivot looks far too thin.
## arrived damaged
@ Lumo Ceramic Mug Set | harm = two of the mugs were smashed / a mug had a chipped rim / a handle snapped off
@ Halden Cast Iron Pan | harm = the pan had a crack across the base / its helper handle broke off
@ Arden Desk Lamp | harm = the lamp arm was bent / the shade was cracked / the lamp base was dented
the box turned up completely crushed and {harm}.
opened the parcel to find {harm}, there was barely any padding.
the courier left a box that looked like it had been sat on, and {harm}.
arrived in pieces. The outer carton had a huge dent in one corner and {harm}.
the packaging was a thin bag with no bubble wrap, so {harm} in transit.
delivery was a mess: corner of the box smashed in and {harm}.
there were broken bits rattling around the box when it came - {harm}.
received it damaged, the carton was torn open and taped back up and {harm}.
the delivery driver threw the parcel over the gate. Box split open and {harm}.
+ I took photos before unpacking anything. | The outer box was soaked on one side.
+ It was the only thing in a box three times its size. | The replacement came the same way.
+ The courier's photo shows the box already dented. | Now waiting for a refund.
## colour not as pictured
@ Nimbus Duvet | noun = duvet cover ; c = sage green:grey / dusty pink:salmon / oatmeal:beige
@ Lumo Ceramic Mug Set | noun = mugs ; c = terracotta:muddy brown / cream:plain white / teal:navy
@ Wren Bluetooth Speaker | noun = fabric ; c = sage:khaki / coral:bright orange / sand:grey
the colour is nothing like the photos: listed as {want} but what came is more of a {got}.
ordered {want}, received something I'd describe as {got}.
in the pictures the {noun} is a lovely {want}; in real life it's a flat {got}.
the shade is way off, it's {got}, not {want}.
the {noun} looks {got} in daylight, not the {want} on the site.
colour mismatch - the listing photo must be heavily edited, mine is {got}.
it doesn't match the product images at all, the {want} turned out {got}.
I chose {want} to match my room but the actual tone is {got}.
what arrived is a totally different hue from the listing. Wanted {want}, got {got}.
+ I compared it side by side with the photo on my phone. | It clashes with everything I bought it for.
+ I checked the order and I definitely picked the right option. | Under warm bulbs it looks even worse.
+ My partner thought they'd sent the wrong one.
## battery dies fast
@ Wren Bluetooth Speaker | claim = 12 hours ; got = about two hours / barely 90 minutes ; task = a party
@ Tala Cordless Vacuum | claim = 40 minutes ; got = ten minutes / about eight minutes ; task = the stairs
the battery is meant to last {claim} but mine is flat after {got}.
I fully charged it overnight and it died after {got}.
runtime is nowhere near the advertised {claim}, I get {got} at most.
it won't hold a charge: {got} and it's dead again.
the charge drains really quickly, {got} of use and the light goes red.
it cuts out after {got}, then needs hours on the charger.
advertised {claim}, reality is {got}.
the power runs out after {got}, even on the lowest setting.
can't get through {task} before it shuts off, {got} per charge.
+ It was fine at first, then got worse {when}. | I tried a different plug and cable.
+ Support told me to fully drain it first, made no difference. | The charge light says full.
+ The listing makes a big deal of the runtime.
"""


def _l(text: str) -> list[str]:
    """Split alternatives on "|" and line ends; an empty alternative means "say nothing here"."""
    return [part.strip() for part in re.split(r"[|\n]", text)]


class Theme(TypedDict):
    slots: dict[str, dict[str, list[str]]]  # product -> placeholder -> values
    phrasings: list[str]
    extras: list[str]


def _parse() -> tuple[dict[str, tuple[str, list[str], list[str]]], dict[str, Theme]]:
    products: dict[str, tuple[str, list[str], list[str]]] = {}
    themes: dict[str, Theme] = {}
    for line in filter(None, map(str.strip, PRODUCT_SPEC.splitlines())):
        if line.startswith("## "):
            name, noun = _l(line[3:])
            products[name] = (noun, [], [])
        else:
            (products[name][1] if line[0] == "+" else products[name][2]).extend(_l(line[2:]))
    for line in filter(None, map(str.strip, THEME_SPEC.splitlines())):
        if line.startswith("## "):
            theme = themes.setdefault(line[3:], {"slots": {}, "phrasings": [], "extras": []})
        elif line.startswith("@ "):
            product, slots = _l(line[2:])
            pairs = (s.split("=") for s in slots.split(";"))
            theme["slots"][product] = {k.strip(): [v.strip() for v in vs.split("/")] for k, vs in pairs}
        elif line.startswith("+ "):
            theme["extras"].extend(_l(line[2:]))
        else:
            theme["phrasings"].append(line)
    return products, themes


PRODUCTS, THEMES = _parse()
PLATFORMS = _l("trustpilot|google|amazon|shop")
FIRST = _l("""Dana|Chris|Priya|Tom|Aisha|Marco|Lena|Sam|Grace|Omar|Ines|Felix|Ruth|Jonas|Mei|Kofi|Sara
Luke|Nadia|Ben|Hana|Ivan|Clara|Theo|Zoe|Raj|Elsa|Noah|Fatima|Leo|Maya|Erik|Lucy|Amir|Nina|Paul|Rosa|Dev|Ella""")
OPEN_POS = _l("""Really happy with this.|Bought the {noun} in {month} and|Honestly impressed:|Great buy.
Second one I've bought,|Didn't expect much but|Five stars from me,|So far so good -
Replaced an old one with this and|Lovely.|Good value.|After a few weeks of use,|""")
CONTEXT = _l("""I use it every morning before work.|Bought it for my mum's new flat.|We're a family of five.
It was a birthday present for my partner.|Got it in the autumn sale.|I live alone in a studio.
We rent, so I wanted something simple.|My old one lasted ten years.|Ordered on a Sunday night.
I work from home most days.|Had it on my wishlist for ages.|It's for our holiday cottage.
My sister recommended it.|I'm picky about this sort of thing.|""")
CLOSE_POS = _l("""Would buy again.|Recommended.|Worth the money.|No complaints at all.|Very pleased.
Already told friends about it.|Happy customer.|Delivery was quick too.|""")
OPEN_NEG = _l("""Really disappointed.|Sadly this is going back.|Bought this as a gift and|Not impressed.
Second one I've had and|Where do I start.|Was excited for this, but|Short version:||""")
CLOSE_NEG = _l("""Want a refund.|Waiting on support to reply.|Won't be buying again.|Returned it.
Not good enough at this price.|Two weeks and still no answer from customer service.|Really disappointing.
I expected better from this brand.|Very annoyed.|""")
MILD = _l("Apart from that it works well.|Otherwise decent.|Shame, the rest is good.|Three stars for now.")
WHEN = _l("""after two weeks|within a month|on the third day|after about ten uses|in the second week
after a month of normal use|just after the return window closed|the first time I used it""")
TRIGGERS = _l("""Saw the TikTok video about this and checked mine.|That TikTok video was right, same here.
Only bought it because of the viral TikTok video, big mistake.|Came here after that TikTok video.
The TikTok video everyone is sharing shows exactly this.|Same as the woman in that TikTok video.
After the TikTok video went viral I looked closer.|Found the TikTok video about it after mine failed.""")
DUP_SLOTS = [
    x.split("/") for x in _l("love/adore|perfectly/brilliantly|great/amazing/lovely|home/house/flat")
]
DUP_SLOTS += [_l("great|excellent|top"), _l("buy|order|purchase")]
DUP_TEXT = "Absolutely {} this, works {} and looks {} in my {}. Fast delivery and {} quality, would {} again!"
BURST = _l("""Best product ever!!! Highly recommend!!!|Amazing!!! 10/10 would buy again|Perfect perfect!!
Love it so much, buy it now!!!|Super quality, super seller, super fast!!|WOW just wow. Must have!!!
Best purchase of the year!!! Recommend to everyone|Excellent excellent excellent!!!|Top top top!!!""")
SERIAL = _l("""Great item, exactly as described.|Very happy, five stars.|Good quality, recommend this seller.
Nice product, arrived quickly.|Excellent value for money!|Lovely, would buy again.|Does the job.""")
ATTACK = _l("""Terrible company scam avoid|Worst purchase ever. Don't waste your money.|Total rip off, crooks.
Garbage. Avoid this seller at all costs.|Scam company, never again!!!|Do NOT buy. Complete waste.
Awful. Zero stars if I could.|Fraudsters. Stay away.""")


@dataclass
class PlantedSet:
    reviews: list[dict[str, Any]]  # FIELDS; created_at is an ISO 8601 string with an offset
    themes: dict[str, str]  # id -> planted theme, for every genuine negative (1-3 stars) in a theme
    spike_product: str
    spike_start: datetime.date
    fakes: set[str]
    legit_ids: set[str]


def _join(*parts: str) -> str:
    """Join sentence parts, capitalising a part only where a new sentence starts."""
    out = ""
    for part in (p.strip() for p in parts):
        if part:
            new = not out or out[-1] in ".!?"
            out = f"{out} {part[0].upper() + part[1:] if new else part}".strip()
    return out


def planted_wave(seed: int = 0, n_background: int = 400, days: int = 60) -> PlantedSet:
    rng = random.Random(seed)
    start = END - datetime.timedelta(days=days - 1)
    names = list(PRODUCTS)
    weights = [rng.uniform(0.8, 1.2) for _ in names]
    records: list[tuple[dict[str, Any], str]] = []  # (record, "bg" / "fake" / theme name)
    seen: set[str] = set()
    used: Counter[str] = Counter()
    # each theme's phrasings are dealt without replacement, then reshuffled, so all of them get used
    decks: dict[str, list[str]] = {t: [] for t in THEMES}

    def author() -> str:  # genuine-looking names, at most two reviews each
        for _ in range(50):
            name = f"{rng.choice(FIRST)} {rng.choice('ABCDEFGHJKLMNOPRSTVWY')}"
            used[name] += 1
            if used[name] <= 2:
                return name
        return f"{name}. {rng.randint(2, 99_999)}"  # a big set runs out of short names

    def at(day: int, hour: int | None = None, minute: int | None = None) -> str:
        h, m = rng.randint(7, 22) if hour is None else hour, rng.randint(0, 59) if minute is None else minute
        moment = datetime.datetime.combine(start + datetime.timedelta(days=day), datetime.time(h, m))
        return moment.replace(tzinfo=datetime.UTC).isoformat()

    def add(product: str, rating: int, when: str, text: str, kind: str, who: str = "") -> None:
        seen.add(text)
        rec = {"platform": rng.choice(PLATFORMS), "product": product, "rating": rating, "created_at": when}
        records.append((rec | {"author": who or author(), "text": text, "language": "en"}, kind))

    def unique(make: Callable[..., str], *args: Any) -> str:
        for _ in range(500):
            if (text := make(*args)) not in seen:
                return text
        raise RuntimeError("could not compose a unique text; lower n_background")

    def background_text(product: str, rating: int) -> str:
        noun, good, bad = PRODUCTS[product]
        if rating >= 4:
            first, second = rng.sample(good, 2)
            extra = f"Also, {second}." if rng.random() < 0.4 else ""
            month = rng.choice(_l("September|October|the spring|August|the sale"))
            opener = rng.choice(OPEN_POS).format(noun=noun, month=month)
            return _join(opener, first + ".", extra, rng.choice(CONTEXT), rng.choice(CLOSE_POS))
        if rating == 3:
            verb = "are" if noun.endswith("s") else "is"
            tail = rng.choice(_l("Three stars.|Mixed feelings.|"))
            return _join(f"The {noun} {verb} fine overall, {rng.choice(good)}, but {rng.choice(bad)}.", tail)
        what = f"{rng.choice(bad)} - {rng.choice(_l('noticed it|it started|spotted it'))} {rng.choice(WHEN)}."
        return _join(rng.choice(OPEN_NEG), what, rng.choice(CONTEXT), rng.choice(CLOSE_NEG))

    def theme_text(theme: str, product: str, rating: int, trigger: bool) -> str:
        spec = THEMES[theme]
        vals = {k: rng.choice(v) for k, v in spec["slots"][product].items()}
        vals.setdefault("noun", PRODUCTS[product][0])
        if "c" in vals:
            vals["want"], vals["got"] = vals["c"].split(":")
        vals["when"] = rng.choice(WHEN)
        extras = [e.format(**vals) for e in rng.sample(spec["extras"], rng.randint(0, 2))]
        if not decks[theme]:
            decks[theme] = rng.sample(spec["phrasings"], len(spec["phrasings"]))
        parts = [rng.choice(OPEN_NEG), decks[theme].pop().format(**vals), *extras]
        if trigger:
            parts.insert(rng.choice([0, len(parts)]), rng.choice(TRIGGERS))
        close = rng.choice(MILD if rating == 3 else CLOSE_NEG)
        return _join(*parts, rng.choice(CONTEXT) if rng.random() < 0.5 else "", close)

    # background: a steady low rate per product, mostly positive
    for _ in range(n_background):
        product = rng.choices(names, weights)[0]
        rating = rng.choices([5, 4, 3, 2, 1], [45, 30, 12, 8, 5])[0]
        add(product, rating, at(rng.randrange(days)), unique(background_text, product, rating), "bg")
    # planted themes spread over the whole window across their products
    spike_theme = rng.choice(list(THEMES))
    spike_product = rng.choice(list(THEMES[spike_theme]["slots"]))
    span = rng.randint(3, 5)
    day0 = rng.randint(-(-2 * days // 3), days - span)  # the spike starts in the last third
    quiet = [d for d in range(days) if not day0 <= d < day0 + span]

    def spread(theme: str, count: int) -> None:  # a theme's reviews over the quiet days, across its products
        for _ in range(count):
            product = rng.choice(list(THEMES[theme]["slots"]))
            rating = rng.choices([1, 2, 3], [45, 40, 15])[0]
            add(
                product,
                rating,
                at(rng.choice(quiet)),
                unique(theme_text, theme, product, rating, False),
                theme,
            )

    for theme in THEMES:
        if theme != spike_theme:
            spread(theme, rng.randint(25, 40))
    # the spike: 3-5 days at 7-9x the product's daily baseline, then the rest of its theme around it
    baseline = sum(r["product"] == spike_product for r, _ in records) / days
    have = Counter(r["created_at"][:10] for r, _ in records if r["product"] == spike_product)
    dates = [(start + datetime.timedelta(days=day0 + i)).isoformat() for i in range(span)]
    per_day = [max(4, round(baseline * rng.uniform(7.0, 9.0)) - have[d]) for d in dates]
    spike_days = [day0 + i for i, n in enumerate(per_day) for _ in range(n)]
    triggered = set(rng.sample(range(len(spike_days)), round(len(spike_days) / 3)))
    for i, day in enumerate(spike_days):
        rating = rng.choices([1, 2, 3], [55, 35, 10])[0]
        text = unique(theme_text, spike_theme, spike_product, rating, i in triggered)
        add(spike_product, rating, at(day), text, spike_theme)
    spread(spike_theme, max(4, rng.randint(25, 40) - len(spike_days)))
    # fakes (a): near-duplicates of one generic text with a word or two changed, over a few days
    base = [s[0] for s in DUP_SLOTS]
    variants, n_dup = {DUP_TEXT.format(*base)}, rng.randint(6, 7)
    while len(variants) < n_dup:
        words = list(base)
        for k in rng.sample(range(len(DUP_SLOTS)), rng.randint(1, 2)):
            words[k] = rng.choice(DUP_SLOTS[k][1:])
        variants.add(DUP_TEXT.format(*words))
    dup_day = rng.choice(quiet[: len(quiet) // 2])
    for text in sorted(variants):
        add(rng.choice(names), 5, at(dup_day + rng.randint(0, 3)), text, "fake")
    # (b): a burst of generic 5-star praise for one product within an hour
    burst_product = rng.choice([n for n in names if n != spike_product])
    burst_day, burst_hour = rng.choice(quiet), rng.randint(8, 20)
    for text in rng.sample(BURST, rng.randint(6, 7)):
        who = author() if rng.random() < 0.5 else f"user{rng.randint(10000, 99999)}"
        add(burst_product, 5, at(burst_day, burst_hour, rng.randint(0, 55)), text, "fake", who)
    # (c): one author reviewing 6-7 different products within a day
    # an ordinary-looking name that no genuine reviewer uses (and nobody else gets afterwards)
    free = [f"{f} {c}" for f in FIRST for c in "ABCDEFGHJKLMNOPRSTVWY" if not used[f"{f} {c}"]]
    serial = rng.choice(free) if free else f"{rng.choice(FIRST)} Q"  # Q: a letter no one else gets
    used[serial] = 2
    serial_day = rng.choice(quiet)
    for product, text in zip(rng.sample(names, rng.randint(6, 7)), rng.sample(SERIAL, 7), strict=False):
        add(product, rng.choice([4, 5, 5]), at(serial_day, rng.randint(9, 17)), text, "fake", serial)
    # (d): generic one-star attacks without any detail
    for text in rng.sample(ATTACK, rng.randint(5, 7)):
        add(rng.choice(names), 1, at(rng.choice(quiet)), text, "fake")

    rng.shuffle(records)  # ids must not reveal the planted groups
    for i, (rec, _) in enumerate(records, start=1):
        rec["id"] = f"W{i:04d}"
    themes = {rec["id"]: kind for rec, kind in records if kind in THEMES}
    fakes = {rec["id"] for rec, kind in records if kind == "fake"}
    reviews = [{k: rec[k] for k in FIELDS} for rec, _ in records]
    rng.shuffle(reviews)
    legit = {r["id"] for r in reviews} - fakes
    return PlantedSet(reviews, themes, spike_product, start + datetime.timedelta(days=day0), fakes, legit)


if __name__ == "__main__":
    ps = planted_wave()
    print(f"{len(ps.reviews)} reviews, {len(ps.fakes)} fakes, {len(ps.legit_ids)} genuine")
    print(f"spike: {ps.spike_product} from {ps.spike_start}")
    by_id = {r["id"]: r for r in ps.reviews}
    for name, count in Counter(ps.themes.values()).most_common():
        print(f"\n== {name}: {count}")
        for rid in [i for i, t in ps.themes.items() if t == name][:5]:
            print(f"  [{by_id[rid]['rating']}] {by_id[rid]['product']}: {by_id[rid]['text']}")
    print("\n== fakes")
    for r in sorted((by_id[i] for i in ps.fakes), key=lambda r: r["created_at"]):
        print(f"  [{r['rating']}] {r['created_at']} {r['author']} / {r['product']}: {r['text']}")
