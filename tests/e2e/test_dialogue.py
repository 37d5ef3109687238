"""End to end, every dialogue path of the conversation issue, over REST.

The real Rasa server and action server run with the obviously fake test
registry (tests/fixtures/e2e/registry.geojson), so the answers are known.
"""

from __future__ import annotations

import itertools
import re

import pytest

from channels.messages import no_reply_text
from scripts.stack import ROOT, Stack

from .conftest import Chat, post_json

pytestmark = pytest.mark.e2e

REGISTRY = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"
FRESH = "Uppgifterna är från"
_ids = itertools.count()


@pytest.fixture(scope="module")
def dialogue_stack(shared_stack: Stack) -> Stack:
    """The shared stack (tests/conftest.py), on the fake e2e registry."""
    assert shared_stack.env["SERVICELOTSEN_REGISTRY"] == str(REGISTRY)
    return shared_stack


@pytest.fixture()
def talk(dialogue_stack: Stack) -> Chat:
    return Chat(dialogue_stack.env)


def sender() -> str:
    return f"dialog-{next(_ids)}"


def test_find_service_with_type_and_place(talk: Chat) -> None:
    reply = talk.texts(sender(), "Var finns närmaste apotek i Ronneby?")
    assert "Närmaste apotek från Ronneby" in reply
    assert "1. Testapotek Ronneby Centrum" in reply
    assert re.search(r"\d+(,\d)? k?m", reply)
    assert FRESH in reply


def test_form_asks_for_the_place_then_answers(talk: Chat) -> None:
    me = sender()
    assert "Var är du?" in talk.texts(me, "jag letar efter en matbutik")
    reply = talk.texts(me, "Rödeby")
    assert "1. Testbutik Rödeby" in reply
    assert FRESH in reply


def test_form_asks_for_the_type_then_answers(talk: Chat) -> None:
    me = sender()
    assert "Vad letar du efter?" in talk.texts(me, "jag är i Tving")
    reply = talk.texts(me, "en mack")
    assert "Testmack Tving" in reply


def test_service_buttons_arrive_whole_and_log_nothing_of_the_conversation(
    talk: Chat, dialogue_stack: Stack
) -> None:
    """The buttons' payloads come out as `/inform{"service_type": …}` and Rasa's
    response templating logs no error (it used to, with the conversation's
    slots: the place, and the position when one was shared)."""
    me = sender()
    reply = talk.say(me, "jag är i Tving")
    buttons = [b for m in reply for b in m.get("buttons", [])]
    assert [b["payload"] for b in buttons] == [
        f'/inform{{"service_type": "{t}"}}'
        for t in ("dagligvaror", "apotek", "paketombud", "uttagsautomat", "drivmedel")
    ]
    assert "Testapotek" in talk.texts(me, buttons[1]["payload"])
    log = dialogue_stack.by_name("Rasa").log_path.read_text(errors="replace")
    assert "interpolator" not in log
    assert "Tving" not in log


def test_place_carries_over_to_the_next_question(talk: Chat) -> None:
    me = sender()
    first = talk.texts(me, "finns det något paketombud i Eringsboda?")
    assert "Testombud Eringsboda" in first
    second = talk.texts(me, "och matbutik då?")
    assert "från Eringsboda" in second
    assert "Testombud Eringsboda" in second  # it sells groceries too


def test_shared_position_is_used_by_a_later_question(talk: Chat) -> None:
    me = sender()
    reply = talk.texts(me, '/share_location{"latitude": 56.258, "longitude": 15.619}')
    assert "Vad letar du efter?" in reply
    answer = talk.texts(me, "apotek")
    assert "Närmaste apotek från dig" in answer
    assert "Testapotek Karlskrona" in answer


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (
            '/share_location{"latitude": 95, "longitude": 15}',
            "kunde inte läsa din position",
        ),
        ('/share_location{"latitude": 59.33, "longitude": 18.06}', "utanför området"),
        ("/share_location{trasig json", "kunde inte läsa din position"),
        (
            '/share_location{"latitude": "norr", "longitude": 15}',
            "kunde inte läsa din position",
        ),
    ],
)
def test_bad_positions_get_a_clear_answer(
    talk: Chat, payload: str, fragment: str
) -> None:
    assert fragment in talk.texts(sender(), payload)


