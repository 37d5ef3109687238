"""Fixtures for the action tests: the fake registry, no warm-up thread, the model.

The helpers that build trackers and run actions live in `action_support.py`.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from action_support import REGISTRY, REPO

import actions.common
import bot.lotsen
import bot.opening_hours

#: "Now" for every test: a Wednesday at noon, so "open now" and weekday
#: labels in the answers are known (see `frozen_now`).
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=bot.opening_hours.TIMEZONE)

# --- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def fake_registry() -> Iterator[Path]:
    """Every action in a module reads the fake registry, loaded afresh."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SERVICELOTSEN_REGISTRY", str(REGISTRY))
        bot.lotsen._lotsen = None
        yield REGISTRY
    bot.lotsen._lotsen = None


@pytest.fixture(autouse=True)
def no_warm_up_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """No background embedding thread: tests that need the model load it themselves."""
    monkeypatch.setattr(actions.common, "warm_up_in_background", lambda: None)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime.datetime:
    """Swedish "now" is Wednesday 25 November 2026, 12:00, in every answer."""
    monkeypatch.setattr(bot.opening_hours, "now", lambda: NOW)
    return NOW


@pytest.fixture()
def registry_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """SERVICELOTSEN_REGISTRY points at a file that does not exist."""
    missing = tmp_path / "finns-inte.geojson"
    monkeypatch.setenv("SERVICELOTSEN_REGISTRY", str(missing))
    bot.lotsen._lotsen = None
    yield missing
    bot.lotsen._lotsen = None  # the next test loads the fake registry again


@pytest.fixture(scope="session")
def embedding_model() -> Path:
    """The default embedding model folder, built (in a subprocess) if missing."""
    from scripts import build_embedding_model as builder

    out = builder.DEFAULT_OUT
    if not builder.is_up_to_date(out):
        script = REPO / "scripts" / "build_embedding_model.py"
        subprocess.run([sys.executable, str(script), "--out", str(out)], check=True)
    return Path(out)
