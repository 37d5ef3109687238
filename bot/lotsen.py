"""The questions a conversation asks of the library, in one place.

`Lotsen` ties the gazetteer, the registry and its index together, so the
actions stay thin: "where is the resident?", "what is nearest?", "what is
there in this ort?", "which point does this name mean?". It knows nothing of
Rasa; its answers are plain data that `bot.answers` turns into Swedish.
"""

from __future__ import annotations

import datetime
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from bot.gazetteer import KIND_TATORT, Gazetteer, Municipality, Place, Resolution
from bot.geo import in_sweden
from bot.index import Nearby, NearestAnswer, ServiceIndex
from bot.messages import say
from bot.outcome import Kind
from bot.registry import Registry, ServicePoint, load_registry
from bot.service_types import ServiceType, closest_service_type, load_service_types

__all__ = [
    "PAGE_SIZE",
    "SERVICE_AREA_KM",
    "Lotsen",
    "Origin",
    "Page",
    "PlaceProblem",
    "PositionProblem",
    "get_lotsen",
    "kommun_name",
    "municipality_label",
    "municipality_question",
    "place_without_position_text",
    "reload_lotsen",
]

logger = logging.getLogger(__name__)

#: How many places one answer lists ("visa fler" shows the next as many).
PAGE_SIZE = 3

#: A shared position farther than this from every place we know is outside
#: the area we have data for (Blekinge and its border villages).
SERVICE_AREA_KM = 30.0


@dataclass(frozen=True)
class Origin:
    """Where a search starts: a named place or a shared position.

    Attributes:
        lat, lon: WGS84 degrees.
        label: how the bot names it: "Jämjö" or "din position".
        municipality: the kommun ("Ronneby"), when known.
        place: the place, for a named origin.
    """

    lat: float
    lon: float
    label: str
    municipality: str | None = None
    place: Place | None = None

    @property
    def is_position(self) -> bool:
        return self.place is None


@dataclass(frozen=True)
class Page:
    """One page of a search: what to list, numbered from `offset + 1`.

    Attributes:
        answer: the index's answer, cut to the page (`results` are shown).
        offset: how many were shown before.
        more: whether "visa fler" has more to show.
    """

    answer: NearestAnswer
    offset: int
    more: bool

    @property
    def shown(self) -> tuple[Nearby, ...]:
        return self.answer.results

    @property
    def listed(self) -> list[Nearby]:
        """The places the answer names: the page, else the related ones."""
        if self.shown:
            return list(self.shown)
        return [hit for _category, hits in self.answer.related for hit in hits]

    @property
    def first_number(self) -> int:
        """The number of the first place listed."""
        return self.offset + 1 if self.shown else 1

    @property
    def kind(self) -> Kind:
        """The answer's outcome kind."""
        if self.shown:
            return Kind.FOUND
        return Kind.NONE_WITHIN_LIMIT if self.answer.has_data else Kind.NO_DATA

    @property
    def distance_km(self) -> float | None:
        """How far the first place of the page is."""
        return self.shown[0].distance_km if self.shown else None


class PositionProblem(ValueError):
    """A shared position that cannot be used; `reason` is "invalid" or "outside"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PlaceProblem:
    """Why a place name cannot be searched from (the resident is told).

    Attributes:
        reason: "unknown", "outside_area", "ambiguous" (ask among
            `candidates`), "no_position" (a known `place` without coordinates)
            or "municipality" (a whole kommun: ask where in it; `candidates`
            are its tätorter, the largest first).
        text: the name as the resident wrote it.
        candidates: the places to choose from, for "ambiguous" and "municipality".
        place: the place, for "no_position".
        municipality: the kommun, for "municipality".
    """

    reason: str
    text: str
    candidates: tuple[Place, ...] = ()
    place: Place | None = None
    municipality: Municipality | None = None

    @property
    def kind(self) -> Kind:
        """The answer's outcome kind."""
        if self.reason == "outside_area":
            return Kind.OUTSIDE_AREA
        if self.reason == "unknown":
            return Kind.UNKNOWN_PLACE
        return Kind.ASKED


