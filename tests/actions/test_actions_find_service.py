"""`actions/find_service.py`: the form's validator, the answer and "visa fler"."""

from __future__ import annotations

from typing import Any

import pytest
from action_support import (
    DOMAIN,
    FRESH,
    REGISTRY,
    Reply,
    call,
    ent,
    make_tracker,
    run_action,
)
from rasa_sdk.executor import CollectingDispatcher

import actions.common
import bot.lotsen
from actions.find_service import (
    ActionFindService,
    ActionMoreResults,
    ValidateFindServiceForm,
)
from bot.errors import KnowledgeError

FORM = "find_service_form"
FORM_SLOTS = ["service_type", "location"]
RONNEBY = {"location": "Ronneby", "place_id": "1081-ronneby"}
JAMJO = {"location": "Jämjö", "place_id": "1080-jamjo"}
#: A shared position in Jämjö (the fake "Testbutik Jämjö" is 0,1 km away).
IN_JAMJO = {"latitude": 56.1915, "longitude": 15.8405}
#: Every dagligvaror point of the fake registry.
ALL_GROCERY_SHOPS = {
    "Testbutik Rödeby",
    "Testbutik Jämjö",
    "Testombud Eringsboda",
    "Testbutik Coop Mjällby",
    "Testbutik Kyrkhult",
    "Testbutik Tving",
    "Testbutik Karlskrona Nord",
    "Testbutik Karlskrona Syd",
    "Testbutik Ronneby",
}


@pytest.fixture()
def form() -> ValidateFindServiceForm:
    return ValidateFindServiceForm()


