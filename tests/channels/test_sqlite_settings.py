"""channels.speedups: Rasa's SQLite conversation store in WAL mode (issue 14).

Runs Rasa's own SQLTrackerStore in Rasa's environment (a subprocess, as in
test_speedups.py): after `channels` is imported the store's file is in WAL
mode with synchronous=NORMAL and its connections pooled, a saved conversation reads back whole, and our
read-only reader (bot/inbox.py) still reads it.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

SCRIPT = r"""
import asyncio, json, sys, time
import channels  # installs the settings, as Rasa's loading of our channel does
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=sys.argv[1])
tracker = DialogueStateTracker("t-1", [])
start = time.perf_counter()
for i in range(20):
    tracker.update(UserUttered(f"fråga {i}"))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
per_save_ms = (time.perf_counter() - start) / 20 * 1000
back = asyncio.run(store.retrieve("t-1"))
with store.engine.connect() as conn:
    mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
print(json.dumps({"mode": mode, "sync": sync, "events": len(back.events),
                  "per_save_ms": per_save_ms, "pool": type(store.engine.pool).__name__}))
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="Rasa's environment is not installed")
def test_rasa_sqlite_store_uses_wal(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    proc = subprocess.run(
        [str(RASA_PYTHON), "-c", SCRIPT, str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore",
             "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["mode"] == "wal"
    assert out["sync"] == 1  # NORMAL
    assert out["pool"] == "QueuePool"  # one connection kept, not one per read
    assert out["events"] == 40
    # read-only, as bot/inbox.py reads it
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("select count(*) from events").fetchone()[0] == 40
