"""Tests for bot.geo: distances, the road estimate, Sweden's box, Swedish text."""

from __future__ import annotations

import math

import pytest

from bot.geo import (
    ROAD_DETOUR_FACTOR,
    SWEDEN_BBOX,
    format_distance,
    format_distance_km,
    haversine_km,
    in_sweden,
    road_estimate_km,
)

KARLSKRONA = (56.1612, 15.5869)
RONNEBY = (56.2094, 15.2760)


def test_haversine_zero_and_symmetric() -> None:
    assert haversine_km(*KARLSKRONA, *KARLSKRONA) == 0.0
    assert haversine_km(*KARLSKRONA, *RONNEBY) == pytest.approx(
        haversine_km(*RONNEBY, *KARLSKRONA)
    )


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        # one degree of latitude is ~111.2 km on the mean sphere
        ((56.0, 15.0), (57.0, 15.0), 111.19),
        # one degree of longitude shrinks with cos(latitude)
        ((60.0, 15.0), (60.0, 16.0), 111.19 * math.cos(math.radians(60.0))),
        # Karlskrona - Ronneby: flat-earth check 5.36 km N and 19.24 km E
        # (0.0482° lat, 0.3109° lon at cos 56.19°) gives 19.97 km
        (KARLSKRONA, RONNEBY, 19.97),
        # Smygehuk - Treriksröset, Sweden's length, ~1 573 km
        ((55.3366, 13.3594), (69.0599, 20.5487), 1573.0),
    ],
)
def test_haversine_known_distances(
    a: tuple[float, float], b: tuple[float, float], km: float
) -> None:
    assert haversine_km(*a, *b) == pytest.approx(km, rel=0.01)


def test_haversine_antipodes_does_not_crash() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(
        math.pi * 6371.0, rel=1e-3
    )


def test_road_estimate_is_documented_factor() -> None:
    assert ROAD_DETOUR_FACTOR == 1.3
    assert road_estimate_km(10.0) == pytest.approx(13.0)
    assert road_estimate_km(0.0) == 0.0


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [
        (*KARLSKRONA, True),
        (55.3366, 13.3594, True),  # Smygehuk
        (69.0599, 20.5487, True),  # Treriksröset
        (65.8355, 24.1459, True),  # Haparanda
        (58.89, 11.01, True),  # Koster
        (15.5869, 56.1612, False),  # swapped
        (48.8566, 2.3522, False),  # Paris
        (0.0, 0.0, False),
    ],
)
def test_in_sweden(lat: float, lon: float, inside: bool) -> None:
    assert in_sweden(lat, lon) is inside
    assert SWEDEN_BBOX.contains(lat, lon) is inside


@pytest.mark.parametrize(
    ("km", "text"),
    [
        (0.0, "10 m"),
        (0.004, "10 m"),
        (0.0149, "10 m"),
        (0.256, "260 m"),
        (0.85, "850 m"),
        (0.994, "990 m"),
        (0.996, "1,0 km"),
        (1.0, "1,0 km"),
        (1.234, "1,2 km"),
        (1.25, "1,2 km"),  # float 1.25 rounds half to even in "%.1f"
        (9.94, "9,9 km"),
        (9.96, "10 km"),
        (14.4, "14 km"),
        (123.6, "124 km"),
    ],
)
def test_format_distance(km: float, text: str) -> None:
    assert format_distance_km(km) == text
    assert format_distance(km) == text


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_format_distance_rejects_nonsense(bad: float) -> None:
    with pytest.raises(ValueError):
        format_distance_km(bad)
