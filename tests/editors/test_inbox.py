"""The review inbox (`bot.inbox`, `make inbox`) on a tracker store built here.

The SQLite file has Rasa's SQLTrackerStore schema (the `events` table) and
events shaped as Rasa 3.6 writes them; tests/editors/test_inbox_e2e.py fills
one through the real stack instead.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import inbox
from bot.errors import TrackerStoreError
from bot.outcome import OUTCOME_SLOT, Kind, Outcome, Question

REPO = Path(__file__).resolve().parents[2]
SINCE = datetime.date(2026, 11, 1)
DAY = inbox.since_timestamp(datetime.date(2026, 11, 10)) + 10 * 3600  # 10:00

SCHEMA = """
CREATE TABLE events (
    id INTEGER NOT NULL,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT,
    PRIMARY KEY (id)
);
CREATE INDEX ix_events_sender_id ON events (sender_id);
"""


class Store:
    """Writes Rasa-shaped events into an SQLite tracker store."""

    def __init__(self, path: Path, *, reword: bool = False) -> None:
        self.path = path
        self.reword = reword
        self.conn = sqlite3.connect(path)
        self.conn.executescript(SCHEMA)
        self.clock = itertools.count()
        self.ids = itertools.count(1)

    def _add(self, sender: str, kind: str, data: dict[str, Any], at: float,
             intent: str | None = None, action: str | None = None) -> None:  # fmt: skip
        stamp = at + next(self.clock) * 0.001
        data = {"event": kind, "timestamp": stamp, **data}
        self.conn.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
            (next(self.ids), sender, kind, stamp, intent, action, json.dumps(data)),
        )

    def user(self, sender: str, text: str, intent: str, confidence: float, *,
             ranking: list[tuple[str, float]] | None = None,
             entities: list[dict[str, Any]] | None = None,
             at: float = DAY, message_id: str | None = None) -> None:  # fmt: skip
        ranking = ranking or [(intent, confidence)]
        parse = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "text": text,
            "message_id": message_id or f"m{next(self.clock)}",
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        }
        self._add(
            sender, "user", {"text": text, "parse_data": parse}, at, intent=intent
        )
        self._add(
            sender, "user_featurization", {"use_text_for_featurization": False}, at
        )

    def action(self, sender: str, name: str, at: float = DAY) -> None:
        self._add(
            sender, "action", {"name": name, "policy": "RulePolicy"}, at, action=name
        )

    def bot(
        self, sender: str, text: str, response: str | None = None, at: float = DAY
    ) -> None:
        if self.reword:  # as after an editor rewrote every answer, in English
            text = f"In other words: {text[::-1].upper()}"
        metadata = {"utter_action": response} if response else {}
        self._add(sender, "bot", {"text": text, "metadata": metadata}, at)

    def outcome(self, sender: str, kind: Kind, question: Question,
                at: float = DAY, **fields: Any) -> None:  # fmt: skip
        """The outcome the action records with its answer (`bot.outcome`)."""
        value = Outcome(kind, question, **fields).to_dict()
        self._add(sender, "slot", {"name": OUTCOME_SLOT, "value": value}, at)

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()


def entity(
    text: str, whole: str, name: str, value: str | None = None
) -> dict[str, Any]:
    start = whole.index(text)
    return {"entity": name, "start": start, "end": start + len(text),
            "value": value or text, "extractor": "DIETClassifier"}  # fmt: skip


UNKNOWN_PLACE = 'Jag hittar ingen ort som heter "Gullabyn" i Blekinge.'
NO_DATA = "Jag har tyvärr inga uppgifter om apoteksombud ännu, så jag kan inte säga."


@pytest.fixture(params=[False, True], ids=["as-written", "reworded"])
def store(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The conversations below; "reworded": every answer in other words.

    The inbox reads the answers' outcomes, never their wording, so every
    test gives the same result on both.
    """
    s = Store(tmp_path / "tracker.db", reword=request.param)
    # handled well: never in the inbox
    s.user("a", "hej", "greet", 0.99)
    s.action("a", "utter_greet")
    s.bot("a", "Hej! Jag är Servicelotsen.", "utter_greet")
    text = "var finns apotek i Ronneby"
    s.user("a", text, "find_service", 1.0,
           entities=[entity("apotek", text, "service_type"), entity("Ronneby", text, "location")])  # fmt: skip
    s.action("a", "action_find_service")
    s.bot("a", "Närmaste apotek från Ronneby: ...")
    s.outcome("a", Kind.FOUND, Question.NEAREST, service_type="apotek",
              place="1081-ronneby", distance_km=0.4)  # fmt: skip
    # unknown place, twice (case and punctuation differ), from two residents;
    # the later wording is kept
    for sender, text in (
        ("b", "Var finns apotek i Gullabyn?"),
        ("c", "var finns apotek i Gullabyn"),
    ):
        s.user(sender, text, "find_service", 0.98,
               ranking=[("find_service", 0.98), ("inform", 0.01), ("greet", 0.005)],
               entities=[entity("apotek", text, "service_type"),
                         entity("Gullabyn", text, "location")])  # fmt: skip
        s.action(sender, "find_service_form")
        s.bot(sender, UNKNOWN_PLACE, "utter_unknown_place")
        s.outcome(sender, Kind.UNKNOWN_PLACE, Question.NEAREST, service_type="apotek")
    # NLU fallback with a phone number the model took for a place
    text = "ring mig på 070-123 45 67"
    s.user("d", text, "nlu_fallback", 0.4,
           ranking=[("nlu_fallback", 0.4), ("human_handoff", 0.35), ("inform", 0.2)],
           entities=[entity("070-123 45", text, "location")])  # fmt: skip
    s.action("d", "action_two_stage_fallback")
    s.bot("d", "Förlåt, jag förstod inte riktigt.", "utter_ask_rephrase")
    # the rephrasing ends the fallback loop; Rasa rewinds and saves it again
    text = "jag vill prata med en människa"
    s.user("d", text, "human_handoff", 0.99, message_id="rephrased")
    s.action("d", "action_two_stage_fallback")
    s.user("d", text, "human_handoff", 0.99, message_id="rephrased")
    s.action("d", "action_human_handoff")
    s.bot("d", "Du kan ringa Karlskrona kommun: 0455-30 30 00.")
    s.outcome("d", Kind.HANDOFF, Question.CONTACT)
    # low confidence, with a personnummer
    text = "mitt personnummer är 19121212-1212 hjälp"
    s.user("e", text, "help", 0.52, ranking=[("help", 0.52), ("human_handoff", 0.3)])
    s.action("e", "action_help")
    s.bot("e", "Jag kan hjälpa dig att hitta matbutiker.", "utter_help")
    s.outcome("e", Kind.FOUND, Question.HELP)
    # no data, with an address, an e-mail and a service word that needs a value
    text = "jag bor på Storgatan 12, piller i Tving? svara till anna@example.se"
    s.user("f", text, "find_service", 0.97,
           ranking=[("find_service", 0.97), ("ask_home_delivery", 0.02)],
           entities=[entity("Storgatan", text, "location"),
                     entity("piller", text, "service_type", "apoteksombud"),
                     entity("Tving", text, "location")])  # fmt: skip
    s.action("f", "action_find_service")
    s.bot("f", NO_DATA)
    s.outcome("f", Kind.NO_DATA, Question.NEAREST, service_type="apoteksombud",
              place="1080-tving")  # fmt: skip
    # unknown service type, with coordinates; and a known word as synonym
    text = "medicin vid 56.26, 14.77"
    s.user("g", text, "find_service", 0.9,
           entities=[entity("medicin", text, "service_type", "apotek")])  # fmt: skip
    s.action("g", "find_service_form")
    s.bot("g", "Jag förstod inte vilken sorts service du letar efter.",
          "utter_unknown_service_type")  # fmt: skip
    s.outcome("g", Kind.NO_DATA, Question.NEAREST)

    # a button payload, and a message from before the date: never in the inbox
    s.user("h", '/inform{"service_type": "apotek"}', "nlu_fallback", 0.1)
    s.bot("h", "Förlåt, jag förstod inte riktigt.", "utter_ask_rephrase")
    old = inbox.since_timestamp(SINCE) - 3600
    s.user("i", "gammalt meddelande", "nlu_fallback", 0.2, at=old)
    s.bot("i", "Förlåt, jag förstod inte riktigt.", "utter_ask_rephrase", at=old)
    s.close()
    return s.path


