"""Tests for bot.service_types: the one source of category ids and synonyms."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ServiceTypesError
from bot.service_types import load_service_types, normalise_service_type, related_types

CONTRACT_IDS = {
    "dagligvaror",
    "apotek",
    "apoteksombud",
    "paketombud",
    "uttagsautomat",
    "drivmedel",
    "bibliotek",
    "vårdcentral",
}


def test_contract_categories_present() -> None:
    types = load_service_types()
    assert set(types) >= CONTRACT_IDS
    for st in types.values():
        assert st.name and st.plural
        assert all(rel in types for rel in st.related)


def test_apoteksombud_falls_back_to_apotek() -> None:
    assert related_types("apoteksombud") == ("apotek",)
    assert related_types("okänd") == ()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # the synonyms named in docs/contracts.md
        ("ICA", "dagligvaror"),
        ("affär", "dagligvaror"),
        ("mataffär", "dagligvaror"),
        ("lanthandel", "dagligvaror"),
        ("medicin", "apotek"),
        ("recept", "apotek"),
        ("PostNord", "paketombud"),
        ("DHL", "paketombud"),
        ("Budbee", "paketombud"),
        ("paket", "paketombud"),
        ("postombud", "paketombud"),
        ("bankomat", "uttagsautomat"),
        ("kontanter", "uttagsautomat"),
        ("ta ut pengar", "uttagsautomat"),
        ("macka", "drivmedel"),
        ("tanka", "drivmedel"),
        ("bensin", "drivmedel"),
        ("diesel", "drivmedel"),
        # ids, names, plurals, noise
        ("apoteksombud", "apoteksombud"),
        ("Vårdcentral", "vårdcentral"),
        ("matbutiker", "dagligvaror"),
        ("  Ta  ut   pengar ", "uttagsautomat"),
        ("affar", "dagligvaror"),  # typed without å/ä/ö
        ("vardcentral", "vårdcentral"),
        ("frisör", None),
        ("", None),
    ],
)
def test_normalise_service_type(word: str, expected: str | None) -> None:
    assert normalise_service_type(word) == expected


def test_load_from_other_file(tmp_path: Path) -> None:
    path = tmp_path / "types.yml"
    path.write_text(
        "service_types:\n"
        "  - {id: a, name: A, plural: As, synonyms: [ett], related: [b]}\n"
        "  - {id: b, name: B, plural: Bs}\n",
        encoding="utf-8",
    )
    types = load_service_types(path)
    assert list(types) == ["a", "b"]
    assert types["a"].synonyms == ("ett",)
    assert types["b"].related == ()
    assert normalise_service_type("ETT", path) == "a"


@pytest.mark.parametrize(
    "content",
    [
        "service_types: nope\n",
        "service_types:\n  - {id: a, name: A}\n",
        "service_types:\n  - {id: a, name: A, plural: As, related: [x]}\n",
        "service_types:\n"
        "  - {id: a, name: A, plural: As}\n"
        "  - {id: a, name: B, plural: Bs}\n",
        "service_types: [\n",
    ],
)
def test_malformed_file_raises(tmp_path: Path, content: str) -> None:
    path = tmp_path / "types.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ServiceTypesError):
        load_service_types(path)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ServiceTypesError, match="saknas"):
        load_service_types(tmp_path / "nope.yml")
