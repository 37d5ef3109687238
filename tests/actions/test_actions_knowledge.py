"""`actions/knowledge.py`: digital alternatives, home delivery, a human to call.

The digital-alternative search runs on the real multilingual-e5-small folder
(built once per session if missing); the paths that must not depend on the
model's scores use a stand-in encoder that only recognises a question it has
seen word for word.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from action_support import ent, make_tracker, run_action

import actions.common
import actions.knowledge
from actions.knowledge import (
    KOMMUNER,
    ActionDigitalAlternative,
    ActionHomeDelivery,
    ActionHumanHandoff,
    digital_hint,
)
from bot.errors import EmbeddingModelError, KnowledgeError
from bot.knowledge import (
    Encoder,
    Knowledge,
    format_contact,
    format_entry,
    format_home_delivery,
    load_knowledge,
)

IN_JAMJO = {"latitude": 56.1915, "longitude": 15.8405}
RONNEBY_SCHEME = (
    "I Ronneby kommun kör vissa butiker utanför tätorterna hem dagligvaror."
)
RONNEBY_LINK = (
    "- Ronneby kommun – Hemleverans av varor: "
    "https://ronneby.se/omsorg--hjalp/aldre/hjalp-i-hemmet-hemtjanst/hemleverans-av-varor.html"
)
NO_SCHEME = "Jag känner inte till någon hemsändning av varor i {}."


class ExactEncoder:
    """One dimension per distinct text: only a word-for-word question matches."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), 1024), dtype=np.float32)
        for row, text in enumerate(texts):
            rows[row, self.seen.setdefault(text, len(self.seen))] = 1.0
        return rows


def failing_encoder(texts: Sequence[str]) -> np.ndarray:
    raise EmbeddingModelError(
        "models/embeddings/multilingual-e5-small", "folder missing"
    )


@pytest.fixture()
def exact_knowledge(monkeypatch: pytest.MonkeyPatch) -> Knowledge:
    encode = ExactEncoder()
    found = Knowledge.load(encoder=Encoder(queries=encode, passages=encode))
    monkeypatch.setattr(actions.knowledge, "knowledge", lambda: found)
    return found


@pytest.fixture()
def knowledge_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Knowledge:
        raise KnowledgeError("data/knowledge/kommuner.yml", "filen saknas")

    monkeypatch.setattr(actions.common, "load_knowledge", broken)


def kommun(name: str) -> Any:
    found = load_knowledge().for_municipality(name)
    assert found is not None, name
    return found


def ask(
    action: Any, text: str, entities: Sequence[dict[str, Any]] = (), **kw: Any
) -> Any:
    return run_action(action, make_tracker(text, entities=entities, **kw))


# --- digital alternatives -----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "entry_id", "fragment"),
    [
        (
            "kan man handla mat på nätet",
            "handla-mat-pa-natet",
            "Många ICA- och Coop-butiker har en nätbutik.",
        ),
        ("hur förnyar jag mitt recept", "recept-och-fass", "Läs mer:\n- 1177: "),
    ],
)
def test_digital_alternative_answers_from_the_knowledge_search(
    embedding_model: Path, question: str, entry_id: str, fragment: str
) -> None:
    reply = ask(ActionDigitalAlternative(), question, intent="ask_digital_alternative")
    expected = format_entry(load_knowledge().entry(entry_id))
    assert reply.texts == [expected]
    assert fragment in reply.text
    assert "\nUppgiften kontrollerades " in reply.text
    assert reply.events == []


def test_off_topic_question_asks_what_to_do_digitally(embedding_model: Path) -> None:
    reply = ask(ActionDigitalAlternative(), "vad blir det för väder i morgon")
    assert reply.responses == ["utter_ask_digital_topic"]
    assert reply.text.startswith("Vad vill du göra digitalt?")


def test_no_search_hit_falls_back_to_the_service_types_entry(
    exact_knowledge: Knowledge,
) -> None:
    text = "kan apoteket göra något åt det här"
    reply = ask(
        ActionDigitalAlternative(),
        text,
        [ent("service_type", "apotek", text, written="apoteket")],
    )
    assert reply.texts == [format_entry(exact_knowledge.entry("apotek-pa-natet"))]


def test_no_search_hit_and_no_service_type_asks_for_the_topic(
    exact_knowledge: Knowledge,
) -> None:
    reply = ask(ActionDigitalAlternative(), "kan man göra det där på datorn")
    assert reply.responses == ["utter_ask_digital_topic"]