def test_more_results_never_repeat(talk: Chat) -> None:
    me = sender()
    first = talk.texts(me, "närmaste matbutik i Karlskrona")
    second = talk.texts(me, "visa fler")
    names_first = re.findall(r"^\d+\. ([^,]+),", first, re.M)
    names_second = re.findall(r"^\d+\. ([^,]+),", second, re.M)
    assert len(names_first) == 3
    assert names_second
    assert not set(names_first) & set(names_second)
    assert re.search(r"^4\. ", second, re.M)
    for _ in range(5):
        last = talk.texts(me, "visa fler")
        if "inga fler" in last:
            break
    assert "inga fler" in last


def test_opening_hours_of_a_named_point(talk: Chat) -> None:
    reply = talk.texts(sender(), "har Coop i Mjällby öppet på söndag?")
    assert "Testbutik Coop Mjällby" in reply
    assert "söndag" in reply
    assert "11–16" in reply
    assert FRESH in reply


def test_what_is_there_in_a_place(talk: Chat) -> None:
    reply = talk.texts(sender(), "vad finns i Kyrkhult?")
    assert "Testbutik Kyrkhult" in reply
    assert "Testautomat Kyrkhult" in reply
    assert FRESH in reply


def test_category_without_data_is_honest(talk: Chat) -> None:
    reply = talk.texts(sender(), "finns det något apoteksombud i Tving?")
    assert "inga uppgifter om apoteksombud" in reply
    assert "Närmaste apotek" in reply
    assert FRESH in reply


def test_unknown_place_is_never_guessed(talk: Chat) -> None:
    reply = talk.texts(sender(), "närmaste apotek i Xyzzyköping")
    assert "hittar ingen ort" in reply
    assert "Testapotek" not in reply


def test_digital_alternative(talk: Chat) -> None:
    reply = talk.texts(sender(), "kan jag handla mat på nätet?")
    assert "nätbutik" in reply or "nätet" in reply


def test_home_delivery_only_where_documented(talk: Chat) -> None:
    ronneby = talk.texts(sender(), "finns det hemleverans av varor i Ronneby kommun?")
    assert "Ronneby" in ronneby and "20 kr" in ronneby
    karlskrona = talk.texts(sender(), "kan jag få maten hemkörd i Karlskrona?")
    assert "känner inte till någon hemsändning" in karlskrona


def test_human_handoff_gives_the_kommun(talk: Chat) -> None:
    me = sender()
    talk.texts(me, "närmaste matbutik i Jämjö")
    reply = talk.texts(me, "jag vill prata med en människa")
    assert "Karlskrona" in reply


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("hej", "Servicelotsen"),
        ("vad kan du hjälpa mig med?", "Var finns närmaste apotek i Ronneby?"),
        ("är du en robot?", "chattbot"),
        ("tack så mycket", "Varsågod"),
        ("hej då", "Hej då"),
        ("vem vann melodifestivalen", "tyvärr inte svara"),
    ],
)
def test_small_talk(talk: Chat, text: str, fragment: str) -> None:
    assert fragment in talk.texts(sender(), text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "a" * 5000,
        "😀😀😀",
        "<script>alert('x')</script>",
        "'; DROP TABLE events; --",
        "/unknown_intent",
        '/find_service{"service_type": "finns-inte"}',
        "ÅÄÖ åäö ???",
    ],
)
def test_odd_input_gets_a_short_reply(talk: Chat, text: str) -> None:
    messages = talk.say(sender(), text)
    assert messages, "never silence"
    reply = "\n".join(m.get("text", "") for m in messages)
    assert reply.strip()
    assert reply != no_reply_text()
    assert "<script>" not in reply
    assert len(reply) < 1500


def test_malformed_payload(talk: Chat) -> None:
    status, body = post_json(talk.url, "{inte json")
    assert status == 400
    assert "error" in body


def test_missing_registry_gives_a_swedish_answer(
    dialogue_stack: Stack, talk: Chat
) -> None:
    """An operator error (registry file gone) must not reach the resident as silence."""
    actions = dialogue_stack.by_name("action server")
    actions.stop()
    broken = dict(dialogue_stack.env, SERVICELOTSEN_REGISTRY="/finns/inte.geojson")
    try:
        actions.start(broken)
        dialogue_stack.wait_healthy(120)
        reply = talk.texts(sender(), "närmaste apotek i Ronneby")
        assert "kan inte se mina uppgifter om service just nu" in reply
    finally:
        actions.stop()
        actions.start(dialogue_stack.env)
        dialogue_stack.wait_healthy(120)
    assert "Testapotek" in talk.texts(sender(), "närmaste apotek i Ronneby")
