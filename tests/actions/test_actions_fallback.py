"""`actions/fallback.py`: the Swedish "Menade du att …?" of the two-stage fallback."""

from __future__ import annotations

import pytest
from action_support import DOMAIN, Reply, make_tracker, run_action

from actions.fallback import (
    NO_AFFIRMATION,
    ActionDefaultAskAffirmation,
    intent_descriptions,
)

INTENT_DESCRIPTIONS = intent_descriptions()

#: Intents that only buttons send; the bot never needs to guess them.
BUTTON_ONLY = {"share_location"}


def affirm(ranking: list[tuple[str, float]]) -> Reply:
    tracker = make_tracker(
        "öppet söndag?",
        intent=ranking[0][0] if ranking else None,
        intent_ranking=ranking,
        latest_action_name="action_listen",
    )
    return run_action(ActionDefaultAskAffirmation(), tracker)


def test_replaces_rasas_english_action() -> None:
    assert ActionDefaultAskAffirmation().name() == "action_default_ask_affirmation"
    assert "action_default_ask_affirmation" in DOMAIN["actions"]


def test_asks_about_the_best_guess_with_yes_and_no() -> None:
    reply = affirm(
        [("nlu_fallback", 0.41), ("ask_opening_hours", 0.33), ("greet", 0.1)]
    )
    assert reply.texts == [
        "Jag är inte säker på att jag förstod. Menade du att du undrar över öppettider?"
    ]
    assert reply.buttons == [
        {"title": "Ja", "payload": "/ask_opening_hours"},
        {"title": "Nej", "payload": "/out_of_scope"},
    ]
    assert reply.events == []


@pytest.mark.parametrize("intent", sorted(set(INTENT_DESCRIPTIONS) - NO_AFFIRMATION))
def test_every_described_intent_gets_its_own_question(intent: str) -> None:
    reply = affirm([(intent, 0.5), ("nlu_fallback", 0.4)])
    text = reply.text
    assert text.endswith(f"Menade du att {INTENT_DESCRIPTIONS[intent]}?")
    assert reply.buttons[0] == {"title": "Ja", "payload": f"/{intent}"}


@pytest.mark.parametrize("intent", sorted(NO_AFFIRMATION))
def test_off_topic_or_yes_no_guesses_ask_to_rephrase(intent: str) -> None:
    reply = affirm([(intent, 0.5), ("nlu_fallback", 0.4)])
    assert reply.responses == ["utter_ask_rephrase"]
    assert reply.buttons == []


def test_every_intent_a_resident_can_type_has_a_description() -> None:
    typed = set(DOMAIN["intents"]) - BUTTON_ONLY
    assert set(INTENT_DESCRIPTIONS) == typed


@pytest.mark.parametrize(
    "ranking",
    [
        [],
        [("nlu_fallback", 0.9)],
        [("share_location", 0.4), ("nlu_fallback", 0.3)],
        [("nlu_fallback", 0.5), ("ett_okant_intent", 0.3)],
    ],
    ids=["empty", "only-fallback", "button-intent", "unknown-intent"],
)
def test_without_a_describable_guess_asks_to_rephrase(
    ranking: list[tuple[str, float]],
) -> None:
    reply = affirm(ranking)
    assert reply.responses == ["utter_ask_rephrase"]
    assert reply.text == (
        "Förlåt, jag förstod inte riktigt. Kan du skriva det på ett annat sätt?"
    )
    assert reply.buttons == []
