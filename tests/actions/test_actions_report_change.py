"""Residents' reports ("Testbutik Rödeby har stängt", the card's "Stämmer inte?")
through the real form validator and actions, on the fake registry."""

from __future__ import annotations

from typing import Any

from action_support import DOMAIN, call, ent, make_tracker, run_action
from rasa_sdk.executor import CollectingDispatcher

from actions.report_change import (
    ActionAskReportPoint,
    ActionReportChange,
    ValidateReportChangeForm,
)
from bot.change_reports import MAX_REPORTS_PER_CONVERSATION, MAX_TEXT_CHARS
from bot.outcome import Kind, Outcome, Question

FORM = "report_change_form"


def extract(tracker: Any) -> dict[str, Any]:
    """What the form's validator takes from one message (both slots)."""
    form = ValidateReportChangeForm()
    dispatcher = CollectingDispatcher()
    found: dict[str, Any] = {}
    found.update(call(form.extract_report_point(dispatcher, tracker, DOMAIN)))
    found.update(call(form.extract_report_problem(dispatcher, tracker, DOMAIN)))
    return found


def submit(slots: dict[str, Any], events: list[dict[str, Any]] | None = None) -> Any:
    tracker = make_tracker("", slots=slots)
    tracker.events.extend(events or [])
    return run_action(ActionReportChange(), tracker)


def answered(reply: Any) -> list[tuple[Kind, str | None]]:
    """The outcomes the reply records: (kind, service type), all of question `report`."""
    outcomes: list[Outcome] = reply.outcomes
    assert all(o.question is Question.REPORT for o in outcomes)
    return [(o.kind, o.service_type) for o in outcomes]


def stored(reply: Any) -> dict[str, Any] | None:
    value = reply.slots.get("change_report")
    return value if isinstance(value, dict) else None


def test_a_typed_report_names_the_point_and_what_is_wrong() -> None:
    text = "Testbutik Rödeby har stängt"
    tracker = make_tracker(
        text,
        intent="report_change",
        entities=[ent("point_name", "Testbutik Rödeby", text)],
    )
    found = extract(tracker)
    assert found["report_point"] == "e2e-1"
    assert found["report_problem"] == "closed"
    reply = submit(
        {"report_point": "e2e-1", "report_problem": "closed", "report_note": found["report_note"]}
    )
    assert reply.texts == [
        "Tack! Jag har antecknat att Testbutik Rödeby (Rödeby) har stängt eller inte "
        "finns kvar. En redaktör kontrollerar det innan något ändras i mina svar."
    ]
    report = stored(reply)
    assert report is not None
    assert report["point_id"] == "e2e-1" and report["kind"] == "closed"
    assert report["text"] == text and report["channel"] == "chat"
    assert len(report["date"]) == 10
    assert reply.slots["reports_sent"] == 1.0
    assert answered(reply) == [(Kind.FOUND, None)]
    assert reply.slots["report_point"] is None and reply.slots["report_problem"] is None


def test_the_cards_link_asks_what_is_wrong_then_stores() -> None:
    payload = '/report_change{"point_id": "e2e-2"}'
    tracker = make_tracker(
        payload, intent="report_change", entities=[ent("point_id", "e2e-2")]
    )
    assert extract(tracker) == {"report_point": "e2e-2"}
    assert DOMAIN["responses"]["utter_ask_report_problem"][0]["buttons"]
    button = '/report_change{"change_kind": "hours"}'
    tracker = make_tracker(
        button,
        intent="report_change",
        entities=[ent("change_kind", "hours")],
        slots={"report_point": "e2e-2", "requested_slot": "report_problem"},
        active_loop=FORM,
    )
    assert extract(tracker) == {"report_problem": "hours"}
    report = stored(submit({"report_point": "e2e-2", "report_problem": "hours"}))
    assert report is not None
    assert (report["point_id"], report["kind"], report["channel"]) == ("e2e-2", "hours", "widget")


