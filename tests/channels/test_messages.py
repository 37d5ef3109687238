import pytest

from channels.messages import MAX_MESSAGE_CHARS, clean_message, known_intents


def test_known_intents_come_from_the_domain() -> None:
    intents = known_intents()
    assert {"greet", "find_service", "share_location", "help"} <= intents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "/help"),
        ("   \n\t ", "/help"),
        ("hej", "hej"),
        ("/greet", "/greet"),
        (
            '/share_location{"latitude": 56.2, "longitude": 15.3}',
            '/share_location{"latitude": 56.2, "longitude": 15.3}',
        ),
        ("/restart_everything", "restart_everything"),
        ("//foo bar", "foo bar"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ],
)
def test_clean_message(text: str, expected: str) -> None:
    assert clean_message(text) == expected


def test_long_message_is_cut() -> None:
    assert len(clean_message("a" * 5000)) == MAX_MESSAGE_CHARS
