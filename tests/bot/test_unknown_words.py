import pytest

from bot.unknown_words import is_unknown, words

VOCABULARY = frozenset({"hej", "apotek", "ronneby", "tack", "var", "finns", "mycket"})


def test_words_are_folded_letters() -> None:
    assert words("Bräkne-Hoby! 372 30") == ["brakne", "hoby"]


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("qwxz plopp brrr", True),
        ("😀😀😀", True),
        ("ööö", False),  # one word: left to the classifier
        ("ööö ååå", True),
        ("<script>", False),  # one word
        ("<script>alert(1)</script>", True),
        ("?!", True),
        ("37230", False),
        ("aptek", False),
        ("hej!", False),
        ("tackk så mycket", False),
        ("apotek i Xyzzyköping", False),
    ],
)
def test_is_unknown(text: str, unknown: bool) -> None:
    assert is_unknown(text, VOCABULARY) is unknown
