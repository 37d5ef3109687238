"""The NLU's own post-processing (bot.nlu_entities, behind
components/service_type_normalizer.py): every service_type a canonical id or
none, carriers as their own entity, service words found in whole sentences."""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu_entities import canonical_service_type, normalise_entities
from bot.text import fold_letters

CANONICAL = {
    "dagligvaror", "apotek", "apoteksombud", "paketombud",
    "uttagsautomat", "drivmedel", "bibliotek", "vårdcentral",
}  # fmt: skip


def _ent(kind: str, value: str, text: str, word: str | None = None) -> dict[str, Any]:
    word = word or value
    start = text.index(word)
    return {"entity": kind, "value": value, "start": start, "end": start + len(word)}


def _values(entities: list[dict[str, Any]], kind: str) -> list[str]:
    return [str(e["value"]) for e in entities if e["entity"] == kind]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("köpa mjölk", "dagligvaror"),
        ("DHL-ombud", "paketombud"),
        ("instabox-paket", "paketombud"),
        ("paketutlämning", "paketombud"),
        ("livsmedel", "dagligvaror"),
        ("dagligvarubutik", "dagligvaror"),
        ("bröd och mjölk", "dagligvaror"),
        ("Alvedon", "apotek"),
        ("blöjor", "dagligvaror"),
        ("aptek", "apotek"),
        ("pharmacy", "apotek"),
        ("apoteket", "apotek"),
        ("qwerty", None),
        ("köpa", None),
    ],
)
def test_canonical_or_nothing(raw: str, expected: str | None) -> None:
    assert canonical_service_type(raw) == expected


def test_a_raw_value_is_mapped_and_an_unknown_one_dropped() -> None:
    text = "var kan man köpa mjölk eller flörp i Jämjö"
    entities = [
        _ent("service_type", "köpa mjölk", text),
        _ent("service_type", "flörp", text),
        _ent("location", "Jämjö", text),
    ]
    out = normalise_entities(text, "find_service", entities, "test")
    assert _values(out, "service_type") == ["dagligvaror"]
    assert _values(out, "location") == ["Jämjö"]
    assert all(v in CANONICAL for v in _values(out, "service_type"))


def test_a_service_word_diet_missed_is_found_in_the_sentence() -> None:
    text = "var kan man köpa mjölk i Jämjö"
    out = normalise_entities(
        text, "find_service", [_ent("location", "Jämjö", text)], "t"
    )
    assert _values(out, "service_type") == ["dagligvaror"]


def test_place_and_point_names_are_not_read_as_service_words() -> None:
    text = "har Kronans Apotek öppet"
    point = _ent("point_name", "Kronans Apotek", text)
    out = normalise_entities(text, "ask_opening_hours", [point], "t")
    assert _values(out, "service_type") == []


def test_only_questions_about_service_are_scanned() -> None:
    assert normalise_entities("tack för hjälpen med apoteket", "thank", [], "t") == []


def test_a_carrier_is_its_own_entity_and_implies_paketombud() -> None:
    text = "Närmaste DHL-ombud i Ronneby"
    out = normalise_entities(
        text,
        "find_service",
        [_ent("service_type", "DHL-ombud", text), _ent("location", "Ronneby", text)],
        "t",
    )
    assert _values(out, "service_type") == ["paketombud"]
    assert _values(out, "carrier") == ["dhl"]
    # a carrier alone ("postnordombud") gives its type too
    out = normalise_entities("postnordombud i Lyckeby", "find_service", [], "t")
    assert _values(out, "carrier") == ["postnord"]
    assert _values(out, "service_type") == ["paketombud"]


def test_one_service_type_said_twice_is_one_entity() -> None:
    text = "en avi från posten, var är paketombudet"
    entities = [
        _ent("service_type", "avi", text),
        _ent("service_type", "paketombudet", text),
    ]
    out = normalise_entities(text, "find_service", entities, "t")
    assert _values(out, "service_type") == ["paketombud"]


@pytest.mark.parametrize(
    "text", ["Bankomat på Hasslö", "Apotek i Sölvesborg", "Ærø ß Æble", "Crème brûlée"]
)
def test_folding_keeps_every_position(text: str) -> None:
    folded = fold_letters(text)
    assert len(folded) == len(text)
    assert "å" not in folded and "ö" not in folded