def build(path: Path, *, use_sqlalchemy: bool = False) -> inbox.Inbox:
    return inbox.collect(SINCE, url=f"sqlite:///{path}", created=datetime.date(2026, 11, 29),
                         use_sqlalchemy=use_sqlalchemy)  # fmt: skip


def items(result: inbox.Inbox) -> dict[str, tuple[str | None, inbox.InboxItem]]:
    return {item.text: (g.intent, item) for g in result.groups for item in g.items}


@pytest.mark.parametrize("use_sqlalchemy", [False, True], ids=["sqlite3", "sqlalchemy"])
def test_the_badly_handled_messages_are_kept(store: Path, use_sqlalchemy: bool) -> None:
    result = build(store, use_sqlalchemy=use_sqlalchemy)
    found = items(result)
    assert set(found) == {
        "var finns [apotek](service_type) i [Gullabyn](location)",
        "ring mig på <telefonnummer>",
        "mitt personnummer är <personnummer> hjälp",
        'jag bor på <adress>, [piller]{"entity": "service_type", "value": '
        '"apoteksombud"} i [Tving](location)? svara till <e-post>',
        "[medicin](service_type) vid <koordinater>",
    }
    reasons = {
        text: [r.value for r in item.reasons] for text, (_, item) in found.items()
    }
    assert reasons == {
        "var finns [apotek](service_type) i [Gullabyn](location)": ["unknown_place"],
        "ring mig på <telefonnummer>": ["fallback"],
        "mitt personnummer är <personnummer> hjälp": ["low_confidence"],
        'jag bor på <adress>, [piller]{"entity": "service_type", "value": '
        '"apoteksombud"} i [Tving](location)? svara till <e-post>': ["no_result"],
        "[medicin](service_type) vid <koordinater>": ["no_result"],
    }
    assert result.messages == 6
    assert result.distinct == 5
    assert result.counts == {
        inbox.Reason.FALLBACK: 1, inbox.Reason.LOW_CONFIDENCE: 1,
        inbox.Reason.UNKNOWN_PLACE: 2, inbox.Reason.NO_RESULT: 2,
    }  # fmt: skip


