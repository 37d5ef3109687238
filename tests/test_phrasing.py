"""Lists joined as prose does, in each language (bot.messages.join_words)."""

import pytest

from bot.messages import join_words


@pytest.mark.parametrize(
    ("items", "lang", "conjunction", "expected"),
    [
        ([], "sv", "and", ""),
        (["apotek"], "sv", "and", "apotek"),
        (["apotek", "bankomat"], "sv", "and", "apotek och bankomat"),
        (["a", "b", "c"], "sv", "and", "a, b och c"),
        (["a", "", "c"], "sv", "or", "a eller c"),
        (["a", "b", "c"], "en", "and", "a, b and c"),
        (["a", "c"], "en", "or", "a or c"),
    ],
)
def test_join_words(items: list[str], lang: str, conjunction: str, expected: str) -> None:
    assert join_words(items, lang, conjunction=conjunction) == expected
