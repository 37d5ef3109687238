"""Masking personal data (`bot.privacy`) before conversation text leaves the tracker store."""

from __future__ import annotations

import pytest

from bot.privacy import Kind, find_personal_data, mask


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # phone numbers: mobile and landline, with and without groups, +46
        ("ring mig på 070-123 45 67", "ring mig på <telefonnummer>"),
        ("mitt nummer är 0701234567", "mitt nummer är <telefonnummer>"),
        ("0455-30 30 00 eller 08-123 456 78", "<telefonnummer> eller <telefonnummer>"),
        ("ring 0455 123 45!", "ring <telefonnummer>!"),
        ("+46 70 123 45 67", "<telefonnummer>"),
        (
            "+46701234567 eller 0046 70 123 45 67",
            "<telefonnummer> eller <telefonnummer>",
        ),
        # e-mail
        ("skicka till anna.svensson@example.se tack", "skicka till <e-post> tack"),
        ("Mejl: Per+bot@post.example.com.", "Mejl: <e-post>."),
        # personnummer and samordningsnummer, with and without century, - and +
        ("mitt personnummer är 19121212-1212", "mitt personnummer är <personnummer>"),
        ("pnr 121212-1212", "pnr <personnummer>"),
        ("född 121212+1212", "född <personnummer>"),
        ("201212121212", "<personnummer>"),
        ("1212121212 är mitt nummer", "<personnummer> är mitt nummer"),
        ("samordningsnummer 701063-2391", "samordningsnummer <personnummer>"),
        ("19701063-2391", "<personnummer>"),
        # street addresses
        ("jag bor på Storgatan 12 i Ronneby", "jag bor på <adress> i Ronneby"),
        ("adressen är Kungsv. 3B, Karlshamn", "adressen är <adress>, Karlshamn"),
        ("Ronnebyvägen 5 A lgh 1102", "<adress>"),
        ("närmaste apotek från storgatan 3", "närmaste apotek från <adress>"),
        ("Lilla Nygatan 14", "Lilla <adress>"),
        ("jag bor på Kullen 14 utanför Jämjö", "jag bor på <adress> utanför Jämjö"),
        # coordinates
        ("jag är vid 56.26, 14.77", "jag är vid <koordinater>"),
        ("position 56,2612 14,7712", "position <koordinater>"),
        ('{"latitude": 56.26, "longitude": 14.77}', "{<koordinater>, <koordinater>}"),
        ("lat 56.1612 lon 15.5869", "<koordinater> <koordinater>"),
    ],
)
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "var finns närmaste apotek i Jämjö",
        "öppet 08-17 på lördag",
        "apoteket har öppet 10-18",
        "postnummer 372 30",
        "det kostar 12,50 kr",
        "jag bor i Karlshamn",
        "bussen går 2026-11-29 klockan 08:00",
        "apoteket på Ronnebygatan i Karlskrona",
        "finns det en bankomat i Bräkne-Hoby",
        "1,2 km till Coop",
        "ica nära 2 km",
    ],
)
def test_ordinary_messages_are_left_alone(text: str) -> None:
    assert mask(text) == text
    assert find_personal_data(text) == []


def test_spans_say_what_was_found_and_where() -> None:
    text = "ring 070-123 45 67 eller mejla a@b.se"
    spans = find_personal_data(text)
    assert [(text[s.start : s.end], s.kind) for s in spans] == [
        ("070-123 45 67", Kind.PHONE),
        ("a@b.se", Kind.EMAIL),
    ]


def test_digits_inside_an_email_are_not_a_phone_number() -> None:
    assert mask("0701234567@example.se") == "<e-post>"
