"""The bot's answers about places, in plain Swedish (klarspråk).

Short sentences, distances as "1,2 km", hours as "8–21", and every answer
that names a place ends with how fresh the information is and how to check
it (data policy 2). The actions send these texts as they are.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from bot.index import Nearby, NearestAnswer
from bot.lotsen import Origin
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

#: How many places one answer lists ("visa fler" shows the next as many).
PAGE_SIZE = 3



def _month(day: datetime.date) -> str:
    return f"{SWEDISH_MONTHS[day.month - 1]} {day.year}"


def freshness(points: Sequence[ServicePoint]) -> str:
    """How old the named places' information is, and how to check it.

    "Uppgifterna är från februari 2023 (källa: kedjans butikssök). Ring gärna
    och fråga innan du åker."
    """
    if not points:
        return ""
    # Each source with its own dates: "från februari 2023 till juli 2025
    # (källa: kedjans butikssök (insamlat 2023) och Pipos)" read as if the
    # 2023 collection ran until 2025.
    by_source: dict[str, list[datetime.date]] = {}
    for p in points:
        by_source.setdefault(p.source, []).append(p.source_date)
    parts = []
    for source, dates in sorted(
        by_source.items(), key=lambda item: (min(item[1]), item[0])
    ):
        first, last = _month(min(dates)), _month(max(dates))
        age = first if first == last else f"{first} till {last}"
        parts.append(f"{age} (källa: {source})")
    return (
        f"Uppgifterna är från {join_swedish(parts)}. "
        "De kan ha ändrats: ring gärna och fråga innan du åker."
    )


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


def _line(number: int, hit: Nearby, at: datetime.datetime) -> str:
    p = hit.point
    return (
        f"{number}. {p.name}, {point_address(p)}: {hit.distance_text} "
        f"(cirka {hit.road_estimate_text} på väg). {_hours_today(p, at)}{_contact(p)}"
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
    if not answer.results:
        return _nothing_answer(answer, origin, service_type, related_types, moment)
    heading = (
        f"Närmaste {service_type.plural} från {_from(origin)}:"
        if offset == 0
        else f"Fler {service_type.plural} från {_from(origin)}:"
    )
    lines = [heading]
    lines += [
        _line(offset + i + 1, hit, moment) for i, hit in enumerate(answer.results)
    ]
    lines.append("Avstånden är fågelvägen; vägen är en uppskattning.")
    if origin.place is not None and origin.place.position_note:
        # a village geocoded from OpenStreetMap, not surveyed (data-policy)
        lines.append(
            f"Jag vet bara ungefär var {origin.place.name} ligger "
            f"({origin.place.position_note}), så avstånden är ungefärliga."
        )
    lines.append(freshness([hit.point for hit in answer.results]))
    if more_available:
        lines.append('Skriv "visa fler" om du vill se fler.')
    return "\n".join(lines)


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
        lines += [_line(i + 1, hit, moment) for i, hit in enumerate(hits)]
        shown += [hit.point for hit in hits]
    if shown:
        lines.append(freshness(shown))
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
        names = [p.name for p in points if type_id in p.categories]
        if names:
            lines.append(
                f"- {service_type.plural.capitalize()}: {join_swedish(sorted(set(names)))}"
            )
    lines.append(freshness(points))
    return "\n".join(lines)


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
        "freshness": freshness([hit.point for hit in hits]),
    }
