"""End to end over REST on the DEFAULT data (data/service_points/): pharmacy
agents, parcel points by carrier, the age line, combined answers and residents'
reports (also hostile ones), with the real Rasa server and action server.

The expectations name real points of the shipped registry (built from the
sources in data/ATTRIBUTION.md); when the data is rebuilt they may need care.
"""

from __future__ import annotations

import datetime
import itertools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import inbox
from bot.change_reports import MAX_REPORTS_PER_CONVERSATION, MAX_TEXT_CHARS
from bot.registry import load_registry
from scripts.stack import ROOT, Stack

from .conftest import Chat, e2e_env, rasa_stack

pytestmark = pytest.mark.e2e

_ids = itertools.count()
REGISTRY = load_registry()
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
NLU_KNOWS_CARRIERS = any(
    e == "carrier" or (isinstance(e, dict) and "carrier" in e)
    for e in DOMAIN.get("entities") or []
)


@pytest.fixture(scope="module")
def default_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("default-data")
    env = e2e_env(tmp)
    env.pop("SERVICELOTSEN_REGISTRY", None)  # the shipped data
    yield from rasa_stack(env, tmp)


@pytest.fixture()
def talk(default_stack: Stack) -> Chat:
    return Chat(default_stack.env)


def sender() -> str:
    return f"service-{next(_ids)}"


def place_ids(messages: list[dict[str, Any]]) -> list[str]:
    for m in messages:
        custom = m.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "places":
            return [str(p["id"]) for p in custom["places"]]
    return []


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def stored_reports(stack: Stack, who: str) -> list[dict[str, Any]]:
    db = Path(stack.env["SERVICELOTSEN_TRACKER_DB"])
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot'", (who,)
        ).fetchall()
    values = [json.loads(data) for (data,) in rows]
    return [v["value"] for v in values if v.get("name") == "change_report" and v.get("value")]


# --- pharmacy agents, parcel points by carrier, the age line ---------------------


def test_the_pharmacy_agent_in_nattraby_is_named(talk: Chat) -> None:
    reply = talk.say(sender(), "finns det något apoteksombud i Nättraby?")
    text = text_of(reply)
    assert "Närmaste apoteksombud från Nättraby" in text
    assert "1. ICA Nära Nättran" in text
    assert place_ids(reply)[0] == "sepoi-ica-nara-nattran"
    assert "Här finns också matbutik och PostNord-ombud." in text
    assert "Uppgifterna är från november 2025 (källa: Tillväxtverket Pipos" in text


def test_a_carrier_payload_lists_only_that_carriers_points(talk: Chat) -> None:
    reply = talk.say(
        sender(),
        '/find_service{"service_type": "paketombud", "carrier": "dhl", "location": "Jämjö"}',
    )
    text = text_of(reply)
    ids = place_ids(reply)
    assert text.startswith("Närmaste DHL-ombud")  # "… och paketskåp" where DHL has lockers
    assert "från Jämjö:" in text.splitlines()[0]
    assert ids and all(REGISTRY.by_id(i).serves("dhl") for i in ids)  # type: ignore[union-attr]
    assert "Uppgifterna är från 2021 och kan ha ändrats." in text
    assert "Aviseringen från DHL" in text


@pytest.mark.skipif(not NLU_KNOWS_CARRIERS, reason="the NLU has no carrier entity yet")
@pytest.mark.parametrize(
    ("question", "carrier"),
    [
        ("var kan jag hämta ut ett paket från postnord i Jämjö?", "postnord"),
        ("finns det något Instabox-skåp i Mörrum?", "instabox"),
    ],
)
def test_carrier_questions_list_only_that_carrier(
    talk: Chat, question: str, carrier: str
) -> None:
    reply = talk.say(sender(), question)
    ids = place_ids(reply)
    assert ids and all(REGISTRY.by_id(i).serves(carrier) for i in ids)  # type: ignore[union-attr]
    assert "kan ha ändrats" in text_of(reply)


def test_without_a_carrier_each_parcel_point_names_its_carriers(talk: Chat) -> None:
    text = talk.texts(sender(), "var finns närmaste paketombud i Johannishus?")
    assert "1. ICA Nära Johannishus" in text
    assert "Ombud för Bring, DB Schenker, DHL och PostNord." in text
    assert "Uppgifterna är från 2021 och kan ha ändrats." in text


