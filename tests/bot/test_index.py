"""Tests for bot.index: nearest against brute force, filters, names, places."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pytest

from bot.errors import UnknownCategory
from bot.geo import ROAD_DETOUR_FACTOR, haversine_km
from bot.index import ServiceIndex
from bot.opening_hours import State, local_datetime, parse_opening_hours
from bot.registry import ServicePoint, load_registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registry"
CATEGORIES = ["dagligvaror", "apotek", "drivmedel", "uttagsautomat", "paketombud"]
HOURS = [None, "24/7", "off", "Mo-Fr 08:00-17:00", "Mo-Su 10:00-14:00; PH off"]
# Wednesday 2026-12-02 12:00 and Sunday 2026-12-06 12:00, Swedish time
WEDNESDAY_NOON = local_datetime(datetime.date(2026, 12, 2), 12)
SUNDAY_NOON = local_datetime(datetime.date(2026, 12, 6), 12)


def random_points(n: int, seed: int) -> list[ServicePoint]:
    """Fake points scattered over Blekinge and a bit beyond."""
    rng = random.Random(seed)
    return [
        ServicePoint(
            id=f"test-{i}",
            name=f"Testbutik {i}",
            categories=tuple(rng.sample(CATEGORIES, rng.randint(1, 2))),
            lat=rng.uniform(55.9, 56.6),
            lon=rng.uniform(14.3, 16.2),
            locality=f"Testby {i % 7}",
            municipality="Testkommun",
            source="testdata",
            source_date=datetime.date(2024, 1, 1),
            opening_hours=rng.choice(HOURS),
        )
        for i in range(n)
    ]


POINTS = random_points(3000, seed=20261129)
INDEX = ServiceIndex(POINTS)
QUERIES = [
    (random.Random(s).uniform(55.8, 56.7), random.Random(s + 1).uniform(14.2, 16.3))
    for s in range(0, 40, 2)
]


def brute_force(
    lat: float,
    lon: float,
    cats: set[str],
    k: int,
    radius_km: float | None = None,
    open_at: datetime.datetime | None = None,
) -> list[tuple[str, float]]:
    rows = []
    for p in POINTS:
        if not cats.intersection(p.categories):
            continue
        d = haversine_km(lat, lon, p.lat, p.lon)
        if radius_km is not None and d > radius_km:
            continue
        if open_at is not None and (
            p.opening_hours is None
            or not parse_opening_hours(p.opening_hours).is_open(open_at)
        ):
            continue
        rows.append((d, p.id))
    rows.sort()
    return [(pid, d) for d, pid in rows[:k]]


def as_rows(results: list) -> list[tuple[str, float]]:  # type: ignore[type-arg]
    return [(r.point.id, r.distance_km) for r in results]


def assert_same(got: list[tuple[str, float]], want: list[tuple[str, float]]) -> None:
    assert [pid for pid, _ in got] == [pid for pid, _ in want]
    for (_, d1), (_, d2) in zip(got, want, strict=True):
        assert d1 == pytest.approx(d2, abs=1e-9)


@pytest.mark.parametrize(("lat", "lon"), QUERIES)
@pytest.mark.parametrize("category", ["apotek", "dagligvaror"])
@pytest.mark.parametrize("k", [1, 5, 12])
def test_nearest_matches_brute_force(
    lat: float, lon: float, category: str, k: int
) -> None:
    got = INDEX.nearest(lat, lon, category, k)
    assert_same(as_rows(got), brute_force(lat, lon, {category}, k))


@pytest.mark.parametrize(("lat", "lon"), QUERIES[:8])
def test_several_categories_each_point_once(lat: float, lon: float) -> None:
    cats = {"apotek", "paketombud", "drivmedel"}
    got = INDEX.nearest(lat, lon, sorted(cats), 10)
    assert len({r.point.id for r in got}) == len(got) == 10
    assert_same(as_rows(got), brute_force(lat, lon, cats, 10))


@pytest.mark.parametrize(("lat", "lon"), QUERIES[:8])
@pytest.mark.parametrize("radius_km", [0.5, 3.0, 10.0])
def test_radius(lat: float, lon: float, radius_km: float) -> None:
    got = INDEX.nearest(lat, lon, "uttagsautomat", 50, radius_km=radius_km)
    assert all(r.distance_km <= radius_km + 1e-9 for r in got)
    assert_same(as_rows(got), brute_force(lat, lon, {"uttagsautomat"}, 50, radius_km))


@pytest.mark.parametrize(("lat", "lon"), QUERIES[:6])
@pytest.mark.parametrize("when", [WEDNESDAY_NOON, SUNDAY_NOON])
def test_open_now_filter(lat: float, lon: float, when: datetime.datetime) -> None:
    got = INDEX.nearest(lat, lon, "dagligvaror", 5, open_at=when)
    assert all(r.state is State.OPEN for r in got)
    assert_same(as_rows(got), brute_force(lat, lon, {"dagligvaror"}, 5, open_at=when))


def test_open_now_expands_beyond_the_first_batch() -> None:
    # only the 40th nearest is ever open: the search must look past batch one
    lat, lon = 56.2, 15.3
    pts = random_points(200, seed=7)
    pts.sort(key=lambda p: haversine_km(lat, lon, p.lat, p.lon))
    fixed = [
        ServicePoint(
            **{
                **{f: getattr(p, f) for f in ServicePoint.__slots__},
                "categories": ("apotek",),
                "opening_hours": "24/7" if i == 39 else "off",
            }
        )
        for i, p in enumerate(pts)
    ]
    got = ServiceIndex(fixed).nearest(lat, lon, "apotek", 3, open_at=WEDNESDAY_NOON)
    assert [r.point.id for r in got] == [fixed[39].id]


def test_open_now_with_no_open_point_returns_empty() -> None:
    pts = [p for p in POINTS if p.opening_hours in ("off", None)][:50]
    assert (
        ServiceIndex(pts).nearest(56.2, 15.3, CATEGORIES, 5, open_at=SUNDAY_NOON) == []
    )


def test_offset_pages_through_results() -> None:
    first = INDEX.nearest(56.2, 15.3, "apotek", 5)
    more = INDEX.nearest(56.2, 15.3, "apotek", 5, offset=5)
    ten = INDEX.nearest(56.2, 15.3, "apotek", 10)
    assert [r.point.id for r in first + more] == [r.point.id for r in ten]


def test_result_fields() -> None:
    r = INDEX.nearest(56.2, 15.3, "apotek", 1)[0]
    assert r.road_estimate_km == pytest.approx(r.distance_km * ROAD_DETOUR_FACTOR)
    assert r.state is None  # no time asked
    assert r.distance_text.endswith(" km") or r.distance_text.endswith(" m")


def test_k_larger_than_category() -> None:
    idx = ServiceIndex(POINTS[:20])
    n = sum("apotek" in p.categories for p in POINTS[:20])
    assert len(idx.nearest(56.2, 15.3, "apotek", 1000)) == n


def test_unknown_and_empty_categories() -> None:
    with pytest.raises(UnknownCategory):
        INDEX.nearest(56.2, 15.3, "frisör", 5)
    assert INDEX.nearest(56.2, 15.3, "bibliotek", 5) == []  # known, no data
    assert INDEX.count("bibliotek") == 0
    assert "bibliotek" not in INDEX.categories_with_data()
    assert ServiceIndex([]).nearest(56.2, 15.3, "apotek", 5) == []


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_bad_position_raises(bad: float) -> None:
    with pytest.raises(ValueError):
        INDEX.nearest(bad, 15.3, "apotek", 5)
    with pytest.raises(ValueError):
        INDEX.nearest(56.2, bad, "apotek", 5)


def test_bench_script_runs_small() -> None:
    from scripts.bench_index import run_one

    row = run_one(500, queries=30, seed=1)
    assert row["points"] == 500
    assert row["query_median_ms"] > 0
    assert row["query_p95_ms"] >= row["query_median_ms"]


def test_index_does_not_scan_every_point(monkeypatch: pytest.MonkeyPatch) -> None:
    # a query must not compute a distance per point: only the k results get one
    import bot.index as index_module

    calls = 0
    real = index_module.haversine_km

    def counting(*args: float) -> float:
        nonlocal calls
        calls += 1
        return real(*args)

    monkeypatch.setattr(index_module, "haversine_km", counting)
    INDEX.nearest(56.2, 15.3, "dagligvaror", 5)
    assert calls == 5


# ---------------------------------------------------------------- fixture registry

REG = load_registry(FIXTURES / "small.geojson")
SMALL = ServiceIndex(REG)
JAMJO = (56.2430, 15.8010)


def test_related_category_when_none_has_data() -> None:
    idx = ServiceIndex([p for p in REG.points if "apoteksombud" not in p.categories])
    answer = idx.nearest_with_related(*JAMJO, "apoteksombud", 3)
    assert answer.results == ()
    assert answer.has_data is False
    assert [cat for cat, _ in answer.related] == ["apotek"]
    nearest_apotek = answer.related[0][1][0].point
    assert nearest_apotek.id == "test-4"  # Testapotek 1, Karlskrona


def test_related_category_when_none_within_radius() -> None:
    answer = SMALL.nearest_with_related(56.20, 15.28, "apoteksombud", 3, radius_km=5)
    assert answer.has_data is True  # exists, just not near Ronneby
    assert answer.results == ()
    assert answer.related[0][1][0].point.id == "test-5"  # Testapotek 2, Ronneby


def test_no_related_when_found() -> None:
    answer = SMALL.nearest_with_related(*JAMJO, "apoteksombud", 3)
    assert [r.point.id for r in answer.results] == ["test-2"]
    assert answer.related == ()


@pytest.mark.parametrize(
    ("query", "expected_id"),
    [
        ("Coop Rödeby", "test-2"),  # name + ort
        ("coop rodeby", "test-2"),  # no å/ä/ö, lower case
        ("ica jämjö", "test-1"),
        ("ICA Jamjö", "test-1"),
        ("Testapotek 2", "test-5"),
        ("testapotk 2", "test-5"),  # a typo
        ("Testmack Nättraby", "test-6"),
        ("ika jämjö", "test-1"),  # typo in a short word
        ("ICA i Jämjö", "test-1"),  # filler word
    ],
)
def test_find_by_name(query: str, expected_id: str) -> None:
    matches = SMALL.find_by_name(query)
    assert matches, query
    assert matches[0].point.id == expected_id
    assert SMALL.best_by_name(query) is not None
    assert SMALL.best_by_name(query).id == expected_id  # type: ignore[union-attr]


def test_find_by_name_ambiguous_and_missing() -> None:
    # "ICA" alone: two shops, the bot must ask which
    ids = {m.point.id for m in SMALL.find_by_name("ICA")}
    assert {"test-1", "test-3"} <= ids
    assert SMALL.best_by_name("ICA") is None
    assert SMALL.find_by_name("Hemköp Olofström") == []
    # every word must match: no Coop in Jämjö, so not the ICA there
    assert SMALL.find_by_name("Coop Jämjö") == []
    assert SMALL.find_by_name("Testapotek 3") == []  # numbers must match too
    assert SMALL.find_by_name("   ") == []


def test_find_by_name_with_category() -> None:
    matches = SMALL.find_by_name("Rödeby", categories="apoteksombud")
    assert [m.point.id for m in matches] == ["test-2"]


@pytest.mark.parametrize(
    ("place", "ids"),
    [
        ("Rödeby", ["test-2", "test-3"]),
        ("rodeby", ["test-2", "test-3"]),
        ("Bräkne-Hoby", ["test-8"]),
        ("bräkne hoby", ["test-8"]),
        ("Olofström", []),
    ],
)
def test_in_locality(place: str, ids: list[str]) -> None:
    assert sorted(p.id for p in SMALL.in_locality(place)) == ids


def test_in_locality_with_category_and_municipality() -> None:
    assert [p.id for p in SMALL.in_locality("Rödeby", "apoteksombud")] == ["test-2"]
    assert {p.id for p in SMALL.in_municipality("Ronneby")} == {"test-5", "test-8"}
    assert {p.id for p in SMALL.in_municipality("Ronneby kommun")} == {
        "test-5",
        "test-8",
    }
    assert {p.id for p in SMALL.in_municipality("Karlshamns")} == {"test-7"}
    assert "Jämjö" in SMALL.localities()