def test_word_for_word_question_hits_with_the_stand_in_encoder(
    exact_knowledge: Knowledge,
) -> None:
    reply = ask(ActionDigitalAlternative(), "vad är fass")
    assert reply.texts == [format_entry(exact_knowledge.entry("recept-och-fass"))]


def test_search_without_a_model_falls_back_to_the_service_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = Knowledge.load(
        encoder=Encoder(queries=failing_encoder, passages=failing_encoder)
    )
    monkeypatch.setattr(actions.knowledge, "knowledge", lambda: found)
    text = "finns det böcker att låna på nätet"
    reply = ask(
        ActionDigitalAlternative(),
        text,
        [ent("service_type", "bibliotek", text, written="böcker")],
    )
    assert reply.texts == [format_entry(found.entry("e-bocker"))]


def test_digital_hint_names_the_service_types_first_entry() -> None:
    entry = load_knowledge().for_service_type("vårdcentral")[0]
    hint = digital_hint("vårdcentral")
    assert hint is not None
    assert hint.startswith(f"Det här kan du göra i stället: {entry.text}")
    assert hint.endswith(f" Läs mer: {entry.links[0].url}")


@pytest.mark.parametrize("category", ["frisör", "dagligvaror"])
def test_digital_hint_is_none_without_an_entry_or_knowledge(
    category: str, knowledge_unavailable: None
) -> None:
    assert digital_hint(category) is None


def test_digital_hint_is_none_for_an_unknown_category() -> None:
    assert digital_hint("frisör") is None


# --- home delivery ----------------------------------------------------------------


def test_home_delivery_in_ronneby_describes_the_scheme() -> None:
    text = "kan jag få maten hemkörd i Ronneby"
    reply = ask(
        ActionHomeDelivery(),
        text,
        [ent("location", "Ronneby", text)],
        intent="ask_home_delivery",
    )
    assert len(reply.texts) == 1
    assert reply.text.startswith(RONNEBY_SCHEME)
    assert RONNEBY_LINK in reply.text
    assert reply.text.endswith("Uppgiften kontrollerades 29 november 2026.")
    assert reply.events == []


def test_home_delivery_in_karlskrona_claims_no_scheme() -> None:
    text = "kör affären hem varor i Karlskrona"
    reply = ask(ActionHomeDelivery(), text, [ent("location", "Karlskrona", text)])
    assert reply.texts == [format_home_delivery(kommun("Karlskrona"))]
    assert reply.text.startswith(NO_SCHEME.format("Karlskrona kommun"))
    assert (
        "Fråga kommunen om det finns hjälp att få hem varor där du bor." in reply.text
    )
    assert "hemkörd" not in reply.text and "Läs mer" not in reply.text


@pytest.mark.parametrize(
    ("entities", "slots", "scheme"),
    [
        ([ent("location", "Jämjö")], {}, False),  # a place: its kommun
        ([ent("location", "Kallinge")], {}, True),
        ([ent("location", "ronneby kommun")], {}, True),
        ([ent("location", "Solvesborgs")], {}, False),
        ([], {"location": "Kallinge", "place_id": "1081-kallinge"}, True),
        ([], IN_JAMJO, False),  # a shared position: its kommun
    ],
    ids=["jamjo", "kallinge", "kommun", "genitive", "slot", "position"],
)
def test_home_delivery_finds_the_kommun(
    entities: list[dict[str, Any]], slots: dict[str, Any], scheme: bool
) -> None:
    reply = ask(ActionHomeDelivery(), "hemleverans?", entities, slots=slots)
    assert len(reply.texts) == 1
    if scheme:
        assert reply.text.startswith(RONNEBY_SCHEME)
    else:
        assert reply.text.startswith("Jag känner inte till någon hemsändning")
        assert RONNEBY_SCHEME not in reply.text


@pytest.mark.parametrize(
    ("entities", "slots"),
    [
        ([], {}),
        ([ent("location", "Ryd")], {}),  # Tingsryds kommun: not one of ours
    ],
    ids=["nothing", "other-kommun"],
)
def test_home_delivery_without_a_kommun_asks_with_five_buttons(
    entities: list[dict[str, Any]], slots: dict[str, Any]
) -> None:
    reply = ask(
        ActionHomeDelivery(), "kan jag få varor hemkörda", entities, slots=slots
    )
    assert reply.texts == ["Det beror på var du bor. Vilken kommun gäller det?"]
    assert reply.buttons == [
        {"title": name, "payload": f'/ask_home_delivery{{"location": "{name}"}}'}
        for name in ("Karlskrona", "Ronneby", "Karlshamn", "Olofström", "Sölvesborg")
    ]


