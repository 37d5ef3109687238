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
from dataclasses import dataclass
from pathlib import Path

from bot.gazetteer import Gazetteer, Place, Resolution
from bot.geo import in_sweden
from bot.index import NearestAnswer, ServiceIndex
from bot.outcome import Kind
from bot.registry import Registry, ServicePoint, load_registry
from bot.service_types import ServiceType, closest_service_type, load_service_types

__all__ = [
    "SERVICE_AREA_KM",
    "Lotsen",
    "Origin",
    "PlaceProblem",
    "PositionProblem",
    "get_lotsen",
    "reload_lotsen",
]

logger = logging.getLogger(__name__)

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
            `candidates`) or "no_position" (a known `place` without coordinates).
        text: the name as the resident wrote it.
        candidates: the places to choose from, for "ambiguous".
        place: the place, for "no_position".
    """

    reason: str
    text: str
    candidates: tuple[Place, ...] = ()
    place: Place | None = None

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
        """The place a resident's words name, with coordinates; or why not."""
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
    ) -> NearestAnswer:
        """The nearest points of a category from an origin, with related ones
        when there are none (apoteksombud -> apotek)."""
        if offset == 0:
            return self.index.nearest_with_related(origin.lat, origin.lon, category, k)
        results = self.index.nearest(origin.lat, origin.lon, category, k, offset=offset)
        return NearestAnswer(category, tuple(results), self.index.count(category) > 0)

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