def validate(form: ValidateFindServiceForm, method: str, value: Any) -> Reply:
    """Call one `validate_<slot>` method; its result lands in `Reply.events`."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("", active_loop=FORM)
    result = call(getattr(form, method)(value, dispatcher, tracker, DOMAIN))
    events = [{"event": "slot", "name": k, "value": v} for k, v in result.items()]
    return Reply(events, dispatcher.messages)


def extract(form: ValidateFindServiceForm, **tracker_args: Any) -> dict[str, Any]:
    dispatcher = CollectingDispatcher()
    found = call(
        form.extract_location(dispatcher, make_tracker(**tracker_args), DOMAIN)
    )
    assert dispatcher.messages == []
    return dict(found)


def required(form: ValidateFindServiceForm, slots: dict[str, Any]) -> list[str]:
    tracker = make_tracker("", slots=slots, active_loop=FORM)
    dispatcher = CollectingDispatcher()
    found = call(form.required_slots(list(FORM_SLOTS), dispatcher, tracker, DOMAIN))
    assert dispatcher.messages == []
    return list(found)


def page_names(text: str) -> list[str]:
    """The point names of the numbered lines of an answer."""
    names = []
    for line in text.splitlines():
        number, dot, rest = line.partition(". ")
        if dot and number.isdigit():
            names.append(rest.split(",")[0])
    return names


# --- the form: which slots it needs ---------------------------------------------


def test_form_validator_is_named_for_the_domain_form(
    form: ValidateFindServiceForm,
) -> None:
    assert form.name() == "validate_find_service_form"
    assert form.domain_slots(DOMAIN) == FORM_SLOTS


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({}, ["service_type", "location"]),
        (RONNEBY, ["service_type", "location"]),
        (IN_JAMJO, ["service_type"]),
        ({**IN_JAMJO, "location": "Jämjö"}, ["service_type", "location"]),
        ({"latitude": 56.19}, ["service_type", "location"]),  # half a position
        ({"latitude": 0.0, "longitude": 0.0}, ["service_type"]),  # 0 is a number
    ],
    ids=["nothing", "place", "position", "position-and-place", "half", "zero"],
)
def test_required_slots_skip_the_place_when_a_position_was_shared(
    form: ValidateFindServiceForm, slots: dict[str, Any], expected: list[str]
) -> None:
    assert required(form, slots) == expected


# --- the form: service type --------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("affär", "dagligvaror"),
        ("mataffär", "dagligvaror"),
        ("ICA", "dagligvaror"),
        ("macka", "drivmedel"),
        ("bankomat", "uttagsautomat"),
        ("apoteksombud", "apoteksombud"),
        ("vårdcentral", "vårdcentral"),
        (["apotek", "affär"], "dagligvaror"),  # two entities: the last one
    ],
)
def test_service_type_synonyms_become_the_category_id(
    form: ValidateFindServiceForm, word: Any, expected: str
) -> None:
    reply = validate(form, "validate_service_type", word)
    assert reply.slots == {"service_type": expected}
    assert reply.messages == []


@pytest.mark.parametrize("word", ["frisör", "skomakare", "xyzzy"])
def test_unknown_service_type_is_cleared_and_explained(
    form: ValidateFindServiceForm, word: str
) -> None:
    reply = validate(form, "validate_service_type", word)
    assert reply.slots == {"service_type": None}
    assert reply.responses == ["utter_unknown_service_type"]
    assert "Jag förstod inte vilken sorts service du letar efter" in reply.text


@pytest.mark.parametrize("value", [None, "", "   ", []])
def test_empty_service_type_changes_nothing(
    form: ValidateFindServiceForm, value: Any
) -> None:
    reply = validate(form, "validate_service_type", value)
    assert reply.events == [] and reply.messages == []


# --- the form: place ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "place_id"),
    [
        ("Ronneby", "Ronneby", "1081-ronneby"),
        ("jamjo", "Jämjö", "1080-jamjo"),
        ("bräkne hoby", "Bräkne-Hoby", "1081-brakne-hoby"),
        (["Jämjö", "Kyrkhult"], "Kyrkhult", "1060-kyrkhult"),
    ],
)
def test_known_place_sets_our_name_and_id_and_drops_a_position(
    form: ValidateFindServiceForm, text: Any, name: str, place_id: str
) -> None:
    reply = validate(form, "validate_location", text)
    assert reply.slots == {
        "location": name,
        "place_id": place_id,
        "latitude": None,
        "longitude": None,
    }
    assert reply.messages == []


def test_ambiguous_place_asks_with_a_button_per_place(
    form: ValidateFindServiceForm,
) -> None:
    reply = validate(form, "validate_location", "Jämjö eller Lyckeby")
    assert reply.slots == {"location": None, "place_id": None}
    assert reply.responses == ["utter_ambiguous_place"]
    assert reply.text == (
        "Det finns flera orter som heter Jämjö eller Lyckeby. Vilken menar du?"
    )
    assert reply.buttons == [
        {
            "title": "Jämjö (Karlskrona kommun)",
            "payload": '/inform{"location": "Jämjö (Karlskrona kommun)"}',
        },
        {
            "title": "Lyckeby (Karlskrona kommun)",
            "payload": '/inform{"location": "Lyckeby (Karlskrona kommun)"}',
        },
    ]


@pytest.mark.parametrize(
    ("label", "place_id"),
    [
        ("Jämjö (Karlskrona kommun)", "1080-jamjo"),
        ("Lyckeby (Karlskrona kommun)", "1080-lyckeby"),
    ],
)
def test_a_button_of_the_ambiguous_answer_resolves_to_its_place(
    form: ValidateFindServiceForm, label: str, place_id: str
) -> None:
    reply = validate(form, "validate_location", label)
    assert reply.slots["place_id"] == place_id
    assert reply.messages == []


def test_unknown_place_is_cleared_and_named_back(
    form: ValidateFindServiceForm,
) -> None:
    reply = validate(form, "validate_location", "Xyzzyköping")
    assert reply.slots == {"location": None, "place_id": None}
    assert reply.responses == ["utter_unknown_place"]
    assert reply.text.startswith('Jag hittar ingen ort som heter "Xyzzyköping"')


def test_place_outside_the_area_says_so(form: ValidateFindServiceForm) -> None:
    reply = validate(form, "validate_location", "Malmö")
    assert reply.slots == {"location": None, "place_id": None}
    assert reply.responses == ["utter_place_outside_area"]
    assert reply.text.startswith('"Malmö" ligger utanför området')


def test_long_unknown_place_is_shortened_when_repeated(
    form: ValidateFindServiceForm,
) -> None:
    reply = validate(form, "validate_location", "Xyzzy" * 20)
    assert reply.responses == ["utter_unknown_place"]
    assert '"' + "Xyzzy" * 7 + "Xyzz…" + '"' in reply.text


@pytest.mark.parametrize("text", ["Tjurkö", "Senoren", "373 63"])
def test_place_without_coordinates_moves_the_resident_on(
    form: ValidateFindServiceForm, text: str
) -> None:
    # Tjurkö's own postcode has no position either: asking for a postcode
    # would be a dead end. The answer offers what works instead.
    reply = validate(form, "validate_location", text)
    assert reply.slots == {"location": None, "place_id": None}
    assert "men inte exakt var" in reply.text
    assert "Dela din position" in reply.text
    assert "by eller tätort som ligger närmast" in reply.text
    assert "postnummer" not in reply.text


def test_a_kommun_means_the_whole_kommun(form: ValidateFindServiceForm) -> None:
    reply = validate(form, "validate_location", "Ronneby kommun")
    assert reply.slots == {"location": None, "place_id": None}
    assert reply.text.startswith("Ronneby kommun är en hel kommun.")
    buttons = [b["title"] for m in reply.messages for b in m.get("buttons") or []]
    assert "Kallinge" in buttons and "Ronneby" in buttons


def test_villages_from_every_source_are_places(form: ValidateFindServiceForm) -> None:
    for name in ("Kristianopel", "Brömsebro", "Gammalstorp", "Saxemara", "Åryd"):
        reply = validate(form, "validate_location", name)
        assert reply.slots.get("place_id"), (name, reply.text)


@pytest.mark.parametrize("value", [None, "", []])
def test_empty_place_changes_nothing(form: ValidateFindServiceForm, value: Any) -> None:
    reply = validate(form, "validate_location", value)
    assert reply.events == [] and reply.messages == []


# --- the form: a place the NLU missed ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("Xyzzyköping", "inform", "Xyzzyköping"),
        ("jag bor i Xyzzyköping", "inform", "Xyzzyköping"),
        ("Xyzzyköping", "nlu_fallback", "Xyzzyköping"),
        ("Xyzzyköping", "find_service", "Xyzzyköping"),
        ("en by " + "lång " * 30, "inform", ("en by " + "lång " * 30)[:80].strip()),
    ],
)
def test_the_whole_answer_is_the_place_when_the_bot_asked_for_it(
    form: ValidateFindServiceForm, text: str, intent: str, expected: str
) -> None:
    found = extract(
        form,
        text=text,
        intent=intent,
        slots={"requested_slot": "location", "service_type": "apotek"},
        active_loop=FORM,
    )
    assert found == {"location": expected[:80]}


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("Ronneby", "inform", [ent("location", "Ronneby", "Ronneby")]),
        ("hej", "greet", []),
        ("apotek", "inform", [ent("service_type", "apotek", "apotek")]),
        ('/inform{"location": "Ronneby"}', "inform", []),
        ("", "inform", []),
        ("/share_location", "share_location", [ent("latitude", 56.2)]),
    ],
    ids=["entity", "other-intent", "service-type", "button", "empty", "position"],
)
def test_asked_for_place_is_not_extracted_from_other_answers(
    form: ValidateFindServiceForm,
    text: str,
    intent: str,
    entities: list[dict[str, Any]],
) -> None:
    found = extract(
        form,
        text=text,
        intent=intent,
        entities=entities,
        slots={"requested_slot": "location"},
        active_loop=FORM,
    )
    assert found == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("närmaste apotek i Xyzzyköping?", {"location": "Xyzzyköping"}),
        ("finns det en affär nära Xyzzy by tack", {"location": "Xyzzy by"}),
        ("närmaste apotek", {}),
        ("har apoteket öppet i dag", {}),
        ("apotek på söndag", {}),
    ],
)
def test_place_after_a_preposition_is_extracted_when_not_asked_for(
    form: ValidateFindServiceForm, text: str, expected: dict[str, str]
) -> None:
    found = extract(form, text=text, intent="find_service", active_loop=FORM)
    assert found == expected


def test_place_entity_wins_over_the_preposition_rule(
    form: ValidateFindServiceForm,
) -> None:
    text = "apotek i Ronneby"
    found = extract(
        form,
        text=text,
        intent="find_service",
        entities=[ent("location", "Ronneby", text)],
        active_loop=FORM,
    )
    assert found == {}


# --- the form: a whole validation turn, as Rasa calls it --------------------------


def test_form_turn_with_type_and_place(form: ValidateFindServiceForm) -> None:
    text = "finns det någon affär i Jämjö"
    tracker = make_tracker(
        text,
        intent="find_service",
        entities=[ent("service_type", "affär", text), ent("location", "Jämjö", text)],
        slot_candidates={"service_type": "affär", "location": "Jämjö"},
        active_loop=FORM,
    )
    reply = run_action(form, tracker)
    assert reply.slots == {
        "service_type": "dagligvaror",
        "location": "Jämjö",
        "place_id": "1080-jamjo",
        "latitude": None,
        "longitude": None,
    }
    assert reply.messages == []


def test_form_turn_with_an_unknown_place_the_nlu_missed(
    form: ValidateFindServiceForm,
) -> None:
    tracker = make_tracker(
        "Xyzzyköping",
        intent="inform",
        slots={"service_type": "apotek", "requested_slot": "location"},
        active_loop=FORM,
    )
    reply = run_action(form, tracker)
    assert reply.slots == {"location": None, "place_id": None}
    assert reply.responses == ["utter_unknown_place"]
    assert '"Xyzzyköping"' in reply.text


def test_form_turn_with_a_shared_position_completes_without_a_place(
    form: ValidateFindServiceForm,
) -> None:
    text = "jag behöver en macka"
    tracker = make_tracker(
        text,
        intent="find_service",
        entities=[ent("service_type", "drivmedel", text, written="macka")],
        slots=IN_JAMJO,
        slot_candidates={"service_type": "drivmedel"},
        active_loop=FORM,
    )
    reply = run_action(form, tracker)
    assert reply.events == [
        {
            "event": "slot",
            "timestamp": None,
            "name": "service_type",
            "value": "drivmedel",
        },
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
    ]


def test_form_turn_with_an_unknown_service_type_asks_again(
    form: ValidateFindServiceForm,
) -> None:
    tracker = make_tracker(
        "frisör",
        intent="inform",
        entities=[ent("service_type", "frisör", "frisör")],
        slots=IN_JAMJO,
        slot_candidates={"service_type": "frisör"},
        active_loop=FORM,
    )
    reply = run_action(form, tracker)
    assert reply.slots == {"service_type": None, "requested_slot": "service_type"}
    assert reply.responses == ["utter_unknown_service_type"]


# --- the answer -------------------------------------------------------------------


def test_nearest_pharmacies_from_a_place() -> None:
    tracker = make_tracker(
        "närmaste apotek i Ronneby", slots={"service_type": "apotek", **RONNEBY}
    )
    reply = run_action(ActionFindService(), tracker)
    assert reply.slots == {
        "last_search": {"category": "apotek", "place_id": "1081-ronneby"},
        "results_shown": 3.0,
    }
    assert reply.responses == [None, None]  # the text, then the places as data
    lines = reply.text.splitlines()
    assert lines[0] == "Närmaste apotek från Ronneby:"
    assert lines[1] == (
        "1. Testapotek Ronneby Centrum, Exempelgatan 3, Ronneby: 80 m "
        "(cirka 100 m på väg). I dag 9–18, öppet nu, stänger kl. 18."
    )
    assert lines[2].startswith("2. Testapotek Kallinge, Kallinge: 4,1 km")
    assert lines[3].startswith("3. Testapotek Karlskrona, Karlskrona: 20 km")
    assert lines[4] == "Avstånden är fågelvägen; vägen är en uppskattning."
    assert lines[5].startswith(FRESH)
    assert "visa fler" not in reply.text  # the registry has only three
    payload = reply.messages[1]["custom"]
    assert payload["type"] == "places"
    assert [p["number"] for p in payload["places"]] == [1, 2, 3]
    first = payload["places"][0]
    assert first["name"] == "Testapotek Ronneby Centrum"
    assert first["distance"] == "80 m"
    assert first["open_now"] is True
    assert first["map_url"].startswith("https://www.openstreetmap.org/?mlat=56.21050")
    assert payload["freshness"].startswith(FRESH)


def test_nearest_from_a_shared_position_says_from_you() -> None:
    tracker = make_tracker("affär", slots={"service_type": "dagligvaror", **IN_JAMJO})
    reply = run_action(ActionFindService(), tracker)
    assert reply.text.startswith("Närmaste matbutiker från dig:\n1. Testbutik Jämjö")
    assert 'Skriv "visa fler" om du vill se fler.' in reply.text
    assert reply.slots["last_search"] == {"category": "dagligvaror", "place_id": None}


def test_position_wins_over_an_older_place() -> None:
    tracker = make_tracker(
        "apotek", slots={"service_type": "apotek", **RONNEBY, **IN_JAMJO}
    )
    reply = run_action(ActionFindService(), tracker)
    assert reply.text.startswith("Närmaste apotek från dig:\n1. Testapotek Karlskrona")


@pytest.mark.parametrize("value", ["macka", ["apotek", "macka"]])
def test_unvalidated_synonym_in_the_slot_still_searches(value: Any) -> None:
    tracker = make_tracker("macka", slots={"service_type": value, **JAMJO})
    reply = run_action(ActionFindService(), tracker)
    assert reply.text.startswith(
        "Närmaste bensinstationer från Jämjö:\n1. Testmack Tving"
    )


def test_category_without_data_says_so_and_offers_a_digital_alternative() -> None:
    tracker = make_tracker(
        "vårdcentral", slots={"service_type": "vårdcentral", **JAMJO}
    )
    reply = run_action(ActionFindService(), tracker)
    assert reply.text.startswith(
        "Jag har tyvärr inga uppgifter om vårdcentraler ännu, "
        "så jag kan inte säga var närmaste finns."
    )
    assert "\nDet här kan du göra i stället: " in reply.text
    assert "1177" in reply.text
    assert reply.slots["results_shown"] == 0.0


def test_category_without_data_and_without_knowledge_still_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise KnowledgeError("data/knowledge/digitala_alternativ.yml", "filen saknas")

    monkeypatch.setattr(actions.common, "load_knowledge", broken)
    tracker = make_tracker("bibliotek", slots={"service_type": "bibliotek", **JAMJO})
    reply = run_action(ActionFindService(), tracker)
    assert reply.text == (
        "Jag har tyvärr inga uppgifter om bibliotek ännu, "
        "så jag kan inte säga var närmaste finns."
    )


def test_pharmacy_agent_falls_back_to_the_nearest_pharmacy() -> None:
    tracker = make_tracker(
        "apoteksombud", slots={"service_type": "apoteksombud", **RONNEBY}
    )
    reply = run_action(ActionFindService(), tracker)
    assert "Jag har tyvärr inga uppgifter om apoteksombud ännu" in reply.text
    assert (
        "Närmaste apotek jag känner till från Ronneby:\n1. Testapotek Ronneby Centrum"
        in reply.text
    )
    assert FRESH in reply.text


@pytest.mark.parametrize(
    ("slots", "response"),
    [
        (RONNEBY, "utter_ask_service_type"),
        ({"service_type": "frisör", **RONNEBY}, "utter_ask_service_type"),
        ({"service_type": "apotek"}, "utter_ask_location"),
        ({"service_type": "apotek", "place_id": "finns-inte"}, "utter_ask_location"),
        (
            {"service_type": "apotek", "latitude": 55.6, "longitude": 13.0},
            "utter_ask_location",
        ),
    ],
    ids=["no-type", "unknown-type", "no-place", "stale-place-id", "position-outside"],
)
def test_missing_type_or_place_is_asked_for(
    slots: dict[str, Any], response: str
) -> None:
    reply = run_action(ActionFindService(), make_tracker("", slots=slots))
    assert reply.responses == [response]
    assert reply.events == []


# --- "visa fler" --------------------------------------------------------------------


def test_more_results_page_to_the_end_without_repeating() -> None:
    slots: dict[str, Any] = {"service_type": "dagligvaror", **JAMJO}
    reply = run_action(ActionFindService(), make_tracker("affär", slots=slots))
    pages = [reply.text]
    seen = page_names(reply.text)
    slots.update(reply.slots)
    for _ in range(10):
        reply = run_action(
            ActionMoreResults(),
            make_tracker("visa fler", intent="ask_more_results", slots=slots),
        )
        if reply.responses == ["utter_no_more_results"]:
            break
        pages.append(reply.text)
        seen += page_names(reply.text)
        slots.update(reply.slots)
    assert reply.responses == ["utter_no_more_results"]
    assert reply.text == "Det finns inga fler ställen att visa för den sökningen."
    assert reply.events == []
    assert len(pages) == 3
    assert len(seen) == len(set(seen)) == 9
    assert set(seen) == ALL_GROCERY_SHOPS
    assert seen[0] == "Testbutik Jämjö"
    assert pages[1].startswith("Fler matbutiker från Jämjö:\n4. ")
    assert pages[2].startswith("Fler matbutiker från Jämjö:\n7. ")
    assert all('Skriv "visa fler"' in page for page in pages[:2])
    assert "visa fler" not in pages[2]
    assert slots["results_shown"] == 9.0
    assert slots["last_search"] == {"category": "dagligvaror", "place_id": "1080-jamjo"}


def test_more_results_from_a_position() -> None:
    slots = {
        "last_search": {"category": "dagligvaror", "place_id": None},
        "results_shown": 3.0,
        **IN_JAMJO,
    }
    reply = run_action(ActionMoreResults(), make_tracker("visa fler", slots=slots))
    assert reply.text.startswith("Fler matbutiker från dig:\n4. ")
    assert reply.slots["results_shown"] == 6.0


def test_more_results_keep_the_searched_place_after_the_slot_changed() -> None:
    slots = {
        "last_search": {"category": "apotek", "place_id": "1081-ronneby"},
        "results_shown": 1.0,
        **JAMJO,
    }
    reply = run_action(ActionMoreResults(), make_tracker("visa fler", slots=slots))
    assert reply.text.startswith("Fler apotek från Ronneby:\n2. Testapotek Kallinge")


@pytest.mark.parametrize(
    "slots",
    [
        {},
        {"last_search": "apotek"},
        {"last_search": {"category": None}},
        {"last_search": {"category": "frisör", "place_id": "1081-ronneby"}},
        {"last_search": {"category": "apotek", "place_id": None}},  # no position
        {"last_search": {"category": "apotek", "place_id": "finns-inte"}},
    ],
    ids=["none", "not-a-dict", "no-category", "unknown-category", "no-origin", "stale"],
)
def test_more_results_without_a_usable_search(slots: dict[str, Any]) -> None:
    reply = run_action(ActionMoreResults(), make_tracker("visa fler", slots=slots))
    assert reply.responses == ["utter_nothing_to_show_more_of"]
    assert reply.events == []


# --- no registry ------------------------------------------------------------------


@pytest.mark.usefixtures("registry_missing")
@pytest.mark.parametrize(
    ("action", "slots"),
    [
        (ActionFindService(), {"service_type": "apotek", **RONNEBY}),
        (
            ActionMoreResults(),
            {"last_search": {"category": "apotek", "place_id": "1081-ronneby"}},
        ),
    ],
    ids=["find", "more"],
)
def test_registry_unavailable_apologises(action: Any, slots: dict[str, Any]) -> None:
    reply = run_action(action, make_tracker("apotek", slots=slots))
    assert reply.responses == ["utter_registry_unavailable"]
    assert reply.text.startswith("Jag kan inte se mina uppgifter om service just nu.")
    assert reply.events == []


@pytest.mark.usefixtures("registry_missing")
@pytest.mark.parametrize(
    ("method", "value", "cleared"),
    [
        ("validate_service_type", "apotek", {"service_type": None}),
        ("validate_location", "Ronneby", {"location": None}),
    ],
)
def test_registry_unavailable_in_the_form(
    form: ValidateFindServiceForm, method: str, value: str, cleared: dict[str, Any]
) -> None:
    reply = validate(form, method, value)
    assert reply.slots == cleared
    assert reply.responses == ["utter_registry_unavailable"]


def test_registry_comes_back_on_the_next_turn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    missing = tmp_path / "registry.geojson"
    monkeypatch.setenv("SERVICELOTSEN_REGISTRY", str(missing))
    bot.lotsen._lotsen = None
    tracker = make_tracker("apotek", slots={"service_type": "apotek", **RONNEBY})
    try:
        first = run_action(ActionFindService(), tracker)
        missing.write_bytes(REGISTRY.read_bytes())
        second = run_action(ActionFindService(), tracker)
    finally:
        bot.lotsen._lotsen = None
    assert first.responses == ["utter_registry_unavailable"]
    assert second.text.startswith("Närmaste apotek från Ronneby:")
