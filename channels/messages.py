"""What the channels say and accept (no Rasa import, so tests can use it)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.language import message_language
from bot.messages import DEFAULT_LANGUAGE, say

logger = logging.getLogger(__name__)

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


def no_reply_text(language: str | None = DEFAULT_LANGUAGE) -> str:
    """Said when a turn produced no reply (action server down, internal error);
    the text is `channel_no_reply` in data/lang/messages.yml."""
    return say("channel_no_reply", language)


#: Marks the channel's own reply to a turn that produced none: what happened,
#: as data, for clients that count failures (scripts/bench.py); the widget
#: shows the text and ignores custom payloads it does not know.
NO_REPLY_OUTCOME = "no_reply"


def no_reply_message(recipient_id: str, language: str | None) -> dict[str, Any]:
    """The REST reply for a turn that produced no reply, marked as such."""
    return {
        "recipient_id": recipient_id,
        "text": no_reply_text(language),
        "custom": {"type": NO_REPLY_OUTCOME},
    }


def is_no_reply(message: object) -> bool:
    """True for the channel's no-reply message (by its mark, not its text)."""
    if not isinstance(message, Mapping):
        return False
    custom = message.get("custom")
    return isinstance(custom, Mapping) and custom.get("type") == NO_REPLY_OUTCOME


def reply_language(text: str, metadata: Mapping[str, object] | None = None) -> str:
    """The language of the channel's own replies to one message: "sv" or "en".

    The rule of the `language` slot (`bot.language.message_language`, as in
    actions/language.py): the widget's language when the resident chose it
    with the switch, else the message's text when it tells, else the
    widget's page language. The conversation's language is not known here
    (its store may be what failed), so an undecided message gets Swedish.
    Never raises: it decides the text of an error reply.
    """
    metadata = metadata or {}
    try:
        found = message_language(
            text,
            client_language=metadata.get("language"),
            client_choice=metadata.get("language_source") == "switch",
        )
    except Exception:  # the detector's data cannot be read: still answer
        logger.exception("cannot tell the language of a message")
        return DEFAULT_LANGUAGE
    return found or DEFAULT_LANGUAGE
