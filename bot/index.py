"""Finding service points: nearest by category, by place, by name.

Nearest-neighbour search must stay fast when a region (or the whole country)
is loaded, so it never scans every point: each category gets its own
`scipy.spatial.cKDTree` over points on the unit sphere (3-D x, y, z). On the
sphere the straight-line (chord) distance grows monotonically with the
great-circle distance, so the tree's k nearest by chord are exactly the k
nearest on the Earth, without any projection error near the poles or across
UTM zones. Reported distances are then computed with haversine.

Name and place lookups use small dictionaries and `rapidfuzz`, so residents
can write "ica jämjö" or "Coop Rödeby" without the exact shop name.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from scipy.spatial import cKDTree

from bot.carriers import carriers_of
from bot.errors import UnknownCategory
from bot.geo import EARTH_RADIUS_KM, format_distance_km, haversine_km, road_estimate_km
from bot.opening_hours import State, parse_opening_hours, to_local
from bot.registry import Registry, ServicePoint
from bot.service_types import ServiceType, load_service_types
from bot.text import fold

__all__ = [
    "NameMatch",
    "Nearby",
    "NearestAnswer",
    "ServiceIndex",
    "UnknownCategory",
    "unit_vectors",
]

#: Words residents put around a name that are not part of it.
_FILLER_WORDS = frozenset({"i", "pa", "vid", "ute", "borta"})
#: A query word counts as matching a name word from this similarity (0-100);
#: 60 lets "ika" meet "ica" but not "coop" meet "ica".
_WORD_CUTOFF = 60.0

#: Extra equally-good name hits ranked by closeness before cutting to `limit`.
_NAME_TIE_POOL = 50

#: First batch size when filtering by "open now"; doubled until enough are open.
_OPEN_FILTER_FIRST_K = 16


@dataclass(frozen=True, slots=True)
class Nearby:
    """One search hit.

    Attributes:
        point: the service point.
        distance_km: as the crow flies (haversine).
        road_estimate_km: an ESTIMATE of the road distance (see
            `bot.geo.ROAD_DETOUR_FACTOR`), never a routed distance.
        state: open/closed/unknown at the asked time, if a time was asked.
    """

    point: ServicePoint
    distance_km: float
    road_estimate_km: float
    state: State | None = None

    @property
    def distance_text(self) -> str:
        """Crow-flies distance in Swedish ("1,2 km")."""
        return format_distance_km(self.distance_km)

    @property
    def road_estimate_text(self) -> str:
        """Estimated road distance in Swedish ("1,6 km"); say it is an estimate."""
        return format_distance_km(self.road_estimate_km)


@dataclass(frozen=True)
class NearestAnswer:
    """Nearest points of one category, with related ones when there are none.

    Attributes:
        category: the asked category id.
        results: nearest points of that category (may be empty).
        has_data: the registry holds any point of this category at all; when
            False the bot must say it has no information (data policy 3).
        related: when `results` is empty: (category, results) for each related
            category in `service_types.yml` order (apoteksombud -> apotek).
        carrier: the carrier id the search was limited to ("postnord"), if
            any; `has_data` then says whether that carrier has any point.
    """

    category: str
    results: tuple[Nearby, ...]
    has_data: bool
    related: tuple[tuple[str, tuple[Nearby, ...]], ...] = ()
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A point found by name, with rapidfuzz's score (0-100)."""

    point: ServicePoint
    score: float


def unit_vectors(
    lat: NDArray[np.float64] | Sequence[float],
    lon: NDArray[np.float64] | Sequence[float],
) -> NDArray[np.float64]:
    """Lat/lon in degrees to points on the unit sphere, shape (n, 3)."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lmb = np.radians(np.asarray(lon, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lmb), cos_phi * np.sin(lmb), np.sin(phi)))


def _chord_for_km(km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance in km."""
    angle = min(km / EARTH_RADIUS_KM, math.pi)
    return 2.0 * math.sin(angle / 2.0)