def test_a_typed_answer_to_what_is_wrong_is_kept_cleaned() -> None:
    text = "de har slutat sälja frimärken, ring mig på 070-123 45 67"
    tracker = make_tracker(
        text,
        intent="inform",
        slots={"report_point": "e2e-2", "requested_slot": "report_problem"},
        active_loop=FORM,
    )
    found = extract(tracker)
    assert found["report_problem"] == "other"
    assert "070" not in found["report_note"] and "<telefonnummer>" in found["report_note"]


def test_the_agent_in_a_village_that_is_gone_is_a_lost_service() -> None:
    text = "ombudet i Eringsboda finns inte kvar"
    tracker = make_tracker(
        text, intent="report_change", entities=[ent("location", "Eringsboda", text)]
    )
    found = extract(tracker)
    assert found["report_point"] == "e2e-6" and found["report_problem"] == "closed"
    report = stored(submit({**found, "report_note": found["report_note"]}))
    assert report is not None
    # a shop that also sells groceries: the agency is gone, not the shop
    assert report["kind"] == "service" and report["category"] == "paketombud"
    assert answered(submit(found)) == [(Kind.FOUND, "paketombud")]


def test_an_unclear_place_gets_buttons_for_its_points() -> None:
    text = "i Kyrkhult stämmer inte uppgifterna"
    tracker = make_tracker(
        text, intent="report_change", entities=[ent("location", "Kyrkhult", text)]
    )
    assert "report_point" not in extract(tracker)
    reply = run_action(ActionAskReportPoint(), tracker)
    assert reply.responses == ["utter_ask_report_which"]
    payloads = [b["payload"] for b in reply.buttons]
    assert payloads == [
        '/report_change{"point_id": "e2e-8"}',
        '/report_change{"point_id": "e2e-9"}',
    ]


def test_an_unknown_point_stores_nothing_and_says_so() -> None:
    tracker = make_tracker(
        '/report_change{"point_id": "<script>alert(1)</script>"}',
        intent="report_change",
        entities=[ent("point_id", "<script>alert(1)</script>")],
    )
    found = extract(tracker)
    assert found["report_point"] == "-"
    dispatcher = CollectingDispatcher()
    validated = ValidateReportChangeForm().validate_report_point(
        found["report_point"], dispatcher, tracker, DOMAIN
    )
    assert validated == {"report_point": "-", "report_problem": "-"}
    assert [m.get("response") for m in dispatcher.messages] == ["utter_report_point_unknown"]
    reply = submit(validated)
    assert stored(reply) is None and reply.texts == []
    assert answered(reply) == [(Kind.NO_DATA, None)]


def test_a_10_kb_message_with_markup_is_capped_and_stripped() -> None:
    text = "Testbutik Tving har stängt <img src=x onerror=alert(1)> " + "å" * 10_000
    tracker = make_tracker(
        text, intent="report_change", entities=[ent("point_name", "Testbutik Tving", text)]
    )
    found = extract(tracker)
    assert found["report_point"] == "e2e-11"
    note = found["report_note"]
    assert len(note) <= MAX_TEXT_CHARS and "<" not in note and "onerror" not in note
    report = stored(submit(found))
    assert report is not None and len(report["text"]) <= MAX_TEXT_CHARS


def test_a_burst_of_reports_is_capped_per_conversation() -> None:
    earlier = [
        {
            "event": "slot",
            "name": "change_report",
            "value": {"point_id": f"e2e-{i}", "kind": "closed"},
        }
        for i in range(1, MAX_REPORTS_PER_CONVERSATION + 1)
    ]
    reply = submit({"report_point": "e2e-12", "report_problem": "closed"}, earlier)
    assert reply.responses == ["utter_report_limit"]
    assert stored(reply) is None
    assert answered(reply) == []  # nothing stored, no question answered


