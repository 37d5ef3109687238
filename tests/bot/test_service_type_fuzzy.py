import pytest

from bot.service_types import closest_service_type


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("apotek", "apotek"),
        ("aptek", "apotek"),
        ("apotk", "apotek"),
        ("bankomaat", "uttagsautomat"),
        ("vårdcentrall", "vårdcentral"),
        ("pakteombud", "paketombud"),
        ("bibloteket", "bibliotek"),
        ("afar", "dagligvaror"),
        ("tankar", "drivmedel"),
        ("bensinmack", "drivmedel"),
        ("ICA", "dagligvaror"),
        ("pengar", None),
        ("mat", None),
        ("hej", None),
        ("jamjo", None),
        ("kiosk", None),
        ("", None),
        ("   ", None),
    ],
)
def test_closest_service_type(word: str, expected: str | None) -> None:
    assert closest_service_type(word) == expected