@pytest.mark.parametrize("name", KOMMUNER)
def test_every_kommun_button_gives_an_answer(name: str) -> None:
    reply = ask(ActionHomeDelivery(), name, [ent("location", name, name)])
    assert reply.buttons == []
    if name == "Ronneby":
        assert reply.text.startswith(RONNEBY_SCHEME)
    else:
        assert reply.text.startswith(NO_SCHEME.format(kommun(name).full_name))


@pytest.mark.parametrize(
    ("place", "response"),
    [
        ("Xyzzyköping", "utter_unknown_place"),
        ("Malmö", "utter_place_outside_area"),
        ("Jämjö eller Lyckeby", "utter_ambiguous_place"),
    ],
)
def test_home_delivery_in_a_place_we_cannot_use_says_only_that(
    place: str, response: str
) -> None:
    reply = ask(
        ActionHomeDelivery(), f"hemleverans i {place}", [ent("location", place)]
    )
    assert reply.responses == [response]


# --- a human to call --------------------------------------------------------------


def test_handoff_with_a_phone_number() -> None:
    text = "jag vill prata med en människa i Karlskrona"
    reply = ask(
        ActionHumanHandoff(),
        text,
        [ent("location", "Karlskrona", text)],
        intent="human_handoff",
    )
    contact = format_contact(kommun("Karlskrona"))
    assert reply.texts == [f"Jag är en chattbot. Här når du en människa:\n{contact}"]
    assert "Du kan ringa växeln i Karlskrona kommun: " in reply.text


def test_handoff_without_a_checked_number_says_so() -> None:
    reply = ask(
        ActionHumanHandoff(),
        "prata med någon",
        slots={"location": "Kallinge", "place_id": "1081-kallinge"},
    )
    assert reply.text == (
        "Jag är en chattbot. Här når du en människa:\n"
        "Jag har inget kontrollerat telefonnummer till Ronneby kommun. "
        "Kontaktuppgifter finns på https://ronneby.se/\n"
        "Uppgiften kontrollerades 29 november 2026."
    )


def test_handoff_without_a_kommun_asks_with_five_buttons() -> None:
    reply = ask(ActionHumanHandoff(), "kan jag prata med en människa")
    assert reply.texts == [
        "Jag är en chattbot, men din kommun kan hjälpa dig. Vilken kommun bor du i?"
    ]
    assert [b["title"] for b in reply.buttons] == list(KOMMUNER)
    assert reply.buttons[4]["payload"] == '/human_handoff{"location": "Sölvesborg"}'


# --- knowledge or registry unavailable ----------------------------------------------


@pytest.mark.usefixtures("knowledge_unavailable")
@pytest.mark.parametrize(
    "action",
    [ActionDigitalAlternative(), ActionHomeDelivery(), ActionHumanHandoff()],
    ids=["digital", "delivery", "handoff"],
)
def test_knowledge_unavailable_apologises(action: Any) -> None:
    reply = ask(
        action, "kan jag få maten hemkörd i Ronneby", [ent("location", "Ronneby")]
    )
    assert reply.responses == ["utter_knowledge_unavailable"]
    assert reply.text.startswith("Jag kan inte se mina uppgifter om det just nu.")
    assert reply.events == []


@pytest.mark.usefixtures("registry_missing")
def test_kommun_named_directly_needs_no_registry() -> None:
    reply = ask(
        ActionHomeDelivery(), "hemleverans Ronneby", [ent("location", "Ronneby")]
    )
    assert reply.text.startswith(RONNEBY_SCHEME)


@pytest.mark.usefixtures("registry_missing")
@pytest.mark.parametrize(
    ("action", "entities"),
    [
        (ActionHomeDelivery(), [ent("location", "Jämjö")]),
        (ActionHumanHandoff(), []),
    ],
    ids=["delivery-place", "handoff-nothing"],
)
def test_registry_unavailable_apologises(
    action: Any, entities: list[dict[str, Any]]
) -> None:
    reply = ask(action, "hjälp", entities)
    assert reply.responses == ["utter_registry_unavailable"]


@pytest.mark.usefixtures("registry_missing")
def test_digital_alternative_fallback_without_registry(
    exact_knowledge: Knowledge,
) -> None:
    reply = ask(
        ActionDigitalAlternative(), "något om apotek", [ent("service_type", "apotek")]
    )
    assert reply.responses == ["utter_registry_unavailable"]