# --- combined answers -----------------------------------------------------------


def test_what_is_in_johannishus_names_the_agent_and_the_carriers(talk: Chat) -> None:
    text = talk.texts(sender(), "vad finns i Johannishus?")
    assert "- Apoteksombud: ICA Nära Johannishus" in text
    assert "ICA Nära Johannishus (Bring, DB Schenker, DHL och PostNord)" in text


def test_no_car_gets_the_nearest_store_and_home_delivery(talk: Chat) -> None:
    text = talk.texts(
        sender(), "jag bor i Eringsboda och har ingen bil, hur kan jag handla mat?"
    )
    assert "matbutik" in text and "Eringsboda" in text
    assert "Närmaste matbutiker från Eringsboda" in text
    assert "Ronneby" in text and "hem" in text


# --- residents' reports ----------------------------------------------------------


def test_a_typed_report_is_thanked_and_stored(
    talk: Chat, default_stack: Stack
) -> None:
    me = sender()
    text = talk.texts(me, "Coop Hasslö har stängt")
    assert "Tack!" in text and "Coop Hasslö" in text
    [report] = stored_reports(default_stack, me)
    assert report["point_id"] == "sepoi-coop-hasslo" and report["kind"] == "closed"
    assert REGISTRY.by_id("sepoi-coop-hasslo") is not None  # never changed by a report
    found = inbox.collect(
        datetime.date.today() - datetime.timedelta(days=1),
        url=f"sqlite:///{default_stack.env['SERVICELOTSEN_TRACKER_DB']}",
    )
    assert any(c.point_id == "sepoi-coop-hasslo" for c in found.corrections)


def test_the_agent_in_tving_that_is_gone(talk: Chat, default_stack: Stack) -> None:
    me = sender()
    text = talk.texts(me, "ombudet i Tving finns inte kvar")
    assert "Tack!" in text and "Tving Supermarket" in text
    [report] = stored_reports(default_stack, me)
    assert report["point_id"] == "ombud-tving-supermarket-tving"


def test_the_cards_link_asks_what_is_wrong(talk: Chat, default_stack: Stack) -> None:
    me = sender()
    asked = talk.say(me, '/report_change{"point_id": "sepoi-ica-nara-nattran"}')
    assert "Vad stämmer inte?" in text_of(asked)
    titles = [b["title"] for m in asked for b in m.get("buttons") or []]
    assert "Fel öppettider" in titles
    thanks = talk.texts(me, '/report_change{"change_kind": "hours"}')
    assert "ICA Nära Nättran" in thanks and "öppettider" in thanks
    [report] = stored_reports(default_stack, me)
    assert (report["point_id"], report["kind"]) == ("sepoi-ica-nara-nattran", "hours")


def test_an_unknown_point_stores_nothing(talk: Chat, default_stack: Stack) -> None:
    me = sender()
    text = talk.texts(me, '/report_change{"point_id": "finns-inte-123"}')
    assert "hittar inte det stället" in text
    assert stored_reports(default_stack, me) == []


def test_hostile_reports_store_nothing_harmful(talk: Chat, default_stack: Stack) -> None:
    me = sender()
    huge = "Coop Hasslö har stängt <script>alert(1)</script> ring 070-123 45 67 " + "x" * 10_000
    reply = talk.texts(me, huge)
    assert reply.strip()  # a clear answer, whatever the NLU made of it
    for report in stored_reports(default_stack, me):
        assert len(report["text"]) <= MAX_TEXT_CHARS
        assert "<script" not in report["text"] and "070-123" not in report["text"]


def test_a_burst_of_reports_is_capped(talk: Chat, default_stack: Stack) -> None:
    me = sender()
    points = [p.id for p in REGISTRY.points[: MAX_REPORTS_PER_CONVERSATION + 3]]
    last = ""
    for point in points:
        talk.say(me, f'/report_change{{"point_id": "{point}"}}')
        last = talk.texts(me, '/report_change{"change_kind": "closed"}')
    assert len(stored_reports(default_stack, me)) == MAX_REPORTS_PER_CONVERSATION
    assert "flera rapporter" in last