class _CategoryTree:
    """One category's KD-tree and the positions of its points."""

    __slots__ = ("indices", "tree")

    def __init__(self, indices: NDArray[np.intp], xyz: NDArray[np.float64]) -> None:
        self.indices = indices
        self.tree = cKDTree(xyz[indices], balanced_tree=False, compact_nodes=False)

    def __len__(self) -> int:
        return len(self.indices)

    def query(
        self, target: NDArray[np.float64], k: int, max_chord: float
    ) -> list[tuple[float, int]]:
        """(chord, point index) for up to k nearest within max_chord."""
        k = min(k, len(self.indices))
        if k <= 0:
            return []
        dist, pos = self.tree.query(target, k=k, distance_upper_bound=max_chord)
        dist = np.atleast_1d(dist)
        pos = np.atleast_1d(pos)
        found = np.isfinite(dist)
        return [
            (float(d), int(self.indices[p]))
            for d, p in zip(dist[found], pos[found], strict=True)
        ]


class ServiceIndex:
    """Search structure over one registry; build once, query many times.

    Args:
        points: a `Registry` or any iterable of `ServicePoint`s.
        service_types: category definitions (default: `data/service_types.yml`).
    """

    def __init__(
        self,
        points: Registry | Iterable[ServicePoint],
        service_types: Mapping[str, ServiceType] | None = None,
    ) -> None:
        source = points.points if isinstance(points, Registry) else points
        self.points: tuple[ServicePoint, ...] = tuple(source)
        self.service_types: dict[str, ServiceType] = dict(
            service_types if service_types is not None else load_service_types()
        )
        n = len(self.points)
        lat = np.fromiter((p.lat for p in self.points), dtype=np.float64, count=n)
        lon = np.fromiter((p.lon for p in self.points), dtype=np.float64, count=n)
        xyz = unit_vectors(lat, lon) if n else np.empty((0, 3))

        members: dict[str, list[int]] = {}
        by_carrier: dict[str, list[int]] = {}
        self._by_locality: dict[str, list[int]] = {}
        self._by_municipality: dict[str, list[int]] = {}
        # name words -> points, for find_by_name (words of the name and ort)
        postings: dict[str, list[int]] = {}
        folded: dict[str, str] = {}  # ort/kommun names repeat: fold each once

        def loose_once(text: str) -> str:
            found = folded.get(text)
            if found is None:
                found = folded[text] = fold(text)
            return found

        for i, p in enumerate(self.points):
            for c in p.categories:
                members.setdefault(c, []).append(i)
            for carrier in carriers_of(p):
                by_carrier.setdefault(carrier.id, []).append(i)
            locality = loose_once(p.locality)
            self._by_locality.setdefault(locality, []).append(i)
            self._by_municipality.setdefault(loose_once(p.municipality), []).append(i)
            for word in dict.fromkeys(f"{fold(p.name)} {locality}".split()):
                postings.setdefault(word, []).append(i)
        self._trees: dict[str, _CategoryTree] = {
            c: _CategoryTree(np.asarray(idx, dtype=np.intp), xyz)
            for c, idx in members.items()
        }
        #: parcel points per carrier id ("postnord"), for "PostNord-ombud i …"
        self._carrier_trees: dict[str, _CategoryTree] = {
            c: _CategoryTree(np.asarray(idx, dtype=np.intp), xyz)
            for c, idx in by_carrier.items()
        }
        self._vocabulary: list[str] = list(postings)
        self._postings: dict[str, NDArray[np.intp]] = {
            w: np.asarray(rows, dtype=np.intp) for w, rows in postings.items()
        }

    def __len__(self) -> int:
        return len(self.points)

    # ------------------------------------------------------------ categories

    def categories_with_data(self) -> set[str]:
        """Categories that have at least one point."""
        return set(self._trees)

    def carriers_with_data(self) -> set[str]:
        """Carrier ids that have at least one parcel point."""
        return set(self._carrier_trees)

    def count(self, category: str) -> int:
        """How many points a category has (0 for a known category without data)."""
        self._check(category)
        tree = self._trees.get(category)
        return len(tree) if tree else 0

    def related(self, category: str) -> tuple[str, ...]:
        """Categories to offer when `category` has nothing (service_types.yml)."""
        return self._check(category).related

    def _check(self, category: str) -> ServiceType:
        st = self.service_types.get(category)
        if st is None:
            raise UnknownCategory(f"unknown service category: {category!r}")
        return st

    # ------------------------------------------------------------ nearest

    def nearest(
        self,
        lat: float,
        lon: float,
        categories: str | Iterable[str],
        k: int = 5,
        *,
        radius_km: float | None = None,
        open_at: datetime.datetime | None = None,
        offset: int = 0,
        carrier: str | None = None,
    ) -> list[Nearby]:
        """The k nearest points of one or more categories, nearest first.

        Args:
            lat, lon: where the resident is (WGS84 degrees).
            categories: one category id or several (a point matching several
                is returned once).
            k: how many results.
            radius_km: only points within this crow-flies distance.
            open_at: only points whose opening hours say OPEN at this time
                (points without opening hours are left out); the state is
                then filled in on each result.
            offset: skip this many nearest (for "visa fler").
            carrier: only parcel points that serve this carrier id
                ("postnord"); the categories then only check the ids.

        Raises:
            UnknownCategory: a category id not in service_types.yml.
            ValueError: lat/lon is not a finite number.
        """
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError(f"position must be finite numbers, got {lat!r}, {lon!r}")
        cats = [categories] if isinstance(categories, str) else list(categories)
        for c in cats:
            self._check(c)
        if carrier is not None:
            found_tree = self._carrier_trees.get(carrier)
            trees = [found_tree] if found_tree is not None else []
        else:
            trees = [self._trees[c] for c in dict.fromkeys(cats) if c in self._trees]
        want = k + offset
        if want <= 0 or not trees:
            return []
        max_chord = math.inf if radius_km is None else _chord_for_km(radius_km)
        target = unit_vectors([lat], [lon])[0]
        at = None if open_at is None else to_local(open_at)

        batch = want if at is None else max(want * 2, _OPEN_FILTER_FIRST_K)
        while True:
            found: dict[int, float] = {}
            exhausted = True  # every tree gave all it has within the radius
            for tree in trees:
                rows = tree.query(target, batch, max_chord)
                if len(rows) == batch and batch < len(tree):
                    exhausted = False
                for chord, idx in rows:
                    found.setdefault(idx, chord)
            candidates = sorted(found.items(), key=lambda item: (item[1], item[0]))
            hits: list[tuple[int, State | None]] = []
            for idx, _chord in candidates:
                state = None if at is None else self._state(self.points[idx], at)
                if at is not None and state is not State.OPEN:
                    continue
                hits.append((idx, state))
                if len(hits) == want:
                    break
            if len(hits) >= want or at is None or exhausted:
                break
            batch *= 2  # open-now left too few: look further out
        return [self._result(idx, lat, lon, state) for idx, state in hits[offset:want]]

    def _state(self, p: ServicePoint, at: datetime.datetime) -> State:
        if p.opening_hours is None:
            return State.UNKNOWN
        return parse_opening_hours(p.opening_hours).state(at)

    def _result(self, idx: int, lat: float, lon: float, state: State | None) -> Nearby:
        p = self.points[idx]
        km = haversine_km(lat, lon, p.lat, p.lon)
        return Nearby(p, km, road_estimate_km(km), state)

    def nearest_with_related(
        self,
        lat: float,
        lon: float,
        category: str,
        k: int = 5,
        *,
        radius_km: float | None = None,
        open_at: datetime.datetime | None = None,
        related_k: int = 1,
    ) -> NearestAnswer:
        """Nearest of a category; if none, the nearest of its related ones.

        For "närmaste apoteksombud" where the registry has none (or none
        within the radius / open), the answer also names the nearest apotek,
        as `service_types.yml` lists it under `related`.

        Args:
            related_k: how many of each related category to include.
        """
        results = self.nearest(
            lat, lon, category, k, radius_km=radius_km, open_at=open_at
        )
        related: list[tuple[str, tuple[Nearby, ...]]] = []
        if not results:
            for rel in self.related(category):
                # the fallback ignores the radius: "nothing near, nearest is X"
                found = self.nearest(lat, lon, rel, related_k, open_at=open_at)
                if found:
                    related.append((rel, tuple(found)))
        return NearestAnswer(
            category=category,
            results=tuple(results),
            has_data=category in self._trees,
            related=tuple(related),
        )

    # ------------------------------------------------------------ places

    def in_locality(
        self, locality: str, categories: str | Iterable[str] | None = None
    ) -> list[ServicePoint]:
        """All points in an ort ("Jämjö", "jamjo"), by name, optionally filtered."""
        return self._filtered(self._by_locality.get(fold(locality), []), categories)

    def in_municipality(
        self, municipality: str, categories: str | Iterable[str] | None = None
    ) -> list[ServicePoint]:
        """All points in a kommun ("Ronneby", "ronneby kommun"), by name."""
        key = fold(municipality)
        key = key.removesuffix(" kommun").removesuffix("s")
        found = self._by_municipality.get(key) or self._by_municipality.get(key + "s")
        if found is None:
            found = self._by_municipality.get(fold(municipality), [])
        return self._filtered(found, categories)

    def localities(self) -> list[str]:
        """Every ort that has a point (as written in the registry), sorted."""
        return sorted({p.locality for p in self.points})

    def _filtered(
        self, indices: list[int], categories: str | Iterable[str] | None
    ) -> list[ServicePoint]:
        points = [self.points[i] for i in indices]
        if categories is not None:
            cats = {categories} if isinstance(categories, str) else set(categories)
            for c in cats:
                self._check(c)
            points = [p for p in points if cats.intersection(p.categories)]
        return sorted(points, key=lambda p: (fold(p.name, keep_accents=True), p.id))

    # ------------------------------------------------------------ names

    def find_by_name(
        self,
        query: str,
        *,
        categories: str | Iterable[str] | None = None,
        limit: int = 5,
        score_cutoff: float = 80.0,
    ) -> list[NameMatch]:
        """Points whose name (with its ort) matches a resident's wording.

        Every word the resident wrote must match some word of the point's
        name or ort: "Coop Rödeby" finds "Coop" in Rödeby, "ica jämjö" finds
        "ICA Nära" in Jämjö, "testapotk 2" survives the typo, but "Coop
        Jämjö" does not find the ICA there. The score is the mean over the
        query's words of the best word similarity (rapidfuzz ratio), so word
        order and extra words in the name do not matter. Looked up through a
        word index, not by scoring every point. Several hits with the same
        top score mean the bot should ask which one.
        """
        words = [w for w in fold(query).split() if w not in _FILLER_WORDS]
        if not words:
            return []
        allowed: set[str] | None = None
        if categories is not None:
            allowed = {categories} if isinstance(categories, str) else set(categories)
            for c in allowed:
                self._check(c)
        # Sum over query words of each point's best word score, vectorised
        # over the postings (a dict per candidate is ~50x slower at 10^6).
        total = np.zeros(len(self.points), dtype=np.float32)
        for word in words:
            best = np.zeros(len(self.points), dtype=np.float32)
            for vocab_word, score, _pos in process.extract(
                word,
                self._vocabulary,
                scorer=fuzz.ratio,
                processor=None,
                limit=None,
                score_cutoff=_WORD_CUTOFF,
            ):
                rows = self._postings[vocab_word]
                best[rows] = np.maximum(best[rows], score)
            total += best
        mean = total / len(words)
        candidates = np.flatnonzero(mean >= score_cutoff - 1e-3)
        candidates = candidates[np.argsort(-mean[candidates], kind="stable")]
        q = " ".join(words)
        ranked: list[tuple[float, float, int]] = []
        for idx in candidates.tolist():
            p = self.points[idx]
            if allowed is not None and not allowed.intersection(p.categories):
                continue
            name = fold(p.name)
            closeness = max(
                fuzz.ratio(q, name), fuzz.ratio(q, f"{name} {fold(p.locality)}")
            )
            ranked.append((round(float(mean[idx]), 3), float(closeness), idx))
            if len(ranked) >= limit + _NAME_TIE_POOL:
                break  # enough to rank the top; the rest score no higher
        ranked.sort(key=lambda r: (-r[0], -r[1], self.points[r[2]].id))
        return [NameMatch(self.points[i], s) for s, _c, i in ranked[:limit]]

    def best_by_name(
        self, query: str, *, categories: str | Iterable[str] | None = None
    ) -> ServicePoint | None:
        """The one point a name clearly means, or None if none or ambiguous."""
        matches = self.find_by_name(query, categories=categories, limit=2)
        if not matches:
            return None
        if len(matches) == 2 and matches[1].score >= matches[0].score - 1.0:
            return None  # "ICA" with two ICA shops: ask which one
        return matches[0].point
