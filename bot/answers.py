"""The bot's answers about places, in plain Swedish (klarspråk) or English.

Short sentences, distances as "1,2 km", hours as "8–21" (in English "1.2 km"
and "8:00–21:00", see data/lang/messages.yml), and every answer
that names a place ends with how fresh the information is and how to check
it (data policy 2). The actions send these texts as they are. The sentences
themselves are in `data/lang/messages.yml` (`bot.messages`); `lang` chooses
their language ("sv" when a text has no other).
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
    check_advice,
    dated_sources,
    load_freshness,
    old_years,
    source_name,
)
from bot.geo import format_distance_km
from bot.index import Nearby, NearestAnswer
from bot.lang import english
from bot.lotsen import PAGE_SIZE, Origin
from bot.messages import join_words, say
from bot.opening_hours import parse_opening_hours, to_local
from bot.phrasing import SWEDISH_MONTHS
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


def _month(day: datetime.date, lang: str = "sv") -> str:
    if lang == "en":
        months = english().months
        if len(months) == 12:
            return f"{months[day.month - 1].capitalize()} {day.year}"
    return f"{SWEDISH_MONTHS[day.month - 1]} {day.year}"


def freshness(
    points: Sequence[ServicePoint],
    categories: str | Sequence[str] | None = (),
    lang: str = "sv",
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
    # Each source with its own dates: "från februari 2023 till juli 2025
    # (källa: kedjans butikssök (insamlat 2023) och Pipos)" read as if the
    # 2023 collection ran until 2025.
    by_source: dict[str, list[datetime.date]] = {}
    for _cat, source, day in dated:
        by_source.setdefault(source_name(source, lang), []).append(day)
    parts: list[tuple[str, str]] = []
    for source, days in sorted(
        by_source.items(), key=lambda item: (min(item[1]), item[0])
    ):
        first, last = _month(min(days), lang), _month(max(days), lang)
        age = (
            first if first == last else say("month_span", lang, first=first, last=last)
        )
        parts.append((age, source))
    rules = load_freshness()
    old = old_years([day for _c, _s, day in dated], today, rules)
    if not old:
        if len(parts) == 1:
            return say("freshness", lang, age=parts[0][0], sources=parts[0][1])
        return say(
            "freshness_sources",
            lang,
            parts=join_words(
                [say("freshness_part", lang, age=age, source=src) for age, src in parts],
                lang,
            ),
        )
    years = str(old[0]) if len(old) == 1 else f"{old[0]}–{old[-1]}"
    if len(old) == len({day.year for _c, _s, day in dated}):
        sources = join_words([f"{src}, {age}" for age, src in parts], lang)
        if len(points) == 1:
            line = say("freshness_old_one", lang, years=years, sources=sources)
        else:
            line = say("freshness_old_many", lang, years=years, sources=sources)
    else:
        described = join_words(
            [say("freshness_part", lang, age=age, source=src) for age, src in parts],
            lang,
        )
        line = say("freshness_old_some", lang, parts=described, years=years)
    old_categories = [c for c, _s, day in dated if c and day.year in old]
    found = load_carriers().get(carrier) if carrier else None
    if found is not None:
        advice = check_advice(
            dict.fromkeys(old_categories),
            rules,
            carrier=found.name,
            finder=found.finder_in(lang) or None,
            lang=lang,
        )
    else:
        advice = check_advice(dict.fromkeys(old_categories), rules, lang=lang)
    return f"{line} {advice}"


def point_address(point: ServicePoint) -> str:
    """ "Storgatan 1, Jämjö" or just the ort."""
    if point.address:
        return f"{point.address}, {point.locality}"
    return point.locality


def _hours_today(point: ServicePoint, at: datetime.datetime, lang: str) -> str:
    if not point.opening_hours:
        return say("hours_missing", lang)
    hours = parse_opening_hours(point.opening_hours)
    return say(
        "hours_today",
        lang,
        today=hours.today_text(at, lang),
        status=hours.status_text(at, lang),
    )


def _contact(point: ServicePoint, lang: str) -> str:
    if point.phone:
        return say("place_phone", lang, phone=point.phone)
    return ""


def display_name(point: ServicePoint, lang: str = "sv") -> str:
    """How a point is named: a locker as one ("Instabox paketskåp",
    "Instabox parcel locker"), never as its bare code; every other point by
    its name."""
    if is_locker(point):
        return say("carrier_locker", lang, carriers=carrier_names(point, lang))
    return point.name


def _parcel_text(point: ServicePoint, lang: str = "sv") -> str:
    """ " Ombud för PostNord och DHL." for a parcel point ("" without carriers)."""
    if is_locker(point):
        return ""  # the name says it
    label = parcel_label(point, lang=lang)
    return f" {label[0].upper()}{label[1:]}." if label else ""


def _service_word(
    point: ServicePoint,
    category: str,
    types: dict[str, ServiceType],
    lang: str = "sv",
) -> str:
    """One of a point's services as "apoteksombud", "PostNord-ombud"
    ("pharmacy agent", "PostNord parcel point")."""
    if category == "paketombud":
        carriers = carriers_of(point)
        if is_locker(point):
            return say("carrier_locker", lang, carriers=carrier_names(point, lang))
        if len(carriers) == 1:
            return say("carrier_ombud", lang, carrier=carrier_name(carriers[0].id))
        if carriers:
            return say("parcel_point_with", lang, carriers=carrier_names(point, lang))
    st = types.get(category)
    return st.display_name(lang) if st is not None else category


def also_here(
    point: ServicePoint,
    asked: str,
    types: dict[str, ServiceType] | None = None,
    lang: str = "sv",
) -> str:
    """ "Här finns också apoteksombud och PostNord-ombud." for a point that
    offers more than the asked service ("" when it offers only that)."""
    types = types if types is not None else load_service_types()
    others = [c for c in point.categories if c != asked and c in types]
    if not others:
        return ""
    words = join_words([_service_word(point, c, types, lang) for c in others], lang)
    return say("also_here", lang, services=words)


def _line(
    number: int,
    hit: Nearby,
    at: datetime.datetime,
    lang: str,
    category: str | None = None,
    types: dict[str, ServiceType] | None = None,
) -> str:
    p = hit.point
    also = also_here(p, category, types, lang) if category else ""
    return say(
        "place_line",
        lang,
        number=number,
        name=display_name(p, lang),
        address=point_address(p),
        distance=format_distance_km(hit.distance_km, lang),
        road=format_distance_km(hit.road_estimate_km, lang),
        parcel=_parcel_text(p, lang) if category == "paketombud" else "",
        hours=_hours_today(p, at, lang),
        contact=_contact(p, lang),
        also=f" {also}" if also else "",
    )


def _from(origin: Origin, lang: str) -> str:
    return say("origin_position", lang) if origin.is_position else origin.label


def nearest_answer(
    answer: NearestAnswer,
    origin: Origin,
    service_type: ServiceType,
    related_types: dict[str, ServiceType],
    *,
    offset: int = 0,
    more_available: bool = False,
    at: datetime.datetime | None = None,
    lang: str = "sv",
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
        lang: the language of the sentences.
    """
    moment = to_local(at)
    if answer.carrier is not None and not answer.results:
        return _no_carrier_answer(answer, origin, lang)
    if not answer.results:
        return _nothing_answer(
            answer, origin, service_type, related_types, moment, lang
        )
    plural = (
        _carrier_plural(answer, lang)
        if answer.carrier is not None
        else service_type.display_plural(lang)
    )
    heading = say(
        "nearest_heading" if offset == 0 else "more_heading",
        lang,
        plural=plural,
        origin=_from(origin, lang),
    )
    lines = [heading]
    lines += [
        _line(offset + i + 1, hit, moment, lang, answer.category, related_types)
        for i, hit in enumerate(answer.results)
    ]
    lines.append(say("distances_note", lang))
    if origin.place is not None and origin.place.position_note:
        # a village geocoded from OpenStreetMap, not surveyed (data-policy)
        lines.append(
            say(
                "approximate_origin",
                lang,
                place=origin.place.name,
                note=say("approximate_position", lang),
            )
        )
    lines.append(
        freshness(
            [hit.point for hit in answer.results],
            (service_type.id,),
            lang,
            carrier=answer.carrier,
        )
    )
    if more_available:
        lines.append(say("show_more", lang))
    return "\n".join(lines)


