"""English conversations get English answers from the actions (issue #15
item 5): opening hours, the nearest places, a place beyond Blekinge and a
resident's report, with the `language` slot set to "en".

"Now" is Wednesday 25 November 2026 at 12:00 (conftest).
"""

from __future__ import annotations

from typing import Any

from action_support import ent, make_tracker, run_action

from actions.find_service import ActionFindService
from actions.places import ActionOpeningHours
from actions.report_change import ActionReportChange

EN = {"language": "en"}
#: Swedish words that used to leak into English answers.
SWEDISH_MARKERS = (
    "öppet", "stängt", "stänger", " och ", "ungefärlig", "idag", "i dag",
    "km från", "kl.", "dygnet", "ombud", "paketskåp", "källa", "närmaste",
    "söndag", "kommun ", "uppgift",
)  # fmt: skip


def swedish_in(text: str) -> list[str]:
    # the fake registry's source name is kept as written
    plain = text.replace("testdata (påhittad, för tester)", "").casefold()
    return [m for m in SWEDISH_MARKERS if m in plain]


def hours(text: str, entities: list[dict[str, Any]]) -> Any:
    tracker = make_tracker(text, intent="ask_opening_hours", entities=entities, slots=EN)
    return run_action(ActionOpeningHours(), tracker)


def test_hours_on_a_closed_day_in_english() -> None:
    text = "is Testbutik Jämjö open on Sunday"
    reply = hours(text, [ent("point_name", "Testbutik Jämjö", text)])
    assert reply.text.startswith(
        "Testbutik Jämjö (Provvägen 2, Jämjö) is closed on Sunday 29 November.\n"
    )
    assert swedish_in(reply.text) == []


def test_hours_by_type_and_place_in_english() -> None:
    text = "is the shop in Tving open today"
    reply = hours(
        text,
        [
            ent("service_type", "dagligvaror", text, written="shop"),
            ent("location", "Tving", text),
        ],
    )
    assert reply.text.startswith("Testbutik Tving (Tving) is open today: 9:00–18:00.\n")
    assert swedish_in(reply.text) == []


def test_the_nearest_in_english() -> None:
    tracker = make_tracker(
        "nearest pharmacy in Ronneby",
        slots={"service_type": "apotek", "location": "Ronneby", "place_id": "1081-ronneby", **EN},
    )
    reply = run_action(ActionFindService(), tracker)
    assert reply.text.startswith("Nearest pharmacies from Ronneby:")
    assert "Today " in reply.text and " km (about " in reply.text
    assert swedish_in(reply.text) == []
    payload = [m["custom"] for m in reply.messages if m.get("custom")]
    assert payload and all(
        swedish_in(str(p.get("status") or "")) == [] for p in payload[0]["places"]
    )


def test_a_place_beyond_blekinge_in_english() -> None:
    tracker = make_tracker(
        "petrol station near Ryd",
        slots={"service_type": "drivmedel", "location": "Ryd", "place_id": "0763-ryd", **EN},
    )
    reply = run_action(ActionFindService(), tracker)
    assert "Ryd is in Tingsryd municipality (Kronoberg), outside Blekinge." in reply.text
    assert swedish_in(reply.text) == []


def test_the_thanks_for_a_report_says_what_is_wrong_in_english() -> None:
    tracker = make_tracker(
        "", slots={"report_point": "e2e-1", "report_problem": "hours", **EN}
    )
    reply = run_action(ActionReportChange(), tracker)
    [message] = reply.messages
    assert message["response"] == "utter_report_thanks"
    assert message["problem"] == "has the wrong opening hours in my information"
    assert message["point"] == "Testbutik Rödeby (Rödeby)"
    swedish = run_action(
        ActionReportChange(),
        make_tracker("", slots={"report_point": "e2e-1", "report_problem": "hours"}),
    )
    assert swedish.messages[0]["problem"] == "har fel öppettider i mina uppgifter"


def test_what_there_is_in_a_whole_kommun_in_english() -> None:
    from actions.places import ActionListServices

    text = "what is there in Olofström municipality?"
    tracker = make_tracker(
        text,
        intent="list_services_in_place",
        entities=[ent("location", "Olofström municipality", text)],
        slots=EN,
    )
    reply = run_action(ActionListServices(), tracker)
    assert reply.text.startswith(
        "This is what there is in Olofström municipality according to my information:"
    )
    assert "- Grocery stores: Testbutik Kyrkhult" in reply.text
    assert swedish_in(reply.text) == []
