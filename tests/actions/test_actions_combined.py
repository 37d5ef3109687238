"""Answers that combine what the bot knows: "jag bor i Eringsboda och har ingen
bil, hur kan jag handla mat?" gets the nearest grocery store and the kommun's
home delivery, whichever intent the NLU picks."""

from __future__ import annotations

from action_support import ent, make_tracker, run_action

from actions.find_service import ActionFindService
from actions.knowledge import ActionHomeDelivery
from bot.extract import mentions_no_car

QUESTION = "jag bor i Eringsboda och har ingen bil, hur kan jag handla mat?"
ERINGSBODA = {"location": "Eringsboda", "place_id": "1081-eringsboda"}


def test_no_car_is_recognised() -> None:
    assert mentions_no_car(QUESTION)
    assert mentions_no_car("jag kan inte köra längre")
    assert not mentions_no_car("närmaste matbutik i Jämjö")
    assert not mentions_no_car("jag har körkort och bil")


def test_find_service_without_a_car_adds_the_kommuns_home_delivery() -> None:
    tracker = make_tracker(
        QUESTION,
        intent="find_service",
        entities=[ent("location", "Eringsboda", QUESTION), ent("service_type", "dagligvaror", QUESTION, written="handla mat")],
        slots={"service_type": "dagligvaror", **ERINGSBODA},
    )
    reply = run_action(ActionFindService(), tracker)
    assert reply.texts[0].startswith("Närmaste matbutiker från Eringsboda:")
    assert "1. Testombud Eringsboda" in reply.texts[0]
    delivery = [t for t in reply.texts if t.startswith("Om du inte kan ta dig till butiken:")]
    assert len(delivery) == 1 and "Ronneby" in delivery[0]


def test_find_service_with_a_car_has_no_home_delivery() -> None:
    text = "närmaste matbutik i Eringsboda"
    tracker = make_tracker(
        text,
        intent="find_service",
        entities=[ent("location", "Eringsboda", text)],
        slots={"service_type": "dagligvaror", **ERINGSBODA},
    )
    reply = run_action(ActionFindService(), tracker)
    assert not any(t.startswith("Om du inte kan ta dig") for t in reply.texts)


def test_home_delivery_with_a_place_also_names_the_nearest_store() -> None:
    tracker = make_tracker(
        QUESTION, intent="ask_home_delivery", entities=[ent("location", "Eringsboda", QUESTION)]
    )
    reply = run_action(ActionHomeDelivery(), tracker)
    assert len(reply.texts) == 2
    assert "Ronneby" in reply.texts[0]
    assert reply.texts[1].startswith("Närmaste matbutiker från Eringsboda:")
    assert "Testombud Eringsboda" in reply.texts[1]


def test_home_delivery_finds_the_place_the_nlu_missed() -> None:
    tracker = make_tracker(QUESTION, intent="ask_home_delivery")  # no entities
    reply = run_action(ActionHomeDelivery(), tracker)
    assert "Ronneby" in reply.texts[0]
    assert reply.texts[-1].startswith("Närmaste matbutiker från Eringsboda:")


def test_a_digital_question_without_a_car_gets_delivery_and_the_store() -> None:
    from actions.knowledge import ActionDigitalAlternative

    tracker = make_tracker(QUESTION, intent="ask_digital_alternative")
    reply = run_action(ActionDigitalAlternative(), tracker)
    assert "Ronneby" in reply.texts[0]
    assert reply.texts[-1].startswith("Närmaste matbutiker från Eringsboda:")