def _carrier_plural(answer: NearestAnswer, lang: str = "sv") -> str:
    """ "PostNord-ombud", "Instabox paketskåp" or "Bring-ombud och paketskåp"
    ("PostNord parcel points", "Instabox parcel lockers", "Bring parcel
    points and lockers")."""
    cid = answer.carrier or ""
    name = carrier_name(cid)
    kinds = {
        c.kind for hit in answer.results for c in carriers_of(hit.point) if c.id == cid
    }
    if kinds == {KIND_LOCKER}:
        return say("carrier_lockers_plural", lang, carrier=name)
    if KIND_LOCKER in kinds:
        return say("carrier_both_plural", lang, carrier=name)
    return say("carrier_ombud_plural", lang, carrier=name)


def _no_carrier_answer(answer: NearestAnswer, origin: Origin, lang: str) -> str:
    """No point of the asked carrier: say so, and where the carrier's own list is."""
    cid = answer.carrier or ""
    name = carrier_name(cid)
    found = load_carriers().get(cid)
    where = found.finder_in(lang) if found else ""
    finder = say("carrier_finder", lang, finder=where) if where else ""
    if answer.has_data:
        return say(
            "no_more_for_carrier",
            lang,
            carrier=name,
            origin=_from(origin, lang),
            finder=finder,
        )
    return say("no_data_for_carrier", lang, carrier=name, finder=finder)


