"""`python -m bot report` on conversations held with the real stack.

Rasa and the action server (the shared stack of tests/conftest.py) run on a
temporary SQLite tracker store and the
obviously fake test registry (tests/fixtures/e2e); residents ask in
scripted conversations, and the report then reads that store. This checks
that the events the actions really record give each search its place, type
and outcome, and that small cells stay hidden, without any message text or
sender id in the files.
"""

from __future__ import annotations

import csv
import itertools
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from scripts.stack import ROOT, Stack
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

REGISTRY = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"
_ids = itertools.count()

#: (message, how many conversations): each conversation asks once.
SCRIPT: list[tuple[str, int]] = [
    ("var finns närmaste matbutik i Kyrkhult?", 5),  # 70 m: within 10 km
    ("närmaste bankomat i Jämjö", 5),  # the only ATM is 80 km away
    ("finns det apoteksombud i Tving", 5),  # no data
    ("var finns ett apotek i Åkerby", 5),  # unknown place
    ("närmaste bensinstation i Ronneby", 2),  # too few: hidden
    ("kan man handla mat på nätet", 5),  # a digital alternative
]


@pytest.fixture(scope="module")
def report(
    shared_stack: Stack,
    copy_conversations: Callable[[Sequence[str], Path], Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, object]]:
    assert shared_stack.env["SERVICELOTSEN_REGISTRY"] == str(REGISTRY)
    tmp = tmp_path_factory.mktemp("efterfragan")
    chat = Chat(shared_stack.env)
    for text, times in SCRIPT:
        for _ in range(times):
            assert chat.say(f"rapport-{next(_ids)}", text), text
    tracker = copy_conversations(["rapport-"], tmp / "tracker.db")
    out = tmp / "rapport"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--out", str(out), "--json",
         "--registry", str(REGISTRY),
         "--tracker", f"sqlite:///{tracker}"],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_searches_get_place_type_and_outcome(
    report: tuple[Path, dict[str, object]],
) -> None:
    out, summary = report
    assert summary["demand"] == {
        "conversations": 22,
        "searches": 22,
        "hidden_rows": 1,
        # no resident reported a change in these conversations
        "change_reports": 0,
        "changes": {},
    }
    rows = {(r["ort"], r["tjanst"]): r for r in _rows(out / "efterfragan_per_ort.csv")}
    assert set(rows) == {
        ("Kyrkhult", "dagligvaror"),
        ("Jämjö", "uttagsautomat"),
        ("Tving", "apoteksombud"),
        ("(okänd ort)", "apotek"),
    }  # Ronneby's two conversations are left out
    assert rows[("Kyrkhult", "dagligvaror")]["inom_gransen"] == "5"
    assert rows[("Jämjö", "uttagsautomat")]["ingen_inom_gransen"] == "5"
    assert rows[("Tving", "apoteksombud")]["inga_uppgifter"] == "5"
    assert rows[("(okänd ort)", "apotek")]["okand_ort"] == "5"
    assert all(r["samtal"] == "5" for r in rows.values())
    by_type = {r["tjanst"]: r for r in _rows(out / "efterfragan_per_manad.csv")}
    # drivmedel (2) is hidden, and so is the first of the smallest other
    # types (apotek, 5), or drivmedel could be worked out from "alla"
    assert set(by_type) == {"alla", "apoteksombud", "dagligvaror", "uttagsautomat"}
    everything = by_type["alla"]
    assert everything["samtal"] == "22"
    assert (everything["inom_gransen"], everything["ingen_inom_gransen"]) == ("5", "7")
    assert (everything["inga_uppgifter"], everything["okand_ort"]) == ("5", "5")
    digital = _rows(out / "digitala_alternativ.csv")
    assert [(r["amne"], r["samtal"]) for r in digital] == [("handla-mat-pa-natet", "5")]


def test_no_message_text_or_sender_in_the_files(
    report: tuple[Path, dict[str, object]],
) -> None:
    out, _ = report
    files = [*out.glob("*.csv"), out / "report.html"]
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        assert "rapport-" not in text, path
        for message, _ in SCRIPT:
            assert message not in text, (path, message)
        assert "Åkerby" not in text, path  # the unknown place as typed
