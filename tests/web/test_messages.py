"""Rasa's REST replies into the widget's messages: merging, splitting, cleaning."""

from __future__ import annotations

from typing import Any

import pytest

from bot.web.messages import (
    MAX_PLACES,
    safe_link,
    split_listing,
    widget_messages,
)
from channels.messages import no_reply_message, no_reply_text

ANSWER = "\n".join(
    [
        "Närmaste apotek från Ronneby:",
        "1. Testapotek Ronneby Centrum, Exempelgatan 3, Ronneby: 80 m (cirka 100 m på väg).",
        "2. Testapotek Kallinge, Kallinge: 4,1 km (cirka 5,3 km på väg).",
        "Avstånden är fågelvägen; vägen är en uppskattning.",
        "Uppgifterna är från januari 2026 (källa: testdata).",
    ]
)


def place(number: int, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "number": number,
        "id": f"p{number}",
        "name": name,
        "address": "Exempelgatan 3, Ronneby",
        "distance": "80 m",
        "road_estimate": "100 m",
        "today": "9–19",
        "status": "öppet nu, stänger kl. 19",
        "open_now": True,
        "phone": "0457-123 45",
        "website": "https://apotek.example",
        "map_url": "https://www.openstreetmap.org/?mlat=56.2&mlon=15.2",
        **extra,
    }


def places_reply(*places: dict[str, Any]) -> dict[str, Any]:
    return {
        "recipient_id": "x",
        "custom": {
            "type": "places",
            "places": list(places),
            "freshness": "Uppgifterna är från januari 2026.",
        },
    }


def test_text_and_places_become_one_message_without_the_numbered_lines() -> None:
    replies = [
        {"recipient_id": "x", "text": ANSWER},
        places_reply(
            place(1, "Testapotek Ronneby Centrum"), place(2, "Testapotek Kallinge")
        ),
    ]
    [message] = widget_messages(replies)
    assert message["text"] == "Närmaste apotek från Ronneby:"
    assert message["after"] == (
        "Avstånden är fågelvägen; vägen är en uppskattning.\n"
        "Uppgifterna är från januari 2026 (källa: testdata)."
    )
    assert [p["name"] for p in message["places"]] == [
        "Testapotek Ronneby Centrum",
        "Testapotek Kallinge",
    ]
    first = message["places"][0]
    assert first["distance"] == "80 m"
    assert first["open_now"] is True
    assert first["map_url"] == "https://www.openstreetmap.org/?mlat=56.2&mlon=15.2"
    assert first["id"] == "p1"  # the card's "Stämmer inte?" sends it back
    assert first["carriers"] is None and first["also"] is None


def test_a_point_id_that_is_no_plain_id_gives_no_report_link() -> None:
    replies = [
        places_reply(
            place(1, "A", id='x"}<script>'),
            place(2, "B", id="osm-node/123", carriers="ombud för PostNord", also="Här finns också apotek."),
            place(3, "C", id=7),
        )
    ]
    [message] = widget_messages(replies)
    ids = [p["id"] for p in message["places"]]
    assert ids == [None, "osm-node/123", None]
    second = message["places"][1]
    assert second["carriers"] == "ombud för PostNord"
    assert second["also"] == "Här finns också apotek."


def test_places_on_their_own_get_the_freshness_as_note() -> None:
    [message] = widget_messages([places_reply(place(1, "Testbutik Rödeby"))])
    assert message["text"] == ""
    assert message["after"] == "Uppgifterna är från januari 2026."
    assert message["places"][0]["name"] == "Testbutik Rödeby"


def test_text_that_lists_none_of_the_places_is_kept_whole() -> None:
    replies = [
        {"text": "Här är det jag hittade."},
        places_reply(place(4, "Testbutik Tving")),
    ]
    [message] = widget_messages(replies)
    assert message["text"] == "Här är det jag hittade."
    assert "after" not in message
    assert message["places"][0]["number"] == 4