def _nothing_answer(
    answer: NearestAnswer,
    origin: Origin,
    service_type: ServiceType,
    related_types: dict[str, ServiceType],
    moment: datetime.datetime,
    lang: str,
) -> str:
    where = _from(origin, lang)
    if answer.has_data:
        first = say("no_more_near", lang, plural=service_type.display_plural(lang), origin=where)
    else:
        first = say("no_data_for_type", lang, plural=service_type.display_plural(lang))
    lines = [first]
    shown: list[ServicePoint] = []
    for category, hits in answer.related:
        related = related_types.get(category)
        if related is None or not hits:
            continue
        lines.append(say("related_heading", lang, name=related.display_name(lang), origin=where))
        lines += [
            _line(i + 1, hit, moment, lang, category, related_types)
            for i, hit in enumerate(hits)
        ]
        shown += [hit.point for hit in hits]
    if shown:
        lines.append(freshness(shown, [c for c, _h in answer.related], lang))
    return "\n".join(lines)


def locality_answer(
    place_name: str,
    points: Sequence[ServicePoint],
    service_types: dict[str, ServiceType],
    lang: str = "sv",
) -> str:
    """The answer to "vad finns i Kyrkhult?": the points of an ort by type."""
    if not points:
        return say("locality_empty", lang, place=place_name)
    lines = [say("locality_heading", lang, place=place_name)]
    for type_id, service_type in service_types.items():
        names = [
            _listed_name(p, type_id, lang) for p in points if type_id in p.categories
        ]
        if names:
            lines.append(
                say(
                    "locality_line",
                    lang,
                    plural=service_type.display_plural(lang).capitalize(),
                    names=join_words(sorted(set(names)), lang),
                )
            )
    every = sorted({c for p in points for c in p.categories})
    lines.append(freshness(points, every, lang))
    return "\n".join(lines)


def _listed_name(point: ServicePoint, category: str, lang: str = "sv") -> str:
    """A point in "vad finns i …": parcel points with their carriers."""
    if category == "paketombud":
        if is_locker(point):
            return f"{display_name(point, lang)} ({point_address(point)})"
        names = carrier_names(point, lang)
        return f"{point.name} ({names})" if names else point.name
    return display_name(point, lang)


def hours_answer(
    point: ServicePoint,
    when: When,
    at: datetime.datetime | None = None,
    lang: str = "sv",
) -> str:
    """The answer to "har Coop i Mjällby öppet på söndag?"."""
    moment = to_local(at)
    named = {"name": point.name, "address": point_address(point)}
    fresh = freshness([point], lang=lang)
    if not point.opening_hours:
        text = (
            say("hours_unknown", lang, **named)
            + (say("hours_call", lang, phone=point.phone) if point.phone else "")
            + (
                say("hours_website", lang, website=point.website)
                if point.website
                else ""
            )
        )
        return f"{text}\n{fresh}"
    hours = parse_opening_hours(point.opening_hours)
    if when.now:
        first = say("hours_now", lang, status=hours.status_text(moment, lang), **named)
        detail = say("hours_now_detail", lang, today=hours.today_text(moment, lang))
        return f"{first} {detail}\n{fresh}"
    day = hours.day_hours(when.day)
    label = when.label_in(lang)
    if not (day.is_open or day.unknown or day.comments):  # plain "stängt"
        first = say("hours_closed_on", lang, day=label, **named)
    else:
        first = say("hours_open_on", lang, day=label, hours=day.text_in(lang), **named)
    return f"{first}\n{fresh}"


def map_url(lat: float, lon: float) -> str:
    """A plain OpenStreetMap link to a point (no tiles are loaded by us)."""
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=16/{lat:.5f}/{lon:.5f}"


def places_payload(
    hits: Sequence[Nearby],
    *,
    first_number: int = 1,
    at: datetime.datetime | None = None,
    lang: str = "sv",
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
                "name": display_name(p, lang),
                "address": point_address(p),
                "distance": format_distance_km(hit.distance_km, lang),
                "road_estimate": format_distance_km(hit.road_estimate_km, lang),
                "today": hours.today_text(moment, lang) if hours else None,
                "status": hours.status_text(moment, lang) if hours else None,
                "open_now": hours.is_open(moment) if hours else None,
                "phone": p.phone,
                "website": p.website,
                "map_url": map_url(p.lat, p.lon),
                "carriers": parcel_label(p, lang=lang) or None,
                "also": (also_here(p, category, lang=lang) if category else "") or None,
            }
        )
    return {
        "type": "places",
        "places": places,
        "freshness": freshness(
            [hit.point for hit in hits], category, lang, carrier=carrier
        ),
    }
