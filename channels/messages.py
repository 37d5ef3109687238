"""What the channels say and accept (no Rasa import, so tests can use it)."""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

#: Said when a turn produced no reply (action server down, internal error).
NO_REPLY_TEXT = (
    "Förlåt, jag kan inte svara just nu på grund av ett tekniskt fel. "
    "Försök igen om en liten stund."
)

#: Longest message accepted; longer text is cut (the NLU gains nothing from it).
MAX_MESSAGE_CHARS = 2000
DOMAIN_FILE = Path(__file__).resolve().parents[1] / "domain.yml"
_COMMAND = re.compile(r"^\s*/+([A-Za-z_][\w-]*)")


@functools.lru_cache(maxsize=1)
def known_intents() -> frozenset[str]:
    """The intents of the domain: only these may be sent as "/intent" commands."""
    try:
        domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        logger.exception("cannot read %s", DOMAIN_FILE)
        return frozenset()
    names = domain.get("intents") or []
    return frozenset(n if isinstance(n, str) else next(iter(n)) for n in names)


def clean_message(text: str) -> str:
    """What Rasa gets: cut to size; an empty message asks for help; an
    "/intent" command the domain does not know is read as plain text."""
    text = text[:MAX_MESSAGE_CHARS]
    if not text.strip():
        return "/help"
    command = _COMMAND.match(text)
    if command and command.group(1) not in known_intents():
        return text.lstrip().lstrip("/")
    return text