def test_the_same_report_twice_is_stored_once() -> None:
    earlier = [
        {"event": "slot", "name": "change_report", "value": {"point_id": "e2e-1", "kind": "closed"}}
    ]
    reply = submit({"report_point": "e2e-1", "report_problem": "closed"}, earlier)
    assert reply.responses == ["utter_report_already"]
    assert stored(reply) is None
    assert answered(reply) == [(Kind.FOUND, None)]  # the report is on file


def test_cancelling_stores_nothing() -> None:
    tracker = make_tracker(
        "avbryt",
        intent="deny",
        slots={"report_point": "e2e-1", "requested_slot": "report_problem"},
        active_loop=FORM,
    )
    assert extract(tracker) == {"report_problem": "-"}
    reply = submit({"report_point": "e2e-1", "report_problem": "-"})
    assert reply.responses == ["utter_report_cancelled"] and stored(reply) is None
    assert answered(reply) == []


def test_cancelling_when_asked_which_point_records_nothing() -> None:
    tracker = make_tracker(
        "avbryt", intent="deny", slots={"requested_slot": "report_point"}, active_loop=FORM
    )
    found = extract(tracker)
    assert found == {"report_point": "-", "report_problem": "-"}
    reply = run_action(ActionReportChange(), make_tracker("avbryt", intent="deny", slots=found))
    assert stored(reply) is None and answered(reply) == []


def test_a_point_unknown_when_submitted_records_no_data() -> None:
    reply = submit({"report_point": "e2e-404", "report_problem": "closed"})
    assert reply.responses == ["utter_report_point_unknown"] and stored(reply) is None
    assert answered(reply) == [(Kind.NO_DATA, None)]


def test_unreadable_data_records_unavailable(registry_missing: Any) -> None:
    reply = submit({"report_point": "e2e-1", "report_problem": "closed"})
    assert reply.responses == ["utter_registry_unavailable"] and stored(reply) is None
    assert answered(reply) == [(Kind.UNAVAILABLE, None)]


def test_other_intents_are_left_alone_by_the_form() -> None:
    tracker = make_tracker("närmaste apotek i Ronneby", intent="find_service")
    assert extract(tracker) == {}


def test_a_point_already_closed_is_not_reported_again(tmp_path: Any, monkeypatch: Any) -> None:
    import json

    from action_support import REGISTRY

    import bot.lotsen

    data = json.loads(REGISTRY.read_text(encoding="utf-8"))
    props = data["features"][0]["properties"]
    props.update(status="closed", closed_date="2026-11-01",
                 closed_reason="Butiken har stängt (testdata)", closed_source="testdata")  # fmt: skip
    registry = tmp_path / "registry.geojson"
    registry.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("SERVICELOTSEN_REGISTRY", str(registry))
    monkeypatch.setattr(bot.lotsen, "_lotsen", None)
    point_id = props["id"]
    tracker = make_tracker(
        f'/report_change{{"point_id": "{point_id}"}}',
        intent="report_change",
        entities=[ent("point_id", point_id)],
    )
    form = ValidateReportChangeForm()
    dispatcher = CollectingDispatcher()
    found = call(form.extract_report_point(dispatcher, tracker, DOMAIN))
    assert found == {"report_point": "-", "report_problem": "-"}
    assert [m.get("response") for m in dispatcher.messages] == ["utter_report_known_closed"]
    reply = run_action(
        ActionReportChange(),
        make_tracker(
            f'/report_change{{"point_id": "{point_id}"}}',
            intent="report_change",
            entities=[ent("point_id", point_id)],
            slots=found,
        ),
    )
    assert stored(reply) is None and reply.texts == []
    assert answered(reply) == [(Kind.FOUND, None)]  # the bot knew it is closed


def test_a_village_without_the_nlus_place_still_finds_its_agent() -> None:
    text = "ombudet i Eringsboda finns inte kvar"
    tracker = make_tracker(text, intent="report_change")  # no entities at all
    found = extract(tracker)
    assert found["report_point"] == "e2e-6"
