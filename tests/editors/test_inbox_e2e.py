"""`make inbox` end to end: a scripted conversation through the real Rasa stack.

The Rasa server and the action server (the shared stack of tests/conftest.py)
run on a temporary SQLite tracker store and the obviously fake test registry
(tests/fixtures/e2e), residents
type messages the bot handles well and badly (some with personal data), and
scripts/inbox.py then reads that store. The NLU model is the trained one, so
the assertions hold for what the actions decide (unknown place, no data)
and for masking, not for the exact confidence of a guess.
"""

from __future__ import annotations

import datetime
import itertools
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import inbox
from bot.privacy import mask
from scripts.stack import ROOT, Stack
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

REGISTRY = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"
_ids = itertools.count()

#: (message, what the inbox must say about it): None = handled well, not in
#: the inbox; a set = in the inbox with at least these reasons.
SCRIPT: list[tuple[str, set[str] | None]] = [
    ("hej", None),
    ("var finns närmaste apotek i Ronneby?", None),
    ("var finns ett apotek i Åkerby", {"okänd ort"}),
    ("var finns ett apotek i Åkerby?", {"okänd ort"}),  # a repeat from someone else
    ("finns det apoteksombud i Tving", {"inga uppgifter"}),
    ("ring mig på 070-123 45 67, finns det apoteksombud i Tving?", set()),
    ("min mejl är anna.svensson@example.se, finns det apoteksombud i Jämjö?", set()),
    ("mitt personnummer är 19121212-1212, var finns ett apotek i Åkerby?", set()),
    ("jag bor på Storgatan 12, finns det apoteksombud i Kyrkhult?", set()),
    ("jag står på 56.26, 14.77, finns det apoteksombud i Tving?", set()),
]
SECRETS = (
    "070-123",
    "anna.svensson",
    "example.se",
    "19121212",
    "Storgatan",
    "56.26",
    "14.77",
)


@pytest.fixture(scope="module")
def tracker(
    shared_stack: Stack,
    copy_conversations: Callable[[Sequence[str], Path], Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A tracker store holding the scripted conversation, written by the real
    stack (the shared one: only this script's conversations are copied)."""
    assert shared_stack.env["SERVICELOTSEN_REGISTRY"] == str(REGISTRY)
    chat = Chat(shared_stack.env)
    for text, _ in SCRIPT:
        assert chat.say(f"inkorg-{next(_ids)}", text), text
    return copy_conversations(["inkorg-"], tmp_path_factory.mktemp("inbox") / "tracker.db")


@pytest.fixture(scope="module")
def written(tracker: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    out = tmp_path_factory.mktemp("korg") / "inbox.yml"
    today = datetime.datetime.now(inbox.TIMEZONE).date().isoformat()
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "inbox.py"), "--since", today,
         "--tracker", f"sqlite:///{tracker}", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout, out.read_text(encoding="utf-8")


def _entries(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        dict(item, intent=g["intent"])
        for g in document["grupper"]
        for item in g["exempel"]
    ]


def _plain(text: str) -> str:
    """The example without annotations, lower case, without punctuation but <...>."""
    text = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", text).casefold()
    return " ".join(re.sub(r"[^\w\s<>-]", " ", text).split())


def test_the_scripted_conversation_yields_the_expected_entries(
    written: tuple[str, str],
) -> None:
    stdout, text = written
    document = yaml.safe_load(text)
    entries = _entries(document)
    by_text = {_plain(e["text"]): e for e in entries}
    for message, reasons in SCRIPT:
        key = _plain(mask(message))
        if reasons is None:
            assert key not in by_text, message
        else:
            assert key in by_text, (message, sorted(by_text))
            assert reasons <= set(by_text[key]["skäl"]), by_text[key]
    # the two Åkerby questions are one entry, counted twice, guessed find_service
    akerby = by_text["var finns ett apotek i åkerby"]
    assert akerby["antal"] == 2
    assert akerby["intent"] == "find_service"
    assert akerby["gissningar"][0]["intent"] == "find_service"
    assert len(akerby["gissningar"]) == 2
    assert "[Åkerby](location)" in akerby["text"]
    assert document["meddelanden"] == 8
    assert document["olika"] == 7
    for entry in entries:
        assert entry["skäl"], entry
        assert entry["gissningar"], entry
        assert all(0 <= g["säkerhet"] <= 1 for g in entry["gissningar"])
        assert (
            entry["senast"] == datetime.datetime.now(inbox.TIMEZONE).date().isoformat()
        )
    assert "8 meddelanden (7 olika)" in stdout


def test_no_personal_data_reaches_the_file(written: tuple[str, str]) -> None:
    _, text = written
    for secret in SECRETS:
        assert secret not in text
    assert "<telefonnummer>" in text and "<e-post>" in text
    assert "<personnummer>" in text and "<adress>" in text and "<koordinater>" in text
