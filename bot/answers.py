"""The bot's answers about places, in plain Swedish (klarspråk).

Short sentences, distances as "1,2 km", hours as "8–21", and every answer
that names a place ends with how fresh the information is and how to check
it (data policy 2). The actions send these texts as they are.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from bot.carriers import (
    KIND_LOCKER,
    carrier_name,
    carrier_names,
    carriers_of,
    is_locker,
    load_carriers,
    parcel_label,
)
from bot.freshness import (
    ANY_FINDER,
    check_advice,
    dated_sources,
    load_freshness,
    old_years,
)
from bot.index import Nearby, NearestAnswer
from bot.lotsen import PAGE_SIZE, Origin
from bot.opening_hours import parse_opening_hours, to_local
from bot.phrasing import SWEDISH_MONTHS, join_swedish
from bot.registry import ServicePoint
from bot.service_types import ServiceType, load_service_types
from bot.when import When

__all__ = [
    "PAGE_SIZE",
    "also_here",
    "display_name",
    "freshness",
    "hours_answer",
    "locality_answer",
    "nearest_answer",
    "point_address",
]




def _month(day: datetime.date) -> str:
    return f"{SWEDISH_MONTHS[day.month - 1]} {day.year}"


def freshness(
    points: Sequence[ServicePoint],
    categories: str | Sequence[str] | None = (),
    *,
    carrier: str | None = None,
    today: datetime.date | None = None,
) -> str:
    """How old the named places' information is, and how to check it.

    "Uppgifterna är från februari 2023 (källa: kedjans butikssök). De kan ha
    ändrats: ring gärna och fråga innan du åker." With `categories`, each
    point's date and source are those of the asked category (a shop's
    apoteksombud from 2025, its parcel agent from 2021, from `sources`), else
    the point's own. Information older than data/freshness.yml's threshold
    says so in one plain line and where to check: "Uppgiften är från 2021 och
    kan ha ändrats. Källa: …, april 2021. Aviseringen från transportföretaget …".
    """
    if not points:
        return ""
    asked_all = [categories] if isinstance(categories, str) else list(categories or ())
    dated: list[tuple[str | None, str, datetime.date]] = []
    for p in points:
        asked = [c for c in asked_all if c in p.categories]
        for cat in asked:
            dated += [(cat, source, day) for source, day in dated_sources(p, cat)]
        if not asked:
            dated.append((None, p.source, p.source_date))
    dates = sorted({day for _c, _s, day in dated})
    sources = join_swedish(sorted({source for _c, source, _d in dated}))
    if _month(dates[0]) == _month(dates[-1]):
        age = _month(dates[0])
    else:
        age = f"{_month(dates[0])} till {_month(dates[-1])}"
    rules = load_freshness()
    old = old_years(dates, today, rules)
    if not old:
        return (
            f"Uppgifterna är från {age} (källa: {sources}). "
            "De kan ha ändrats: ring gärna och fråga innan du åker."
        )
    years = str(old[0]) if len(old) == 1 else f"{old[0]}–{old[-1]}"
    if len(old) == len({d.year for d in dates}):
        subject = "Uppgiften" if len(points) == 1 else "Uppgifterna"
        first = f"{subject} är från {years} och kan ha ändrats. Källa: {sources}, {age}."
    else:
        first = (
            f"Uppgifterna är från {age} (källa: {sources}). "
            f"Uppgifter från {years} kan ha ändrats."
        )
    old_categories = [c for c, _s, day in dated if c and day.year in old]
    found = load_carriers().get(carrier) if carrier else None
    if found is not None:
        advice = check_advice(
            dict.fromkeys(old_categories),
            rules,
            carrier=found.name,
            finder=found.finder or ANY_FINDER,
        )
    else:
        advice = check_advice(dict.fromkeys(old_categories), rules)
    return f"{first} {advice}"


def point_address(point: ServicePoint) -> str:
    """ "Storgatan 1, Jämjö" or just the ort."""
    if point.address:
        return f"{point.address}, {point.locality}"
    return point.locality


def _hours_today(point: ServicePoint, at: datetime.datetime) -> str:
    if not point.opening_hours:
        return "Öppettider saknas i mina uppgifter."
    hours = parse_opening_hours(point.opening_hours)
    status = hours.status_text(at)
    return f"I dag {hours.today_text(at)}, {status}."


def _contact(point: ServicePoint) -> str:
    if point.phone:
        return f" Telefon {point.phone}."
    return ""


def display_name(point: ServicePoint) -> str:
    """How a point is named: a locker as one ("Instabox paketskåp"), never
    as its bare code; every other point by its name."""
    if is_locker(point):
        return f"{carrier_names(point)} paketskåp"
    return point.name


def _parcel_text(point: ServicePoint) -> str:
    """ "Ombud för PostNord och DHL." for a parcel point ("" without carriers)."""
    if is_locker(point):
        return ""  # the name says it
    label = parcel_label(point)
    return f" {label[0].upper()}{label[1:]}." if label else ""


def _service_word(point: ServicePoint, category: str, types: dict[str, ServiceType]) -> str:
    """One of a point's services as "apoteksombud", "PostNord-ombud"."""
    if category == "paketombud":
        carriers = carriers_of(point)
        if is_locker(point):
            return f"{carrier_names(point)} paketskåp"
        if len(carriers) == 1:
            return f"{carrier_name(carriers[0].id)}-ombud"
        if carriers:
            return f"paketombud ({carrier_names(point)})"
    st = types.get(category)
    return st.name if st is not None else category


