import pytest

from channels import messages as channel_messages
from channels.messages import (
    MAX_MESSAGE_CHARS,
    clean_message,
    is_no_reply,
    known_intents,
    no_reply_message,
    no_reply_text,
    reply_language,
)
from channels.stores import store_down_text


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


# --- the channel's own replies, in the language of the message -----------------------


@pytest.mark.parametrize(
    ("text", "metadata", "language"),
    [
        ("Where is the nearest pharmacy?", None, "en"),
        ("Var finns närmaste apotek?", None, "sv"),
        # too short or only a name: undecided, so Swedish (or the page's)
        ("ok", None, "sv"),
        ("Jämjö", None, "sv"),
        ("ok", {"language": "en", "language_source": "page"}, "en"),
        # a button's payload has no language of its own
        ("/help", {"language": "en"}, "en"),
        ("/help", None, "sv"),
        # the text wins over the page's language, the resident's choice over both
        (
            "Var finns närmaste apotek?",
            {"language": "en", "language_source": "page"},
            "sv",
        ),
        (
            "Var finns närmaste apotek?",
            {"language": "en", "language_source": "switch"},
            "en",
        ),
    ],
)
def test_reply_language_follows_the_language_slots_rule(
    text: str, metadata: dict[str, str] | None, language: str
) -> None:
    assert reply_language(text, metadata) == language


def test_reply_language_is_swedish_when_the_detector_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise OSError("data/nlu cannot be read")

    monkeypatch.setattr(channel_messages, "message_language", broken)
    assert reply_language("Where is the nearest pharmacy?") == "sv"


def test_the_no_reply_text_in_both_languages() -> None:
    assert no_reply_text() == (
        "Förlåt, jag kan inte svara just nu på grund av ett tekniskt fel. "
        "Försök igen om en liten stund."
    )
    assert no_reply_text("en") == (
        "Sorry, I cannot answer right now because of a technical fault. "
        "Please try again in a little while."
    )


def test_the_no_reply_message_is_marked_as_data() -> None:
    message = no_reply_message("abc", "en")
    assert message["recipient_id"] == "abc"
    assert message["text"] == no_reply_text("en")
    assert is_no_reply(message)
    # known by its mark, not by its words
    assert not is_no_reply({"recipient_id": "abc", "text": no_reply_text("en")})
    assert not is_no_reply({"custom": {"type": "places"}})
    assert not is_no_reply("text")


def test_the_store_down_text_in_both_languages() -> None:
    assert store_down_text("sv") == (
        "Förlåt, Servicelotsen har ett tekniskt fel just nu och kan inte svara. "
        "Försök igen om en liten stund."
    )
    assert store_down_text("en").startswith(
        "Sorry, Servicelotsen has a technical fault"
    )
