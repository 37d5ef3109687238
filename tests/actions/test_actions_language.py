"""action_detect_language and the form's handling of new questions (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest
from action_support import DOMAIN, call, ent, make_tracker, run_action

from actions.find_service import ValidateFindServiceForm, outside_blekinge_note
from actions.language import ActionDetectLanguage
from bot.language import message_language
from bot.lotsen import get_lotsen


def _with_metadata(text: str, metadata: dict[str, Any], **kwargs: Any) -> Any:
    tracker = make_tracker(text, **kwargs)
    tracker.latest_message["metadata"] = metadata
    return tracker


@pytest.mark.parametrize(
    ("text", "before", "expected"),
    [
        ("where is the nearest pharmacy in Karlshamn?", "sv", {"language": "en"}),
        ("var finns närmaste apotek?", "en", {"language": "sv"}),
        ("hello", None, {"language": "en"}),
        ("hej", "en", {"language": "sv"}),
        ("ok", "en", {}),  # both languages write "ok": keep the conversation's
        ("Jämjö", "en", {}),  # a place name says nothing
        ('/inform{"service_type": "apotek"}', "en", {}),
        ("hello", "en", {}),  # already English: nothing to set
    ],
)
def test_language_follows_the_latest_message(
    text: str, before: str | None, expected: dict[str, str]
) -> None:
    reply = run_action(
        ActionDetectLanguage(), make_tracker(text, slots={"language": before})
    )
    assert reply.slots == expected
    assert reply.messages == []


def test_place_names_do_not_make_a_message_swedish() -> None:
    text = "pharmacy in Bräkne-Hoby"
    tracker = make_tracker(
        text, entities=[ent("location", "Bräkne-Hoby", text)], slots={"language": "sv"}
    )
    assert run_action(ActionDetectLanguage(), tracker).slots == {"language": "en"}


def test_the_page_language_decides_only_when_the_text_cannot() -> None:
    page = {"language": "en", "language_source": "page"}
    short = _with_metadata("Tving", page, slots={"language": None})
    assert run_action(ActionDetectLanguage(), short).slots == {"language": "en"}
    swedish = _with_metadata("var finns ett apotek", page, slots={"language": None})
    assert run_action(ActionDetectLanguage(), swedish).slots == {"language": "sv"}


def test_the_residents_switch_wins() -> None:
    switch = {"language": "en", "language_source": "switch"}
    tracker = _with_metadata("var finns ett apotek", switch, slots={"language": "sv"})
    assert run_action(ActionDetectLanguage(), tracker).slots == {"language": "en"}


def test_message_language_without_metadata() -> None:
    assert message_language("thank you very much") == "en"
    assert message_language("tack så mycket") == "sv"
    assert message_language("Jämjö") is None


# --- never an old slot for a new question ---------------------------------------


def _extract(tracker: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    out = call(
        ValidateFindServiceForm().extract_service_type(dispatcher, tracker, DOMAIN)
    )
    return out, dispatcher.messages


def test_a_new_question_without_a_known_service_drops_the_old_type() -> None:
    text = "var finns närmaste flörpautomat i Ronneby?"
    tracker = make_tracker(
        text,
        intent="find_service",
        entities=[ent("location", "Ronneby", text)],
        slots={"service_type": "uttagsautomat", "carrier": "dhl"},
    )
    out, messages = _extract(tracker)
    assert out == {"service_type": None, "carrier": None}
    assert [m.get("response") for m in messages] == ["utter_unknown_service_type"]


def test_a_follow_up_with_a_new_type_keeps_the_place_and_drops_the_carrier() -> None:
    text = "och apotek då?"
    tracker = make_tracker(
        text,
        intent="inform",
        entities=[ent("service_type", "apotek", text)],
        slots={"service_type": "paketombud", "carrier": "dhl", "location": "Jämjö"},
    )
    out, messages = _extract(tracker)
    assert out == {"carrier": None}
    assert messages == []


def test_a_place_answer_to_where_keeps_the_type() -> None:
    tracker = make_tracker(
        "jag är i Tving",
        intent="find_service",
        slots={"service_type": "apotek", "requested_slot": "location"},
    )
    out, _messages = _extract(tracker)
    assert out == {}


def test_a_first_question_without_a_type_is_just_asked() -> None:
    tracker = make_tracker("jag letar efter något", intent="find_service")
    out, messages = _extract(tracker)
    assert out == {} and messages == []


# --- places beyond Blekinge ---------------------------------------------------------


def test_outside_blekinge_note_names_the_kommun_and_where_to_look() -> None:
    lotsen = get_lotsen()
    ryd = lotsen.resolve("Ryd").place
    assert ryd is not None and not ryd.in_blekinge
    origin = lotsen.origin_for_place(ryd)
    assert origin is not None
    swedish = outside_blekinge_note(origin)
    assert swedish.startswith("Ryd ligger i Tingsryds kommun, utanför Blekinge.")
    assert "Jag känner bara till service i Blekinge; närmast i Blekinge" in swedish
    assert "fråga Tingsryds kommun" in swedish
    english = outside_blekinge_note(origin, "en")
    assert english.startswith(
        "Ryd is in Tingsryd municipality (Kronoberg), outside Blekinge."
    )