def also_here(
    point: ServicePoint, asked: str, types: dict[str, ServiceType] | None = None
) -> str:
    """ "Här finns också apoteksombud och PostNord-ombud." for a point that
    offers more than the asked service ("" when it offers only that)."""
    types = types if types is not None else load_service_types()
    others = [c for c in point.categories if c != asked and c in types]
    if not others:
        return ""
    words = join_swedish([_service_word(point, c, types) for c in others])
    return f"Här finns också {words}."


def _line(
    number: int,
    hit: Nearby,
    at: datetime.datetime,
    category: str | None = None,
    types: dict[str, ServiceType] | None = None,
) -> str:
    p = hit.point
    parcel = _parcel_text(p) if category == "paketombud" else ""
    also = also_here(p, category, types) if category else ""
    return (
        f"{number}. {display_name(p)}, {point_address(p)}: {hit.distance_text} "
        f"(cirka {hit.road_estimate_text} på väg).{parcel} {_hours_today(p, at)}"
        f"{_contact(p)}{(' ' + also) if also else ''}"
    )


def _from(origin: Origin) -> str:
    return "dig" if origin.is_position else origin.label


def nearest_answer(
    answer: NearestAnswer,
    origin: Origin,
    service_type: ServiceType,
    related_types: dict[str, ServiceType],
    *,
    offset: int = 0,
    more_available: bool = False,
    at: datetime.datetime | None = None,
) -> str:
    """The answer to "närmaste apotek i Ronneby" (or its "visa fler" page).

    Args:
        answer: the index's answer.
        origin: where the search started.
        service_type: the asked type.
        related_types: service types by id (for the related fallback's names).
        offset: how many were shown before (numbering continues).
        more_available: say that "visa fler" shows more.
        at: the time for "open now" (default: now).
    """
    moment = to_local(at)
    if answer.carrier is not None and not answer.results:
        return _no_carrier_answer(answer, origin)
    if not answer.results:
        return _nothing_answer(answer, origin, service_type, related_types, moment)
    plural = (
        _carrier_plural(answer)
        if answer.carrier is not None
        else service_type.plural
    )
    heading = (
        f"Närmaste {plural} från {_from(origin)}:"
        if offset == 0
        else f"Fler {plural} från {_from(origin)}:"
    )
    lines = [heading]
    lines += [
        _line(offset + i + 1, hit, moment, answer.category, related_types)
        for i, hit in enumerate(answer.results)
    ]
    lines.append("Avstånden är fågelvägen; vägen är en uppskattning.")
    lines.append(
        freshness(
            [hit.point for hit in answer.results],
            answer.category,
            carrier=answer.carrier,
        )
    )
    if more_available:
        lines.append('Skriv "visa fler" om du vill se fler.')
    return "\n".join(lines)


def _carrier_plural(answer: NearestAnswer) -> str:
    """ "PostNord-ombud", "Instabox paketskåp" or "Bring-ombud och paketskåp"."""
    cid = answer.carrier or ""
    name = carrier_name(cid)
    kinds = {
        c.kind
        for hit in answer.results
        for c in carriers_of(hit.point)
        if c.id == cid
    }
    if kinds == {KIND_LOCKER}:
        return f"{name} paketskåp"
    if KIND_LOCKER in kinds:
        return f"{name}-ombud och paketskåp"
    return f"{name}-ombud"


def _no_carrier_answer(answer: NearestAnswer, origin: Origin) -> str:
    """No point of the asked carrier: say so, and where the carrier's own list is."""
    cid = answer.carrier or ""
    name = carrier_name(cid)
    found = load_carriers().get(cid)
    where = f" Du kan också söka {found.finder}." if found and found.finder else ""
    if answer.has_data:
        first = f"Jag hittar inga fler ställen för {name} nära {_from(origin)}."
    else:
        first = f"Jag har tyvärr inga uppgifter om var {name} lämnar ut paket."
    return (
        f"{first} Aviseringen från {name} (sms, app eller brev) säger var ditt "
        f"paket finns.{where}"
    )