def test_repeats_are_merged_and_grouped_by_the_best_guess(store: Path) -> None:
    result = build(store)
    assert [(g.intent, g.file, g.count) for g in result.groups] == [
        ("find_service", "data/nlu/find_service.yml", 4),
        ("help", "data/nlu/help.yml", 1),
        ("human_handoff", "data/nlu/human_handoff.yml", 1),
    ]
    first = result.groups[0].items[0]
    assert first.text == "var finns [apotek](service_type) i [Gullabyn](location)"
    assert first.count == 2
    assert first.guesses == (
        inbox.Guess("find_service", 0.98),
        inbox.Guess("inform", 0.01),
    )
    fallback = items(result)["ring mig på <telefonnummer>"][1]
    assert [g.intent for g in fallback.guesses] == ["human_handoff", "inform"]


def test_the_yaml_file_is_masked_readable_and_parses(store: Path) -> None:
    text = inbox.render_inbox(build(store))
    for secret in (
        "070-123",
        "19121212",
        "Storgatan",
        "anna@example.se",
        "56.26",
        "14.77",
    ):
        assert secret not in text
    assert text.startswith("# Granskningskorg för Servicelotsen")
    assert "Personuppgifter är bortmaskade" in text
    document = yaml.safe_load(text)
    assert document["sedan"] == "2026-11-01"
    assert document["skapad"] == "2026-11-29"
    assert (document["meddelanden"], document["olika"]) == (6, 5)
    assert document["skäl"] == {
        "förstod inte": 1, "osäker tolkning": 1, "okänd ort": 2, "inga uppgifter": 2,
    }  # fmt: skip
    group = document["grupper"][0]
    assert (group["intent"], group["fil"], group["antal"]) == (
        "find_service",
        "data/nlu/find_service.yml",
        4,
    )
    assert group["exempel"][0] == {
        "text": "var finns [apotek](service_type) i [Gullabyn](location)",
        "antal": 2,
        "skäl": ["okänd ort"],
        "gissningar": [
            {"intent": "find_service", "säkerhet": 0.98},
            {"intent": "inform", "säkerhet": 0.01},
        ],
        "senast": "2026-11-10",
    }


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (Kind.FOUND, ()),
        (Kind.ASKED, ()),
        (Kind.HANDOFF, ()),
        (Kind.NOT_UNDERSTOOD, (inbox.Reason.FALLBACK,)),
        (Kind.UNKNOWN_PLACE, (inbox.Reason.UNKNOWN_PLACE,)),
        (Kind.NO_DATA, (inbox.Reason.NO_RESULT,)),
        (Kind.OUTSIDE_AREA, ()),
    ],
)
def test_the_reason_comes_from_the_outcome_alone(
    kind: Kind, expected: tuple[inbox.Reason, ...]
) -> None:
    turn = inbox.Turn("x", DAY, "något", "find_service", 0.95, (), ())
    turn.actions.append("some_action")
    turn.outcomes.append(Outcome(kind, Question.NEAREST))
    assert inbox.reasons(turn) == expected


