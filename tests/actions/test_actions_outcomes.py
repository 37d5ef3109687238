"""Every answer records its outcome (`bot.outcome`) in the `outcome` slot.

The editors' inbox and the region's report count these records, never the
bot's wording; here each action's answers are checked for the right one.
`Reply.outcomes` also checks each record against the schema.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from action_support import DOMAIN, Reply, call, ent, make_tracker, run_action
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation
from actions.find_service import (
    ActionFindService,
    ActionMoreResults,
    ValidateFindServiceForm,
)
from actions.help import ActionHelp
from actions.knowledge import ActionHomeDelivery, ActionHumanHandoff
from actions.location import ActionShareLocation
from actions.places import ActionListServices, ActionOpeningHours
from actions.report_change import ActionReportChange
from bot.outcome import OUTCOME_SLOT, SHARED_POSITION, Kind, Outcome, Question

IN_JAMJO = {"latitude": 56.1915, "longitude": 15.8405}
FORM = "find_service_form"


def run(action: Action, text: str = "", **kw: Any) -> Reply:
    return run_action(action, make_tracker(text, **kw))


def validate(method: str, value: Any, **slots: Any) -> Reply:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("", active_loop=FORM, slots=slots)
    form = ValidateFindServiceForm()
    result = call(getattr(form, method)(value, dispatcher, tracker, DOMAIN))
    events = [{"event": "slot", "name": k, "value": v} for k, v in result.items()]
    return Reply(events, dispatcher.messages)


# --- finding a service --------------------------------------------------------------


def test_a_search_from_a_place_records_found_type_place_and_distance() -> None:
    reply = run(
        ActionFindService(),
        slots={
            "service_type": "apotek",
            "location": "Ronneby",
            "place_id": "1081-ronneby",
        },
    )
    found = reply.outcome
    assert (found.kind, found.question) == (Kind.FOUND, Question.NEAREST)
    assert (found.service_type, found.place, found.language) == (
        "apotek",
        "1081-ronneby",
        "sv",
    )
    assert found.distance_km is not None and 0 < found.distance_km < 2
    assert found.carrier is None and found.topic is None


def test_a_search_from_a_position_never_records_the_position() -> None:
    reply = run(ActionFindService(), slots={"service_type": "dagligvaror", **IN_JAMJO})
    assert reply.outcome.place == SHARED_POSITION
    assert reply.outcome.distance_km is not None and reply.outcome.distance_km < 0.5
    stored = str(reply.outcome.to_dict())
    assert "56.19" not in stored and "15.84" not in stored


def test_a_type_without_data_records_no_data() -> None:
    reply = run(
        ActionFindService(),
        slots={"service_type": "apoteksombud", "place_id": "1080-tving"},
    )
    assert reply.outcome.kind is Kind.NO_DATA
    assert reply.outcome.service_type == "apoteksombud"
    assert reply.outcome.distance_km is None  # the related apotek is no result


def test_the_form_missing_a_slot_records_that_it_asked() -> None:
    assert run(ActionFindService()).outcome.kind is Kind.ASKED
    asked = run(ActionFindService(), slots={"service_type": "apotek"}).outcome
    assert (asked.kind, asked.service_type) == (Kind.ASKED, "apotek")


def test_more_results_record_their_page_and_the_end() -> None:
    search = {"category": "dagligvaror", "place_id": "1080-jamjo"}
    page = run(
        ActionMoreResults(),
        slots={"last_search": search, "results_shown": 3.0, "place_id": "1080-jamjo"},
    )
    assert (page.outcome.kind, page.outcome.question) == (Kind.FOUND, Question.MORE)
    end = run(
        ActionMoreResults(),
        slots={"last_search": search, "results_shown": 99.0},
    )
    assert (end.outcome.kind, end.outcome.question) == (
        Kind.NONE_WITHIN_LIMIT,
        Question.MORE,
    )
    nothing = run(ActionMoreResults())
    assert (nothing.outcome.kind, nothing.outcome.question) == (
        Kind.ASKED,
        Question.MORE,
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Xyzzyköping", Kind.UNKNOWN_PLACE),
        ("Malmö", Kind.OUTSIDE_AREA),
        ("Jämjö eller Lyckeby", Kind.ASKED),
        ("Tjurkö", Kind.ASKED),
        ("Ronneby kommun", Kind.ASKED),
    ],
)
def test_a_place_the_form_cannot_use_records_why(text: str, kind: Kind) -> None:
    reply = validate("validate_location", text, service_type="apotek")
    assert reply.outcome == Outcome(kind, Question.NEAREST, service_type="apotek")


def test_a_known_place_or_type_in_the_form_records_nothing_yet() -> None:
    assert validate("validate_location", "Ronneby").outcomes == []
    assert validate("validate_service_type", "apotek").outcomes == []


def test_an_unknown_service_type_records_no_data_without_a_type() -> None:
    reply = validate("validate_service_type", "rymdhamn")
    assert reply.outcome == Outcome(Kind.NO_DATA, Question.NEAREST)


# --- position -----------------------------------------------------------------------


def test_a_shared_position_records_its_outcome_without_coordinates() -> None:
    def share(lat: Any, lon: Any, **kw: Any) -> Outcome:
        text = f'/share_location{{"latitude": {lat}, "longitude": {lon}}}'
        entities = [ent("latitude", lat), ent("longitude", lon)]
        return run(ActionShareLocation(), text, entities=entities, **kw).outcome

    assert share(56.1915, 15.8405) == Outcome(
        Kind.ASKED, Question.POSITION, place=SHARED_POSITION
    )
    searched = share(56.1915, 15.8405, slots={"service_type": "dagligvaror"})
    assert (searched.kind, searched.question, searched.place) == (
        Kind.FOUND,
        Question.NEAREST,
        SHARED_POSITION,
    )
    assert share(55.605, 13.0038) == Outcome(
        Kind.OUTSIDE_AREA, Question.POSITION, place=SHARED_POSITION
    )
    assert share("x", "y").kind is Kind.NOT_UNDERSTOOD


def test_a_position_shared_while_the_form_asks_leaves_the_outcome_to_the_answer() -> (
    None
):
    text = '/share_location{"latitude": 56.1915, "longitude": 15.8405}'
    entities = [ent("latitude", 56.1915), ent("longitude", 15.8405)]
    reply = run(ActionShareLocation(), text, entities=entities, active_loop=FORM)
    assert reply.outcomes == []


# --- places and hours ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "location", "kind", "place"),
    [
        ("vad finns i Kyrkhult?", "Kyrkhult", Kind.FOUND, "1060-kyrkhult"),
        ("vad finns i Xyzzyköping?", "Xyzzyköping", Kind.UNKNOWN_PLACE, None),
        ("vad finns här", None, Kind.ASKED, None),
    ],
)
def test_listing_an_ort_records_its_outcome(
    text: str, location: str | None, kind: Kind, place: str | None
) -> None:
    entities = [ent("location", location, text)] if location else []
    reply = run(ActionListServices(), text, entities=entities)
    assert reply.outcome == Outcome(kind, Question.PLACE_LIST, place=place)


@pytest.mark.parametrize(
    ("text", "entities", "kind"),
    [
        (
            "har Testbutik Kyrkhult öppet?",
            [("point_name", "Testbutik Kyrkhult")],
            Kind.FOUND,
        ),
        ("har Xyzzybutiken öppet?", [("point_name", "Xyzzybutiken")], Kind.NO_DATA),
        ("när har apoteket öppet", [("service_type", "apotek")], Kind.ASKED),
        ("när har ni öppet", [], Kind.ASKED),
    ],
)
def test_opening_hours_record_their_outcome(
    text: str, entities: list[tuple[str, str]], kind: Kind
) -> None:
    found = [ent(name, value, text) for name, value in entities]
    reply = run(ActionOpeningHours(), text, entities=found)
    assert (reply.outcome.kind, reply.outcome.question) == (kind, Question.HOURS)


def test_opening_hours_of_the_nearest_record_type_place_and_distance() -> None:
    text = "när har apoteket i Ronneby öppet"
    found = [ent("service_type", "apotek", text, written="apoteket"),
             ent("location", "Ronneby", text)]  # fmt: skip
    reply = run(ActionOpeningHours(), text, entities=found)
    assert reply.outcome.kind is Kind.FOUND
    assert (reply.outcome.service_type, reply.outcome.place) == (
        "apotek",
        "1081-ronneby",
    )
    assert reply.outcome.distance_km is not None


# --- knowledge, help, fallback ------------------------------------------------------------


def test_home_delivery_and_handoff_record_their_outcome() -> None:
    def ask(action: Action, text: str, location: str | None) -> Outcome:
        entities = [ent("location", location, text)] if location else []
        return run(action, text, entities=entities).outcome

    assert ask(ActionHomeDelivery(), "hemleverans i Ronneby", "Ronneby") == Outcome(
        Kind.FOUND, Question.HOME_DELIVERY
    )
    assert ask(ActionHomeDelivery(), "hemleverans?", None) == Outcome(
        Kind.ASKED, Question.HOME_DELIVERY
    )
    assert ask(ActionHumanHandoff(), "människa i Ronneby", "Ronneby") == Outcome(
        Kind.HANDOFF, Question.CONTACT
    )
    assert ask(ActionHumanHandoff(), "människa i Xyzzyköping", "Xyzzyköping") == (
        Outcome(Kind.UNKNOWN_PLACE, Question.CONTACT)
    )


def test_help_and_the_unsure_guess_record_their_outcome() -> None:
    assert run(ActionHelp(), "hjälp").outcome == Outcome(Kind.FOUND, Question.HELP)
    unsure = run(
        ActionDefaultAskAffirmation(),
        "kan ni dela ut varor",
        intent_ranking=[("nlu_fallback", 0.5), ("ask_home_delivery", 0.3)],
    )
    assert unsure.outcome == Outcome(Kind.NOT_UNDERSTOOD, Question.INTENT)


def test_the_language_and_carrier_slots_are_recorded() -> None:
    # (the slots `language` and `carrier` of the contract, when the domain has them)
    slots = {"service_type": "paketombud", "place_id": "1080-jamjo",
             "language": "en", "carrier": "postnord"}  # fmt: skip
    reply = run(ActionFindService(), slots=slots)
    assert (reply.outcome.language, reply.outcome.carrier) == ("en", "postnord")


def test_a_residents_report_records_its_outcome() -> None:
    """Stored: `found` (with the service it names); a point we lack: `no_data`.
    The report itself is its own slot; the outcome names no point."""
    reply = run(
        ActionReportChange(),
        slots={
            "report_point": "e2e-6",
            "report_problem": "closed",
            "report_note": "ombudet i Eringsboda finns inte kvar",
        },
    )
    assert reply.outcome == Outcome(
        Kind.FOUND, Question.REPORT, service_type="paketombud"
    )
    unknown = run(
        ActionReportChange(), slots={"report_point": "e2e-404", "report_problem": "hours"}
    )
    assert unknown.outcome == Outcome(Kind.NO_DATA, Question.REPORT)


def test_the_slot_is_in_the_domain_and_never_steers_the_dialogue() -> None:
    slot = DOMAIN["slots"][OUTCOME_SLOT]
    assert slot["type"] == "any"
    assert slot["influence_conversation"] is False
    assert slot["mappings"] == [{"type": "custom"}]


# --- rewording changes no outcome ----------------------------------------------------------


def _scenarios() -> list[tuple[Action, dict[str, Any]]]:
    hours_text = "har Testbutik Kyrkhult öppet?"
    return [
        (
            ActionFindService(),
            {"slots": {"service_type": "apotek", "place_id": "1081-ronneby"}},
        ),
        (
            ActionFindService(),
            {"slots": {"service_type": "apoteksombud", "place_id": "1080-tving"}},
        ),
        (ActionFindService(), {"slots": {"service_type": "dagligvaror", **IN_JAMJO}}),
        (
            ActionMoreResults(),
            {
                "slots": {
                    "last_search": {
                        "category": "dagligvaror",
                        "place_id": "1080-jamjo",
                    },
                    "results_shown": 3.0,
                }
            },
        ),
        (
            ActionListServices(),
            {"text": "vad finns i Kyrkhult", "entities": [ent("location", "Kyrkhult")]},
        ),
        (
            ActionListServices(),
            {"text": "vad finns i Åryd", "entities": [ent("location", "Åryd")]},
        ),
        (
            ActionOpeningHours(),
            {
                "text": hours_text,
                "entities": [ent("point_name", "Testbutik Kyrkhult", hours_text)],
            },
        ),
        (
            ActionOpeningHours(),
            {
                "text": "Testbutik?",
                "entities": [ent("point_name", "Testbutik", "Testbutik?")],
            },
        ),
        (
            ActionHumanHandoff(),
            {"text": "människa i Ronneby", "entities": [ent("location", "Ronneby")]},
        ),
        (ActionHomeDelivery(), {"text": "hemleverans"}),
        (
            ActionDefaultAskAffirmation(),
            {"text": "hmm", "intent_ranking": [("nlu_fallback", 0.5), ("thank", 0.3)]},
        ),
    ]


def _answers() -> list[tuple[list[str], list[Outcome]]]:
    out = []
    for action, kw in _scenarios():
        text = kw.pop("text", "")
        reply = run(action, text, **kw)
        out.append((reply.texts, reply.outcomes))
    return out


def _reword(template: str) -> str:
    """Other words around the same {names}: "[omskrivet] I DAG {today}, …"."""
    pieces = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        pieces.append(literal.upper().replace("{", "{{").replace("}", "}}"))
        if name is not None:
            pieces.append("{" + name + (f"!{conversion}" if conversion else "")
                          + (f":{spec}" if spec else "") + "}")  # fmt: skip
    return "[omskrivet] " + "".join(pieces)


def test_rewording_every_sentence_changes_no_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every sentence of the catalogue in other words (as an editor or a
    translation would): the residents read something else, the outcomes the
    inbox and the report count stay the same."""
    import bot.messages

    before = _answers()
    original = bot.messages.messages()
    reworded = bot.messages.Messages(
        {key: {"sv": _reword(original.template(key))} for key in original.ids}
    )
    monkeypatch.setattr(bot.messages, "messages", lambda: reworded)
    after = _answers()
    assert [outcomes for _, outcomes in after] == [outcomes for _, outcomes in before]
    assert all(outcomes for _, outcomes in before)
    changed = [b != a for (b, _), (a, _) in zip(before, after, strict=True)]
    # every answer now reads differently
    assert all(changed), changed