def test_buttons_pass_and_other_payloads_are_dropped() -> None:
    replies: list[object] = [
        {
            "text": "Vad letar du efter?",
            "buttons": [
                {"title": "Apotek", "payload": '/inform{"service_type": "apotek"}'},
                {"title": "", "payload": "/x"},
                "trasig",
                {"title": "Bara titel"},
            ],
        },
        {"custom": {"type": "something_else", "html": "<b>x</b>"}},
        {"image": "https://example.com/x.png"},
        "not a dict",
        {"text": "   "},
    ]
    [message] = widget_messages(replies)
    assert message["buttons"] == [
        {"title": "Apotek", "payload": '/inform{"service_type": "apotek"}'},
        {"title": "Bara titel", "payload": "Bara titel"},
    ]


def test_two_texts_stay_two_messages_in_order() -> None:
    replies = [{"text": "Hej!"}, {"text": "Vad letar du efter?"}]
    assert [m["text"] for m in widget_messages(replies)] == [
        "Hej!",
        "Vad letar du efter?",
    ]


def test_places_merge_only_into_the_text_right_before_them() -> None:
    replies = [
        {"text": ANSWER},
        {"custom": {"type": "unknown"}},
        places_reply(place(1, "Testapotek Ronneby Centrum")),
    ]
    messages = widget_messages(replies)
    assert len(messages) == 2
    assert messages[0]["text"] == ANSWER
    assert "places" not in messages[0]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("website", "javascript:alert(1)", None),
        ("website", "data:text/html,<script>alert(1)</script>", None),
        ("website", "  https://ok.example/  ", "https://ok.example/"),
        ("map_url", "//evil.example", None),
        ("map_url", "https://www.openstreetmap.org/?a\nb", None),
        ("open_now", "yes", None),
        ("phone", 4571234, None),
        ("name", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ],
)
def test_place_fields_are_cleaned(field: str, value: object, expected: object) -> None:
    raw = place(1, "Testbutik")
    raw[field] = value
    [message] = widget_messages([places_reply(raw)])
    assert message["places"][0][field] == expected  # type: ignore[literal-required]


def test_places_without_a_name_are_left_out_and_the_list_is_capped() -> None:
    many = [place(i + 1, f"Ställe {i + 1}") for i in range(MAX_PLACES + 5)]
    [message] = widget_messages([places_reply({"number": 0}, *many)])
    assert len(message["places"]) == MAX_PLACES - 1
    assert message["places"][0]["name"] == "Ställe 1"


def test_long_text_is_cut() -> None:
    [message] = widget_messages([{"text": "a" * 10_000}])
    assert len(message["text"]) == 4000


@pytest.mark.parametrize(
    ("text", "numbers", "expected"),
    [
        ("A:\n1. x\n2. y\nB", [1, 2], ("A:", "B")),
        ("A:\n3. x\nB\nC", [3], ("A:", "B\nC")),
        ("1. x", [1], ("", "")),
        ("A:\n1. x", [2], None),
        ("A:\nG1:\n1. x\nG2:\n1. y\nB", [1], ("A:\nG1:\nG2:", "B")),
    ],
)
def test_split_listing(
    text: str, numbers: list[int], expected: tuple[str, str] | None
) -> None:
    assert split_listing(text, numbers) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.apoteket.se/", "https://www.apoteket.se/"),
        ("http://example.se", "http://example.se"),
        ("HTTPS://EXAMPLE.SE", "HTTPS://EXAMPLE.SE"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("vbscript:x", None),
        ("https://", None),
        ("www.example.se", None),
        (None, None),
        (42, None),
    ],
)
def test_safe_link(value: object, expected: str | None) -> None:
    assert safe_link(value) == expected


def test_the_channels_no_reply_message_is_shown_as_its_text() -> None:
    # the mark is for clients that count failures; the resident sees the words
    [message] = widget_messages([no_reply_message("abc", "en")])
    assert message["text"] == no_reply_text("en")
