import pytest

from bot.phrasing import join_swedish


@pytest.mark.parametrize(
    ("items", "conjunction", "expected"),
    [
        ([], "och", ""),
        (["apotek"], "och", "apotek"),
        (["apotek", "bankomat"], "och", "apotek och bankomat"),
        (["a", "b", "c"], "och", "a, b och c"),
        (["a", "", "c"], "eller", "a eller c"),
    ],
)
def test_join_swedish(items: list[str], conjunction: str, expected: str) -> None:
    assert join_swedish(items, conjunction) == expected
