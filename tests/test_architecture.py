"""docs/arkitektur.md's layers cover the whole library: every module of bot/ is in
a layer of .importlinter (which `make lint-imports` checks), and the components/
contract either allows or forbids it, so a new module cannot slip past both."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: What components/ may import inside Rasa's environment (docs/arkitektur.md).
RASA_SAFE = {
    "bot.service_types",
    "bot.nlu_entities",
    "bot.unknown_words",
    "bot.text",
    "bot.lang",
    "bot.errors",
}


def _contracts() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    return config


def _bot_modules() -> set[str]:
    found = {f"bot.{p.stem}" for p in (ROOT / "bot").glob("*.py") if p.stem != "__init__"}
    found |= {f"bot.{p.parent.name}" for p in (ROOT / "bot").glob("*/__init__.py")}
    return found


def test_every_module_of_bot_is_in_a_layer() -> None:
    layers = _contracts()["importlinter:contract:layers"]["layers"]
    named = set(re.findall(r"bot(?:\.\w+)+", layers))
    assert _bot_modules() - named == set(), "add it to a layer in .importlinter"


def test_components_contract_names_every_module_of_bot() -> None:
    contract = _contracts()["importlinter:contract:components-in-rasa-env"]
    forbidden = set(contract["forbidden_modules"].split())
    assert _bot_modules() - forbidden - RASA_SAFE == set(), (
        "forbid it for components/ in .importlinter, or make it Rasa-safe"
    )
    assert not RASA_SAFE & forbidden
