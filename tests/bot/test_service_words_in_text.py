"""Service types, carriers and ambiguous words found in whole sentences
(bot.service_types), as residents write them."""

from __future__ import annotations

import pytest

from bot.service_types import (
    alternative_types,
    carrier_service_type,
    carriers_in_text,
    closest_service_type,
    load_ambiguous,
    load_carriers,
    load_service_types,
    service_types_in_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("var kan man köpa mjölk i Jämjö", "dagligvaror"),
        ("handla middag i Mörrum", "dagligvaror"),
        ("bröd och mjölk i Sölvesborg", "dagligvaror"),
        ("dagligvarubutik nära Nättraby", "dagligvaror"),
        ("livsmedel i Rödeby", "dagligvaror"),
        ("blöjor i Olofström", "dagligvaror"),
        ("köpa alvedon", "apotek"),
        ("hämta ut medicin i Jämjö", "apotek"),
        ("hämta ut recept", "apotek"),
        ("var kan jag ta ut kontanter", "uttagsautomat"),
        ("bankomat pa hasslo", "uttagsautomat"),
        ("låna böcker i Ronneby", "bibliotek"),
        ("lana bocker i Ronneby", "bibliotek"),
        ("träffa en läkare i Karlshamn", "vårdcentral"),
        ("Jag behöver tanka, är vid Ryd", "drivmedel"),
        ("paketutlämning i Tving", "paketombud"),
        ("Närmaste DHL-ombud i Ronneby", "paketombud"),
        ("instabox-paket Kallinge", "paketombud"),
        ("när stänger apoteket", "apotek"),
        ("where is the nearest pharmacy in Karlshamn?", "apotek"),
        ("I need to withdraw cash", "uttagsautomat"),
        ("nearest petrol station", "drivmedel"),
    ],
)
def test_service_type_in_a_sentence(text: str, expected: str) -> None:
    found = service_types_in_text(text)
    assert found and found[0].value == expected
    mention = found[0]
    assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    "text", ["hej", "tack så mycket", "can you bring me", "vad är klockan"]
)
def test_no_service_type_where_there_is_none(text: str) -> None:
    assert service_types_in_text(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Närmaste DHL-ombud i Ronneby", ["dhl"]),
        ("mitt instabox-paket", ["instabox"]),
        ("postnordombud i Lyckeby", ["postnord"]),
        ("PostNord eller Budbee?", ["postnord", "budbee"]),
        ("Bring-ombud i Karlshamn", ["bring"]),
        ("ett UPS-paket", ["ups"]),
        ("ups paket", ["ups"]),  # lower case, but beside a parcel word
        ("can you bring me there", []),  # an everyday word, no parcel context
        ("ups, fel knapp", []),
        ("var finns bussgods", ["bussgods"]),
    ],
)
def test_carriers(text: str, expected: list[str]) -> None:
    assert [m.value for m in carriers_in_text(text)] == expected


def test_carriers_are_the_contract_ids_and_imply_paketombud() -> None:
    ids = {c.id for c in load_carriers()}
    assert ids == {
        "postnord", "dhl", "schenker", "bring", "instabox",
        "ups", "bussgods", "budbee", "airmee",
    }  # fmt: skip
    assert carrier_service_type() == "paketombud"
    assert closest_service_type("DHL") == "paketombud"


def test_carrier_words_are_not_service_type_synonyms() -> None:
    """Rasa's synonym table ignores the entity type: "DHL" must stay a carrier."""
    carrier_words = {w.casefold() for c in load_carriers() for w in (c.id, *c.words)}
    for st in load_service_types().values():
        assert not carrier_words & {w.casefold() for w in st.words}, st.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("var kan jag hämta ut medicin", ("apotek", "apoteksombud")),
        ("hamta ut recept i Tving", ("apotek", "apoteksombud")),
        ("where can I pick up my prescription", ("apotek", "apoteksombud")),
        ("närmaste apotek", ()),
    ],
)
def test_words_that_fit_two_types(text: str, expected: tuple[str, ...]) -> None:
    assert alternative_types(text) == expected


def test_ambiguous_words_are_synonyms_of_the_first_type() -> None:
    for words, kinds in load_ambiguous():
        assert len(kinds) >= 2
        for word in words:
            assert closest_service_type(word) == kinds[0]


def test_every_type_has_english_names_and_words() -> None:
    for st in load_service_types().values():
        assert st.name_en and st.plural_en, st.id
        assert st.synonyms_en, st.id
        assert closest_service_type(st.name_en) == st.id
        assert st.display_name("en") == st.name_en
        assert st.display_name("sv") == st.name