class Lotsen:
    """Gazetteer + registry + index, loaded once per process."""

    def __init__(self, registry: Registry, gazetteer: Gazetteer) -> None:
        self.registry = registry
        self.gazetteer = gazetteer
        self.index = ServiceIndex(registry)
        self.service_types: dict[str, ServiceType] = load_service_types()
        self._places_by_id = {p.id: p for p in gazetteer.places}

    @classmethod
    def load(
        cls, registry_path: str | Path | None = None, gazetteer_path: Path | None = None
    ) -> Lotsen:
        """Load the registry (env `SERVICELOTSEN_REGISTRY`) and the gazetteer.

        Raises:
            RegistryError: the registry is missing or unreadable.
            GazetteerError: the gazetteer is missing or malformed.
        """
        registry = load_registry(registry_path)
        for rejected in registry.rejected:
            logger.warning(
                "registry record %s left out: %s (%s)",
                rejected.id,
                rejected.reason,
                rejected.source_file,
            )
        return cls(registry, Gazetteer.load(gazetteer_path))

    # ------------------------------------------------------------ places

    def resolve(self, text: str) -> Resolution:
        """A place name as a resident wrote it (see `Gazetteer.resolve`)."""
        return self.gazetteer.resolve(text)

    def place_for(self, text: str) -> Place | PlaceProblem:
        """The place a resident's words name, with coordinates; or why not.

        A kommun named as such ("Ronneby kommun") is the whole kommun, not its
        town: the problem "municipality" asks where in it.
        """
        municipality = self.gazetteer.municipality(text)
        if municipality is not None:
            towns = sorted(
                (
                    p
                    for p in self.gazetteer.in_municipality(municipality)
                    if p.kind == KIND_TATORT and p.has_coordinates
                ),
                key=lambda p: (-len(p.postcodes), p.name),
            )
            return PlaceProblem(
                "municipality", text, tuple(towns), municipality=municipality
            )
        resolution = self.resolve(text)
        if resolution.found and resolution.place is not None:
            place = resolution.place
            if place.lat is None or place.lon is None:
                return PlaceProblem("no_position", text, place=place)
            return place
        if resolution.ambiguous:
            return PlaceProblem("ambiguous", text, candidates=resolution.candidates)
        if resolution.reason == "outside_area":
            return PlaceProblem("outside_area", text)
        return PlaceProblem("unknown", text)

    def place_by_id(self, place_id: str) -> Place | None:
        return self._places_by_id.get(place_id)

    def origin_for_place(self, place: Place) -> Origin | None:
        """The origin of a named place; None if the place has no position."""
        if place.lat is None or place.lon is None:
            return None
        return Origin(place.lat, place.lon, place.name, place.municipality, place)

    def origin_for_position(self, lat: object, lon: object) -> Origin:
        """Check a shared position and describe it.

        Raises:
            PositionProblem: not numbers, out of range, or outside our area.
        """
        try:
            lat_f = float(lat)  # type: ignore[arg-type]
            lon_f = float(lon)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise PositionProblem("invalid") from None
        if not (-90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0):
            raise PositionProblem("invalid")
        if lat_f != lat_f or lon_f != lon_f:  # NaN
            raise PositionProblem("invalid")
        near = self.gazetteer.nearest_place(lat_f, lon_f, max_km=SERVICE_AREA_KM)
        if not in_sweden(lat_f, lon_f) or near is None:
            raise PositionProblem("outside")
        return Origin(lat_f, lon_f, "din position", near.municipality, None)

    # ------------------------------------------------------------ services

    def service_type(self, word: str | None) -> str | None:
        """A resident's word for a service ("affär", "apotek") as a category id."""
        if not word:
            return None
        if word in self.service_types:
            return word
        return closest_service_type(word)

    def nearest(
        self,
        category: str,
        origin: Origin,
        k: int = 3,
        offset: int = 0,
        at: datetime.datetime | None = None,
        carrier: str | None = None,
    ) -> NearestAnswer:
        """The nearest points of a category from an origin, with related ones
        when there are none (apoteksombud -> apotek).

        With a `carrier` ("postnord"), only parcel points of that carrier;
        none of that carrier gives an empty answer (never another carrier's).
        """
        if carrier is not None:
            results = self.index.nearest(
                origin.lat, origin.lon, category, k, offset=offset, carrier=carrier
            )
            has_data = carrier in self.index.carriers_with_data()
            return NearestAnswer(category, tuple(results), has_data, carrier=carrier)
        if offset == 0:
            return self.index.nearest_with_related(origin.lat, origin.lon, category, k)
        results = self.index.nearest(origin.lat, origin.lon, category, k, offset=offset)
        return NearestAnswer(category, tuple(results), self.index.count(category) > 0)

    def in_municipality(self, municipality: Municipality) -> list[ServicePoint]:
        """Every point in a whole kommun ("Ronneby kommun"), by name."""
        return sorted(
            (p for p in self.registry.points if p.municipality == municipality.short),
            key=lambda p: (p.locality or "", p.name),
        )

    def page(
        self,
        category: str,
        origin: Origin,
        offset: int = 0,
        size: int = PAGE_SIZE,
        at: datetime.datetime | None = None,
        carrier: str | None = None,
    ) -> Page:
        """One page of the nearest points: the first (with related types when
        there are none), or the next after `offset` for "visa fler"; with a
        `carrier`, only that carrier's parcel points."""
        answer = self.nearest(
            category, origin, k=size + 1, offset=offset, at=at, carrier=carrier
        )
        shown = answer.results[:size]
        page = replace(answer, results=shown)
        return Page(page, offset, more=len(answer.results) > size)

    def has_more(
        self, category: str, origin: Origin, offset: int, carrier: str | None = None
    ) -> bool:
        """Whether a search has points after the first `offset`."""
        found = self.nearest(category, origin, k=1, offset=offset, carrier=carrier)
        return bool(found.results)

    def search_origin(
        self, place_id: object, fallback: Origin | None
    ) -> Origin | None:
        """Where an earlier search started: its place, else `fallback` (the
        conversation's position, for a search from a shared position)."""
        if place_id:
            place = self.place_by_id(str(place_id))
            return self.origin_for_place(place) if place is not None else None
        return fallback

    def municipality_for(
        self, text: str | None, origin: Origin | None
    ) -> str | PlaceProblem | None:
        """The kommun of a place the resident named, else of `origin`.

        A name that cannot be used gives its `PlaceProblem`; None when
        neither says a kommun.
        """
        if text:
            place = self.place_for(text)
            if isinstance(place, PlaceProblem):
                if place.municipality is not None:  # "Ronneby kommun" itself
                    return place.municipality.short
                return place
            return place.municipality or None
        if origin is not None and origin.municipality:
            return origin.municipality
        return None

    def in_locality(self, place: Place) -> list[ServicePoint]:
        """Every point in an ort, by the registry's ort names."""
        names = {place.name, *place.aliases}
        found: dict[str, ServicePoint] = {}
        for name in names:
            for point in self.index.in_locality(name):
                found[point.id] = point
        return sorted(found.values(), key=lambda p: p.name)

    def point_by_name(
        self, name: str, place: Place | None = None, category: str | None = None
    ) -> list[ServicePoint]:
        """Points a name means ("Coop", "ICA Nära Jämjö"), best first.

        With a place, the place's name joins the query ("Coop" + "Mjällby").
        Returns one point when the name is clear, several when it is not.
        """
        query = f"{name} {place.name}" if place is not None else name
        matches = self.index.find_by_name(query, categories=category, limit=5)
        if not matches:
            return []
        top = matches[0].score
        return [m.point for m in matches if m.score >= top - 1.0]

    def points_named(self, name: str, place: Place | None) -> list[ServicePoint]:
        """The points a name means, near the place if it has one there,
        anywhere otherwise ("Coop" in Mjällby; "Coop Rödeby" asked from Jämjö).
        One point: the name is clear; several: ask which one; none: unknown."""
        matches = self.point_by_name(name, place, None)
        if not matches and place is not None:
            matches = self.point_by_name(name, None, None)
        return matches

    def nearest_point(self, category: str, origin: Origin) -> Nearby | None:
        """The nearest point of a type, or None when there is none."""
        found = self.index.nearest(origin.lat, origin.lon, category, 1)
        return found[0] if found else None