def test_messages_before_the_date_are_left_out(store: Path) -> None:
    later = inbox.collect(datetime.date(2026, 11, 11), url=f"sqlite:///{store}")
    assert later.messages == 0
    assert later.groups == []
    everything = inbox.collect(datetime.date(2020, 1, 1), url=f"sqlite:///{store}")
    assert "gammalt meddelande" in items(everything)


def test_a_lower_threshold_drops_the_unsure_message(store: Path) -> None:
    events = inbox.read_events(f"sqlite:///{store}", 0)
    result = inbox.build_inbox(inbox.turns(events), since=SINCE, min_confidence=0.5)
    assert result.counts[inbox.Reason.LOW_CONFIDENCE] == 0


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        ([("apotek", "service_type", "apotek")], "var finns [apotek](service_type)"),
        ([("apotek", "service_type", "apoteksombud")],
         'var finns [apotek]{"entity": "service_type", "value": "apoteksombud"}'),
        ([("apotek", "service_type", "apotek"), ("finns", "location", "finns")],
         "var [finns](location) [apotek](service_type)"),
        ([("apotek", "latitude", "1")], "var finns apotek"),
        ([("apotek", "service_type", "okänt")], "var finns [apotek](service_type)"),
    ],
)  # fmt: skip
def test_annotate(entities: list[tuple[str, str, str]], expected: str) -> None:
    text = "var finns apotek"
    found = [entity(t, text, n, v) for t, n, v in entities]
    assert inbox.annotate(text, found) == expected


def test_an_entity_over_personal_data_is_dropped_not_annotated() -> None:
    text = "ring 070-123 45 67"
    found = [entity("070-123", text, "location")]
    assert inbox.annotate(text, found) == "ring <telefonnummer>"


def test_tracker_url_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(inbox.ENV_TRACKER_URL, raising=False)
    monkeypatch.delenv(inbox.ENV_TRACKER_DB, raising=False)
    monkeypatch.delenv("SERVICELOTSEN_PG_HOST", raising=False)
    assert inbox.tracker_url() == "sqlite:///var/tracker.db"
    monkeypatch.setenv(inbox.ENV_TRACKER_DB, "/srv/t.db")
    assert inbox.tracker_url() == "sqlite:////srv/t.db"
    monkeypatch.setenv(inbox.ENV_TRACKER_URL, "postgresql://bot:hemligt@db/rasa")
    assert inbox.tracker_url() == "postgresql://bot:hemligt@db/rasa"
    assert inbox.tracker_url("sqlite:///x.db") == "sqlite:///x.db"
    assert (
        inbox.shown_url("postgresql://bot:hemligt@db/rasa")
        == "postgresql://bot:***@db/rasa"
    )


def test_a_missing_store_is_a_swedish_error(tmp_path: Path) -> None:
    with pytest.raises(TrackerStoreError, match="samtalsdatabasen finns inte"):
        inbox.collect(SINCE, url=f"sqlite:///{tmp_path / 'saknas.db'}")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # no PostgreSQL driver in this environment (yet), or nothing listening
        (
            "postgresql+psycopg2://bot:hemligt@127.0.0.1:1/rasa",
            "(databasens drivrutin saknas|samtalsdatabasen kan inte läsas)",
        ),
        (
            "sqlite+pysqlite:///{tmp}/inte-en-databas.db",
            "samtalsdatabasen kan inte läsas",
        ),
    ],
)
def test_an_unreadable_database_names_no_password(
    url: str, reason: str, tmp_path: Path
) -> None:
    (tmp_path / "inte-en-databas.db").write_text("inte sqlite")
    with pytest.raises(TrackerStoreError) as info:
        inbox.read_events(url.format(tmp=tmp_path), 0, use_sqlalchemy=True)
    assert "hemligt" not in str(info.value)
    assert re.search(reason, str(info.value))


def test_the_script_writes_the_file(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "korg" / "inbox.yml"
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "inbox.py"), "--since", "2026-11-01",
         "--tracker", f"sqlite:///{store}", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "6 meddelanden (5 olika) sedan 2026-11-01" in result.stdout
    assert (
        "Skäl: förstod inte: 1, osäker tolkning: 1, okänd ort: 2, inga uppgifter: 2."
        in result.stdout
    )
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["olika"] == 5


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "igår"], "är inget datum; skriv ÅÅÅÅ-MM-DD"),
        (["--since", "2026-11-01", "--tracker", "sqlite:////finns/inte.db"],
         "Kan inte läsa samtalen i sqlite:////finns/inte.db: samtalsdatabasen finns inte"),
    ],
)  # fmt: skip
def test_the_script_says_what_is_wrong(argv: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "inbox.py"), *argv],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode in (1, 2)
    assert message in result.stderr