def _nothing_answer(
    answer: NearestAnswer,
    origin: Origin,
    service_type: ServiceType,
    related_types: dict[str, ServiceType],
    moment: datetime.datetime,
) -> str:
    if answer.has_data:
        first = f"Jag hittar inga fler {service_type.plural} nära {_from(origin)}."
    else:
        first = (
            f"Jag har tyvärr inga uppgifter om {service_type.plural} ännu, "
            "så jag kan inte säga var närmaste finns."
        )
    lines = [first]
    shown: list[ServicePoint] = []
    for category, hits in answer.related:
        related = related_types.get(category)
        if related is None or not hits:
            continue
        lines.append(f"Närmaste {related.name} jag känner till från {_from(origin)}:")
        lines += [
            _line(i + 1, hit, moment, category, related_types)
            for i, hit in enumerate(hits)
        ]
        shown += [hit.point for hit in hits]
    if shown:
        lines.append(freshness(shown, answer.related[0][0] if answer.related else None))
    return "\n".join(lines)


def locality_answer(
    place_name: str,
    points: Sequence[ServicePoint],
    service_types: dict[str, ServiceType],
) -> str:
    """The answer to "vad finns i Kyrkhult?": the points of an ort by type."""
    if not points:
        return (
            f"Jag har inga uppgifter om service i {place_name}. "
            "Fråga gärna efter något särskilt, så letar jag upp det närmaste, "
            f'till exempel "närmaste matbutik från {place_name}".'
        )
    lines = [f"Det här finns i {place_name} enligt mina uppgifter:"]
    for type_id, service_type in service_types.items():
        names = [
            _listed_name(p, type_id) for p in points if type_id in p.categories
        ]
        if names:
            lines.append(
                f"- {service_type.plural.capitalize()}: {join_swedish(sorted(set(names)))}"
            )
    lines.append(freshness(points, sorted({c for p in points for c in p.categories})))
    return "\n".join(lines)


def _listed_name(point: ServicePoint, category: str) -> str:
    """A point in "vad finns i …": parcel points with their carriers."""
    if category == "paketombud":
        if is_locker(point):
            return f"{display_name(point)} ({point_address(point)})"
        names = carrier_names(point)
        return f"{point.name} ({names})" if names else point.name
    return display_name(point)


def hours_answer(
    point: ServicePoint, when: When, at: datetime.datetime | None = None
) -> str:
    """The answer to "har Coop i Mjällby öppet på söndag?"."""
    moment = to_local(at)
    where = point_address(point)
    if not point.opening_hours:
        text = (
            f"Jag har inga öppettider för {point.name} ({where})."
            + (f" Ring och fråga: {point.phone}." if point.phone else "")
            + (f" Se {point.website}." if point.website else "")
        )
        return f"{text}\n{freshness([point])}"
    hours = parse_opening_hours(point.opening_hours)
    if when.now:
        first = f"{point.name} ({where}): {hours.status_text(moment)}."
        detail = f"Öppettider i dag: {hours.today_text(moment)}."
        return f"{first} {detail}\n{freshness([point])}"
    day_text = hours.hours_text(when.day)
    if day_text == "stängt":
        first = f"{point.name} ({where}) har stängt {when.label}."
    else:
        first = f"{point.name} ({where}) har öppet {when.label}: {day_text}."
    return f"{first}\n{freshness([point])}"


def map_url(lat: float, lon: float) -> str:
    """A plain OpenStreetMap link to a point (no tiles are loaded by us)."""
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=16/{lat:.5f}/{lon:.5f}"


def places_payload(
    hits: Sequence[Nearby],
    *,
    first_number: int = 1,
    at: datetime.datetime | None = None,
    category: str | None = None,
    carrier: str | None = None,
) -> dict[str, object]:
    """The same places as the text answer, as data for the web chat's list.

    Sent next to the text (which stays complete for the terminal and REST
    clients), so the widget can show cards with a map link each.
    """
    moment = to_local(at)
    places: list[dict[str, object]] = []
    for i, hit in enumerate(hits):
        p = hit.point
        hours = parse_opening_hours(p.opening_hours) if p.opening_hours else None
        places.append(
            {
                "number": first_number + i,
                "id": p.id,
                "name": display_name(p),
                "address": point_address(p),
                "distance": hit.distance_text,
                "road_estimate": hit.road_estimate_text,
                "today": hours.today_text(moment) if hours else None,
                "status": hours.status_text(moment) if hours else None,
                "open_now": hours.is_open(moment) if hours else None,
                "phone": p.phone,
                "website": p.website,
                "map_url": map_url(p.lat, p.lon),
                "carriers": parcel_label(p) or None,
                "also": (also_here(p, category) if category else "") or None,
            }
        )
    return {
        "type": "places",
        "places": places,
        "freshness": freshness([hit.point for hit in hits], category, carrier=carrier),
    }
