"""The bot's answers about places, in plain Swedish (klarspråk).

Short sentences, distances as "1,2 km", hours as "8–21", and every answer
that names a place ends with how fresh the information is and how to check
it (data policy 2). The actions send these texts as they are. The sentences
themselves are in `data/lang/messages.yml` (`bot.messages`); `lang` chooses
their language ("sv" when a text has no other).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from bot.index import Nearby, NearestAnswer
from bot.lang import english
from bot.lotsen import PAGE_SIZE, Origin
from bot.messages import say
from bot.opening_hours import parse_opening_hours, to_local
from bot.phrasing import SWEDISH_MONTHS, join_swedish
from bot.registry import ServicePoint
from bot.service_types import ServiceType
from bot.when import When

__all__ = [
    "PAGE_SIZE",
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
    categories: Sequence[str] = (),
    lang: str = "sv",
) -> str:
    """How old the named places' information is, and how to check it.

    "Uppgifterna är från februari 2023 (källa: kedjans butikssök). Ring gärna
    och fråga innan du åker." With `categories`, each point's date and source
    are those of the asked category (a shop's apoteksombud from 2025, its
    parcel agent from 2021), else the point's own.
    """
    if not points:
        return ""
    facts = set()
    for p in points:
        asked = [p.source_for(c) for c in categories if c in p.categories]
        facts |= {(e.source_date, e.source) for e in asked} or {
            (p.source_date, p.source)
        }
    # Each source with its own dates: "från februari 2023 till juli 2025
    # (källa: kedjans butikssök (insamlat 2023) och Pipos)" read as if the
    # 2023 collection ran until 2025.
    by_source: dict[str, list[datetime.date]] = {}
    for day, source in facts:
        by_source.setdefault(source, []).append(day)
    parts = []
    for source, dates in sorted(
        by_source.items(), key=lambda item: (min(item[1]), item[0])
    ):
        first, last = _month(min(dates), lang), _month(max(dates), lang)
        age = (
            first if first == last else say("month_span", lang, first=first, last=last)
        )
        parts.append((age, source))
    if len(parts) == 1:
        return say("freshness", lang, age=parts[0][0], sources=parts[0][1])
    return say(
        "freshness_sources",
        lang,
        parts=join_swedish(
            [say("freshness_part", lang, age=age, source=src) for age, src in parts]
        ),
    )


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
        "hours_today", lang, today=hours.today_text(at), status=hours.status_text(at)
    )


def _contact(point: ServicePoint, lang: str) -> str:
    if point.phone:
        return say("place_phone", lang, phone=point.phone)
    return ""


def _line(number: int, hit: Nearby, at: datetime.datetime, lang: str) -> str:
    p = hit.point
    return say(
        "place_line",
        lang,
        number=number,
        name=p.name,
        address=point_address(p),
        distance=hit.distance_text,
        road=hit.road_estimate_text,
        hours=_hours_today(p, at, lang),
        contact=_contact(p, lang),
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
    if not answer.results:
        return _nothing_answer(
            answer, origin, service_type, related_types, moment, lang
        )
    heading = say(
        "nearest_heading" if offset == 0 else "more_heading",
        lang,
        plural=service_type.display_plural(lang),
        origin=_from(origin, lang),
    )
    lines = [heading]
    lines += [
        _line(offset + i + 1, hit, moment, lang) for i, hit in enumerate(answer.results)
    ]
    lines.append(say("distances_note", lang))
    if origin.place is not None and origin.place.position_note:
        # a village geocoded from OpenStreetMap, not surveyed (data-policy)
        lines.append(
            say(
                "approximate_origin",
                lang,
                place=origin.place.name,
                note=origin.place.position_note,
            )
        )
    lines.append(
        freshness([hit.point for hit in answer.results], (service_type.id,), lang)
    )
    if more_available:
        lines.append(say("show_more", lang))
    return "\n".join(lines)


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
        lines += [_line(i + 1, hit, moment, lang) for i, hit in enumerate(hits)]
        shown += [hit.point for hit in hits]
    if shown:
        lines.append(freshness(shown, lang=lang))
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
        names = [p.name for p in points if type_id in p.categories]
        if names:
            lines.append(
                say(
                    "locality_line",
                    lang,
                    plural=service_type.display_plural(lang).capitalize(),
                    names=join_swedish(sorted(set(names))),
                )
            )
    lines.append(freshness(points, lang=lang))
    return "\n".join(lines)


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
        first = say("hours_now", lang, status=hours.status_text(moment), **named)
        detail = say("hours_now_detail", lang, today=hours.today_text(moment))
        return f"{first} {detail}\n{fresh}"
    day_text = hours.hours_text(when.day)
    if day_text == "stängt":
        first = say("hours_closed_on", lang, day=when.label, **named)
    else:
        first = say("hours_open_on", lang, day=when.label, hours=day_text, **named)
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
                "name": p.name,
                "address": point_address(p),
                "distance": hit.distance_text,
                "road_estimate": hit.road_estimate_text,
                "today": hours.today_text(moment) if hours else None,
                "status": hours.status_text(moment) if hours else None,
                "open_now": hours.is_open(moment) if hours else None,
                "phone": p.phone,
                "website": p.website,
                "map_url": map_url(p.lat, p.lon),
            }
        )
    return {
        "type": "places",
        "places": places,
        "freshness": freshness([hit.point for hit in hits], lang=lang),
    }
