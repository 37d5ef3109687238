import pytest

from bot.extract import place_candidate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("närmaste apotek i Xyzzyköping?", "Xyzzyköping"),
        ("affär i bräkne hoby", "bräkne hoby"),
        ("apotek i Bräkne Hoby idag", "Bräkne Hoby"),
        ("finns det bankomat på Sturkö", "Sturkö"),
        ("nära Kallinge tack", "Kallinge"),
        ("jag bor i Tving", "Tving"),
        ("från Jämjö till Lyckeby", "Jämjö till Lyckeby"),
        ("har de öppet i dag", None),
        ("apotek i närheten", None),
        ("öppet på söndag", None),
        ("kan jag handla på nätet", None),
        ("hej", None),
        ("", None),
    ],
)
def test_place_candidate(text: str, expected: str | None) -> None:
    assert place_candidate(text) == expected
