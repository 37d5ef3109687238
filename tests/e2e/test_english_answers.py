"""End to end over REST: an English question gets an English answer, with no
Swedish word in it (issue #15 item 5).

The real Rasa server and action server on the two fake registries together
(tests/fixtures/e2e: opening hours; tests/fixtures/carriers: parcel points by
carrier, one from 2021). Each message carries the metadata the English page
(/en) sends, `{"language": "en", "language_source": "page"}`, as the widget
does; the text itself is English too.

Names the bot keeps as written (the fake points, places and the fake
registries' Swedish source names) are left out before looking for Swedish.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator

import pytest

from bot.registry import load_registry
from scripts.stack import ROOT, Stack

from .conftest import Chat, e2e_env, post_json, rasa_stack

pytestmark = pytest.mark.e2e

FIXTURES = ROOT / "tests" / "fixtures"
REGISTRIES = (FIXTURES / "e2e" / "registry.geojson", FIXTURES / "carriers" / "registry.geojson")
#: Swedish words that used to reach English answers.
SWEDISH_MARKERS = (
    "öppet", "stängt", "stänger", "öppnar", " och ", "ungefärlig", "idag", "i dag",
    "i morgon", "km från", "kl.", "dygnet", "ombud", "paketskåp", "uppgift", "källa",
    "här finns", "närmaste", "aviseringen", "ring gärna", "söndag", "måndag",
    "kommun ", "tack", "jag ", "du kan", "var är du",
)  # fmt: skip
_ids = itertools.count()


@pytest.fixture(scope="module")
def english_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("english")
    registry = tmp / "registry"
    registry.mkdir()
    for i, path in enumerate(REGISTRIES):
        shutil.copy(path, registry / f"{i}-{path.parent.name}.geojson")
    env = e2e_env(tmp)
    env["SERVICELOTSEN_REGISTRY"] = str(registry)
    yield from rasa_stack(env, tmp)


@pytest.fixture(scope="module")
def kept_names() -> re.Pattern[str]:
    """Point names, addresses, places and the fake sources, longest first."""
    names: set[str] = {"testdata (påhittad, för tester)"}
    for path in REGISTRIES:
        registry = load_registry(path)
        for p in registry.points:
            names |= {p.name, p.locality, p.address or ""}
    names |= {"testkälla ombud (påhittad)", "testkälla apotek (påhittad)"}
    ordered = sorted((n for n in names if n), key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in ordered))


@pytest.fixture()
def talk(english_stack: Stack) -> Chat:
    return Chat(english_stack.env)


def sender() -> str:
    return f"english-{next(_ids)}"


def ask(talk: Chat, me: str, text: str) -> str:
    """One English turn as the /en page sends it; the bot's texts."""
    status, body = post_json(
        talk.url,
        {
            "sender": me,
            "message": text,
            "metadata": {"language": "en", "language_source": "page"},
        },
    )
    assert status == 200, body
    assert isinstance(body, list)
    return "\n".join(str(m.get("text") or "") for m in body)


def swedish_in(text: str, kept: re.Pattern[str]) -> list[str]:
    plain = kept.sub(" ", text).casefold()
    return [m for m in SWEDISH_MARKERS if m in plain]


def assert_english(text: str, kept: re.Pattern[str]) -> None:
    assert text.strip(), "no answer"
    found = swedish_in(text, kept)
    assert found == [], f"Swedish {found} in the English answer:\n{text}"


def test_the_nearest_pharmacies_with_their_hours(
    talk: Chat, kept_names: re.Pattern[str]
) -> None:
    reply = ask(talk, sender(), "where is the nearest pharmacy in Ronneby?")
    assert "Nearest pharmacies from Ronneby:" in reply
    assert "Testapotek Ronneby Centrum" in reply
    assert "Today " in reply and " by road)" in reply
    assert re.search(r"\d+:\d\d", reply) or "closed" in reply
    assert_english(reply, kept_names)


def test_a_pharmacys_hours_on_sunday(talk: Chat, kept_names: re.Pattern[str]) -> None:
    reply = ask(talk, sender(), "is Testapotek Ronneby Centrum open on Sunday?")
    assert "Testapotek Ronneby Centrum" in reply
    assert re.search(r"is closed (today \(Sunday\)|on Sunday \d+ [A-Z][a-z]+)\.", reply)
    assert_english(reply, kept_names)


def test_an_atm_open_now(talk: Chat, kept_names: re.Pattern[str]) -> None:
    reply = ask(talk, sender(), "where is the nearest ATM in Kyrkhult?")
    assert "Testautomat Kyrkhult" in reply
    assert "Today open 24 hours, open now." in reply  # 24/7
    assert_english(reply, kept_names)


def test_a_parcel_point_of_one_carrier(talk: Chat, kept_names: re.Pattern[str]) -> None:
    reply = ask(talk, sender(), "nearest DHL service point in Jämjö")
    assert "DHL" in reply
    assert "Testhandel Jämjö" in reply or "hands out parcels" in reply
    assert_english(reply, kept_names)


def test_a_place_outside_blekinge(talk: Chat, kept_names: re.Pattern[str]) -> None:
    reply = ask(talk, sender(), "where can I refuel near Ryd?")
    assert "Ryd is in Tingsryd municipality (Kronoberg), outside Blekinge." in reply
    assert "Testmack Tving" in reply
    assert_english(reply, kept_names)


def test_a_report_is_thanked_for_in_english(
    talk: Chat, kept_names: re.Pattern[str]
) -> None:
    me = sender()
    replies = [ask(talk, me, "Testapotek Kallinge has closed")]
    if "Thank you! I have noted" not in replies[-1]:
        # the bot asks what is wrong (the buttons): answer as the widget does
        assert "What is wrong?" in replies[-1]
        replies.append(ask(talk, me, '/report_change{"change_kind": "closed"}'))
    assert (
        "Thank you! I have noted that Testapotek Kallinge (Kallinge) has closed or "
        "is no longer there." in replies[-1]
    )
    for reply in replies:
        assert_english(reply, kept_names)


def test_the_marker_check_finds_swedish(kept_names: re.Pattern[str]) -> None:
    """The check itself: a Swedish answer fails it, the names do not."""
    swedish = "Testapotek Kallinge (Kallinge): öppet nu, stänger kl. 17."
    assert swedish_in(swedish, kept_names) == ["öppet", "stänger", "kl."]
    assert swedish_in("Testbutik Jämjö (Provvägen 2, Jämjö): open now", kept_names) == []
