"""`actions/common.py` and the package as the action server loads it."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from action_support import DOMAIN, REGISTRY, make_tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

import actions.common
import bot.lotsen
from actions.common import (
    ECHO_MAX_CHARS,
    echo,
    knowledge,
    lotsen_or_apologise,
    origin_from_slots,
    place_slots,
    resolve_place,
    slot_text,
    warm_up_in_background,
)
from bot.errors import EmbeddingModelError, KnowledgeError
from bot.lotsen import Lotsen, get_lotsen

#: Rasa's own actions the domain lists; the action server need not serve them.
RASA_BUILT_IN = {"action_validate_slot_mappings"}


# --- the package --------------------------------------------------------------------


def test_action_server_serves_every_custom_action_of_the_domain() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(DOMAIN["actions"]) - RASA_BUILT_IN


# --- small helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jämjö", "Jämjö"),
        ("  bräkne \n  hoby ", "bräkne hoby"),
        ("x" * ECHO_MAX_CHARS, "x" * ECHO_MAX_CHARS),
        ("x" * (ECHO_MAX_CHARS + 1), "x" * (ECHO_MAX_CHARS - 1) + "…"),
        (12, "12"),
    ],
)
def test_echo_repeats_at_most_forty_characters(text: Any, expected: str) -> None:
    assert echo(text) == expected
    assert len(echo(text)) <= ECHO_MAX_CHARS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("apotek", "apotek"),
        ("  Jämjö ", "Jämjö"),
        (["Jämjö", "Rödeby"], "Rödeby"),
        ([], None),
        (None, None),
        ("   ", None),
        (56.2, "56.2"),
    ],
)
def test_slot_text(value: Any, expected: str | None) -> None:
    assert slot_text(value) == expected


def test_place_slots_drop_a_position() -> None:
    place = get_lotsen().resolve("Rödeby").place
    assert place is not None
    assert place_slots(place) == {
        "location": "Rödeby",
        "place_id": "1080-rodeby",
        "latitude": None,
        "longitude": None,
    }


# --- places and origins ----------------------------------------------------------


def test_resolve_place_returns_a_known_place_silently() -> None:
    dispatcher = CollectingDispatcher()
    place = resolve_place("Eringsboda", dispatcher, get_lotsen())
    assert place is not None and place.id == "1081-eringsboda"
    assert dispatcher.messages == []


def test_ambiguous_place_offers_at_most_six_buttons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lotsen = get_lotsen()
    many = tuple(p for p in lotsen.gazetteer.places if p.lat is not None)[:9]
    ambiguous = dataclasses.replace(
        lotsen.resolve("Jämjö eller Lyckeby"), candidates=many
    )
    monkeypatch.setattr(lotsen, "resolve", lambda text: ambiguous)
    dispatcher = CollectingDispatcher()
    assert resolve_place("Någonstans", dispatcher, lotsen) is None
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        p.label for p in many[:6]
    ]


@pytest.mark.parametrize(
    ("slots", "label", "municipality"),
    [
        ({"place_id": "1081-kallinge"}, "Kallinge", "Ronneby"),
        ({"latitude": 56.1915, "longitude": 15.8405}, "din position", "Karlskrona"),
        (
            {"place_id": "1081-kallinge", "latitude": 56.1915, "longitude": 15.8405},
            "din position",
            "Karlskrona",
        ),
    ],
    ids=["place", "position", "position-wins"],
)
def test_origin_from_slots(
    slots: dict[str, Any], label: str, municipality: str
) -> None:
    origin = origin_from_slots(make_tracker("", slots=slots), get_lotsen())
    assert origin is not None
    assert (origin.label, origin.municipality) == (label, municipality)


@pytest.mark.parametrize(
    "slots",
    [
        {},
        {"place_id": "finns-inte"},
        {"latitude": 55.605, "longitude": 13.0},  # Malmö
        {"latitude": "abc", "longitude": 15.0},
        {"latitude": 56.19},
        {"place_id": "1080-tjurko"},  # known, without coordinates
    ],
    ids=["nothing", "stale-id", "outside", "invalid", "half", "no-coordinates"],
)
def test_no_origin_from_unusable_slots(slots: dict[str, Any]) -> None:
    assert origin_from_slots(make_tracker("", slots=slots), get_lotsen()) is None


# --- loading ---------------------------------------------------------------------


def test_lotsen_is_loaded_from_the_fake_registry() -> None:
    dispatcher = CollectingDispatcher()
    lotsen = lotsen_or_apologise(dispatcher)
    assert isinstance(lotsen, Lotsen)
    assert {p.id for p in lotsen.registry.points} == {f"e2e-{i}" for i in range(1, 15)}
    assert dispatcher.messages == []
    assert REGISTRY.is_file()


@pytest.mark.usefixtures("registry_missing")
def test_missing_registry_apologises_and_is_tried_again() -> None:
    dispatcher = CollectingDispatcher()
    assert lotsen_or_apologise(dispatcher) is None
    assert lotsen_or_apologise(dispatcher) is None
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_registry_unavailable"
    ] * 2
    assert bot.lotsen._lotsen is None


def test_knowledge_is_none_when_the_files_are_broken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise KnowledgeError("data/knowledge/kommuner.yml", "filen saknas")

    monkeypatch.setattr(actions.common, "load_knowledge", broken)
    assert knowledge() is None


# --- the background warm-up ---------------------------------------------------------


class FakeKnowledge:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls = 0
        self.done = threading.Event()
        self.error = error

    def warm_up(self) -> None:
        self.calls += 1
        self.done.set()
        if self.error is not None:
            raise self.error


@pytest.fixture()
def fresh_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions.common, "_warm_started", threading.Event())


@pytest.mark.usefixtures("fresh_warm_up")
@pytest.mark.parametrize(
    "error",
    [None, EmbeddingModelError("models/x", "folder missing")],
    ids=["ok", "no-model"],
)
def test_warm_up_runs_once_off_the_request_path(
    monkeypatch: pytest.MonkeyPatch, error: Exception | None
) -> None:
    fake = FakeKnowledge(error)
    monkeypatch.setattr(actions.common, "knowledge", lambda: fake)
    warm_up_in_background()
    assert fake.done.wait(5)
    warm_up_in_background()
    for thread in threading.enumerate():
        if thread.name == "knowledge-warm-up":
            thread.join(5)
    assert fake.calls == 1


@pytest.mark.usefixtures("fresh_warm_up")
def test_warm_up_without_knowledge_does_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(actions.common, "knowledge", lambda: None)
    warm_up_in_background()
    for thread in threading.enumerate():
        if thread.name == "knowledge-warm-up":
            thread.join(5)
    assert actions.common._warm_started.is_set()


def test_every_action_turn_starts_the_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[bool] = []
    monkeypatch.setattr(
        actions.common, "warm_up_in_background", lambda: started.append(True)
    )
    lotsen_or_apologise(CollectingDispatcher())
    assert started == [True]
