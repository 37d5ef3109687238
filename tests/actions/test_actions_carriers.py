"""Parcel questions by carrier through the real actions, on a fake registry.

tests/fixtures/carriers/registry.geojson (obviously test data): PostNord and
DHL at "Testhandel Jämjö", DB Schenker and Bring at "Testkiosk Jämjö", an
Instabox locker in Jämjö and PostNord at "Testmack Lyckeby".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from action_support import DOMAIN, REPO, call, ent, make_tracker, run_action
from rasa_sdk.executor import CollectingDispatcher

import bot.lotsen
from actions.find_service import (
    ActionFindService,
    ActionMoreResults,
    ValidateFindServiceForm,
    asked_carrier,
)

CARRIERS = REPO / "tests" / "fixtures" / "carriers" / "registry.geojson"
JAMJO = {"location": "Jämjö", "place_id": "1080-jamjo"}


@pytest.fixture(scope="module", autouse=True)
def fake_registry() -> Iterator[Path]:
    """This module's actions read the carriers' fake registry."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SERVICELOTSEN_REGISTRY", str(CARRIERS))
        bot.lotsen._lotsen = None
        yield CARRIERS
    bot.lotsen._lotsen = None


def _places(reply_messages: list[dict[str, object]]) -> list[str]:
    for message in reply_messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "places":
            return [str(p["id"]) for p in custom["places"]]
    return []


def test_a_carrier_entity_lists_only_that_carriers_points() -> None:
    text = "var kan jag hämta ett paket från PostNord i Jämjö"
    tracker = make_tracker(
        text,
        intent="find_service",
        entities=[ent("carrier", "postnord", text, written="PostNord")],
        slots={"service_type": "paketombud", **JAMJO},
    )
    reply = run_action(ActionFindService(), tracker)
    assert reply.texts[0].startswith("Närmaste PostNord-ombud från Jämjö:")
    assert "Testkiosk" not in reply.text and "Instabox" not in reply.text
    assert _places(reply.messages) == ["tc-1", "tc-4"]
    assert reply.slots["last_search"]["carrier"] == "postnord"


def test_without_a_carrier_every_parcel_point_with_its_carriers() -> None:
    text = "paketombud i Jämjö"
    tracker = make_tracker(
        text,
        intent="find_service",
        entities=[ent("service_type", "paketombud", text)],
        slots={"service_type": "paketombud", "carrier": "postnord", **JAMJO},
    )
    reply = run_action(ActionFindService(), tracker)
    assert reply.texts[0].startswith("Närmaste paketombud från Jämjö:")
    assert "Ombud för DB Schenker och Bring." in reply.text
    assert "Instabox paketskåp, Testvägen 1, Jämjö" in reply.text


def test_the_carrier_slot_carries_over_to_a_bare_place_answer() -> None:
    tracker = make_tracker(
        "Jämjö",
        intent="inform",
        entities=[ent("location", "Jämjö", "Jämjö")],
        slots={"service_type": "paketombud", "carrier": "instabox", **JAMJO},
    )
    assert asked_carrier(tracker, "paketombud") == "instabox"
    assert asked_carrier(tracker, "apotek") is None
    reply = run_action(ActionFindService(), tracker)
    assert reply.texts[0].startswith("Närmaste Instabox paketskåp från Jämjö:")
    assert "Uppgiften är från 2021 och kan ha ändrats." in reply.text


def test_visa_fler_keeps_the_carrier() -> None:
    tracker = make_tracker(
        "visa fler",
        intent="ask_more_results",
        slots={
            "last_search": {"category": "paketombud", "place_id": "1080-jamjo", "carrier": "postnord"},
            "results_shown": 1.0,
            **JAMJO,
        },
    )
    reply = run_action(ActionMoreResults(), tracker)
    assert reply.texts[0].startswith("Fler PostNord-ombud från Jämjö:")
    assert _places(reply.messages) == ["tc-4"]


def test_a_carrier_alone_means_a_parcel_point() -> None:
    text = "var hämtar jag mitt DHL-paket"
    tracker = make_tracker(
        text,
        intent="find_service",
        entities=[ent("carrier", "dhl", text, written="DHL")],
        active_loop="find_service_form",
    )
    found = call(
        ValidateFindServiceForm().extract_service_type(
            CollectingDispatcher(), tracker, DOMAIN
        )
    )
    assert found == {"service_type": "paketombud"}


def test_a_carrier_the_registry_lacks_is_said_plainly() -> None:
    text = "UPS i Jämjö"
    tracker = make_tracker(
        text,
        intent="find_service",
        entities=[ent("carrier", "ups", text, written="UPS")],
        slots={"service_type": "paketombud", **JAMJO},
    )
    reply = run_action(ActionFindService(), tracker)
    assert reply.texts[0].startswith("Jag har tyvärr inga uppgifter om var UPS lämnar ut paket.")
    assert _places(reply.messages) == []
