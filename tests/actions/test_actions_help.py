"""`actions/help.py`: the help text lists the service types from the data file."""

from __future__ import annotations

import pytest
from action_support import make_tracker, run_action

import actions.help
from actions.help import ActionHelp
from bot.service_types import ServiceType, load_service_types


def test_help_lists_every_service_type_in_swedish() -> None:
    reply = run_action(
        ActionHelp(), make_tracker("vad kan du hjälpa till med?", intent="help")
    )
    assert reply.responses == ["utter_help"]
    assert reply.messages[0]["services"] == (
        "matbutiker, apotek, apoteksombud, paketombud, uttagsautomater, "
        "bensinstationer, bibliotek och vårdcentraler"
    )
    assert reply.text.startswith(
        "Jag kan hjälpa dig att hitta matbutiker, apotek, apoteksombud, paketombud, "
        "uttagsautomater, bensinstationer, bibliotek och vårdcentraler i Blekinge."
    )
    assert reply.events == []
    for service_type in load_service_types().values():
        assert service_type.plural in reply.text


def test_help_follows_the_data_file(monkeypatch: pytest.MonkeyPatch) -> None:
    types = dict(list(load_service_types().items())[:2])
    monkeypatch.setattr(actions.help, "load_service_types", lambda: types)
    reply = run_action(ActionHelp(), make_tracker("hjälp", intent="help"))
    plurals = [st.plural for st in types.values()]
    assert all(isinstance(st, ServiceType) for st in types.values())
    assert reply.text.startswith(
        f"Jag kan hjälpa dig att hitta {plurals[0]} och {plurals[1]} i Blekinge."
    )
