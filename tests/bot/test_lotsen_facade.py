"""`bot.lotsen`: what the actions used to work out themselves (paging,
which point a name means, which kommun), now asked of the facade."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.gazetteer import Place
from bot.lotsen import PAGE_SIZE, Lotsen, Origin, PlaceProblem
from bot.outcome import Kind

REGISTRY = Path(__file__).resolve().parents[1] / "fixtures" / "e2e" / "registry.geojson"


@pytest.fixture(scope="module")
def lotsen() -> Lotsen:
    return Lotsen.load(REGISTRY)


def _place(lotsen: Lotsen, text: str) -> Place:
    found = lotsen.place_for(text)
    assert isinstance(found, Place), found
    return found


def _origin(lotsen: Lotsen, text: str) -> Origin:
    origin = lotsen.origin_for_place(_place(lotsen, text))
    assert origin is not None
    return origin


def test_pages_follow_each_other_without_repeats(lotsen: Lotsen) -> None:
    origin = _origin(lotsen, "Jämjö")
    first = lotsen.page("dagligvaror", origin)
    assert (len(first.shown), first.more, first.first_number) == (PAGE_SIZE, True, 1)
    assert first.kind is Kind.FOUND and first.distance_km == first.shown[0].distance_km
    second = lotsen.page("dagligvaror", origin, offset=PAGE_SIZE)
    assert second.first_number == PAGE_SIZE + 1
    names = [h.point.name for h in (*first.shown, *second.shown)]
    assert len(names) == len(set(names))
    assert lotsen.has_more("dagligvaror", origin, PAGE_SIZE)
    assert not lotsen.has_more("dagligvaror", origin, 99)
    end = lotsen.page("dagligvaror", origin, offset=99)
    assert (end.kind, end.listed, end.more) == (Kind.NONE_WITHIN_LIMIT, [], False)


def test_a_type_without_data_lists_the_related_type(lotsen: Lotsen) -> None:
    page = lotsen.page("apoteksombud", _origin(lotsen, "Tving"))
    assert page.kind is Kind.NO_DATA and page.shown == ()
    assert page.listed and all("apotek" in h.point.categories for h in page.listed)
    assert page.first_number == 1 and page.distance_km is None


@pytest.mark.parametrize(
    ("text", "reason", "kind"),
    [
        ("Xyzzyköping", "unknown", Kind.UNKNOWN_PLACE),
        ("Malmö", "outside_area", Kind.OUTSIDE_AREA),
        ("Jämjö eller Lyckeby", "ambiguous", Kind.ASKED),
        ("Tjurkö", "no_position", Kind.ASKED),
        ("Ronneby kommun", "municipality", Kind.ASKED),
    ],
)
def test_a_place_that_cannot_be_used_says_why(
    lotsen: Lotsen, text: str, reason: str, kind: Kind
) -> None:
    problem = lotsen.place_for(text)
    assert isinstance(problem, PlaceProblem)
    assert (problem.reason, problem.kind, problem.text) == (reason, kind, text)


def test_the_origin_of_an_earlier_search(lotsen: Lotsen) -> None:
    jamjo = _origin(lotsen, "Jämjö")
    assert lotsen.search_origin("1081-ronneby", jamjo) == _origin(lotsen, "Ronneby")
    assert lotsen.search_origin(None, jamjo) is jamjo  # a search from a position
    assert lotsen.search_origin("finns-inte", jamjo) is None


def test_a_name_is_looked_for_near_the_place_then_anywhere(lotsen: Lotsen) -> None:
    kyrkhult = _place(lotsen, "Kyrkhult")
    assert [p.name for p in lotsen.points_named("Testbutik", kyrkhult)] == [
        "Testbutik Kyrkhult"
    ]
    lyckeby = _place(lotsen, "Lyckeby")  # no point of ours there
    assert [p.name for p in lotsen.points_named("Testmack", lyckeby)] == [
        "Testmack Tving"
    ]
    assert len(lotsen.points_named("Testbutik", None)) > 1  # ask which one
    assert lotsen.points_named("Xyzzybutiken", None) == []


def test_the_kommun_of_a_named_place_or_of_the_origin(lotsen: Lotsen) -> None:
    assert lotsen.municipality_for("Jämjö", None) == "Karlskrona"
    assert lotsen.municipality_for(None, _origin(lotsen, "Kallinge")) == "Ronneby"
    assert lotsen.municipality_for(None, None) is None
    problem = lotsen.municipality_for("Xyzzyköping", None)
    assert isinstance(problem, PlaceProblem) and problem.kind is Kind.UNKNOWN_PLACE