def place_without_position_text(place: Place, lang: str = "sv") -> str:
    """What to say about a place we know by name but cannot place (Tjurkö).

    Moves the resident on: share the position, or name the nearest village,
    or ask for the whole kommun. Never a postcode (Tjurkö's own postcode has no
    position either) and never an invented position.
    """
    return say(
        "place_without_position",
        lang,
        place=place.name,
        kommun=municipality_label(place, lang),
    )


def municipality_label(place: Place, lang: str = "sv", *, county: bool = False) -> str:
    """How an answer names a place's kommun: its official Swedish name
    ("Karlshamns kommun") in Swedish, else `municipality_name` from
    data/lang/messages.yml ("Karlshamn municipality"); with `county` also
    the county in English ("Tingsryd municipality (Kronoberg)")."""
    if lang == "sv":
        return place.municipality_name
    if county and place.county:
        return say(
            "municipality_in_county", lang, name=place.municipality, county=place.county
        )
    return say("municipality_name", lang, name=place.municipality)


def municipality_question(
    municipality: Municipality, places: list[str], lang: str = "sv"
) -> str:
    """The answer to a whole kommun where a starting point is needed."""
    return say(
        "municipality_question",
        lang,
        kommun=kommun_name(municipality, lang),
        examples=", ".join(places[:6]),
    )


def kommun_name(municipality: Municipality, lang: str = "sv") -> str:
    """A kommun named as such: "Ronneby kommun", "Ronneby municipality"."""
    if lang == "sv":
        return municipality.name
    return say("municipality_name", lang, name=municipality.short)


_lock = threading.Lock()
_lotsen: Lotsen | None = None


def get_lotsen() -> Lotsen:
    """The process-wide `Lotsen`, loaded on first use (not at import).

    Raises:
        RegistryError, GazetteerError: see `Lotsen.load`; the next call tries
        again, so a registry that comes back is picked up without a restart.
    """
    global _lotsen
    if _lotsen is None:
        with _lock:
            if _lotsen is None:
                _lotsen = Lotsen.load()
    return _lotsen


def reload_lotsen() -> Lotsen:
    """Load the registry and gazetteer again (after editors published data)."""
    global _lotsen
    fresh = Lotsen.load()
    with _lock:
        _lotsen = fresh
    return fresh
