"""What one turn learnt about Rasa's stores (no Rasa import, so tests can use it).

Rasa wraps every tracker store in a fail-safe that, when the database cannot be
reached, silently goes on with an empty conversation kept in memory: the
resident gets an answer that forgot everything said before, and nothing is
saved. Our tracker store (channels/tracker_store.py) notes such a failure here,
in a context variable the REST channel (channels/rest.py) sets up for the turn,
so the channel can answer with a clear error instead.

Error descriptions never carry SQL parameters: those hold the resident's
message text and the conversation id.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

from bot.messages import DEFAULT_LANGUAGE, say

__all__ = [
    "TurnStores",
    "begin_turn",
    "current_turn",
    "describe_error",
    "is_lock_store_error",
    "store_down_text",
]


def store_down_text(language: str | None = DEFAULT_LANGUAGE) -> str:
    """Said when the conversation store (PostgreSQL) or the lock store (Redis)
    cannot be reached: the turn was not handled and nothing was remembered
    (`channel_store_down` in data/lang/messages.yml)."""
    return say("channel_store_down", language)


@dataclass
class TurnStores:
    """Store failures seen during one turn (one message in, replies out)."""

    tracker_store_errors: list[str] = field(default_factory=list)

    @property
    def tracker_store_failed(self) -> bool:
        return bool(self.tracker_store_errors)

    def tracker_store_error(self, error: BaseException) -> str:
        """Note that reading or writing the conversation failed; returns the description."""
        text = describe_error(error)
        self.tracker_store_errors.append(text)
        return text


_CURRENT: contextvars.ContextVar[TurnStores | None] = contextvars.ContextVar(
    "servicelotsen_turn_stores", default=None
)


def begin_turn() -> TurnStores:
    """A fresh record for the turn that starts now, in this task's context."""
    turn = TurnStores()
    _CURRENT.set(turn)
    return turn


def current_turn() -> TurnStores | None:
    """The record of the turn being handled, or None outside a REST turn."""
    return _CURRENT.get()


def describe_error(error: BaseException) -> str:
    """One line for the operator: the error's class and its first line.

    For SQLAlchemy's errors the driver's own error is used (`orig`): its text
    says what failed ("connection refused") without the SQL statement and its
    parameters, which SQLAlchemy appends and which hold personal data.
    """
    cause: BaseException = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    first = lines[0].strip() if lines else ""
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


def is_lock_store_error(error: BaseException) -> bool:
    """True when `error` means the lock store (Redis) failed.

    Rasa raises its `LockError` when a ticket cannot be issued or a lock not
    acquired; a Redis error can also surface directly (when Redis goes away
    between taking the lock and giving it back).
    """
    for exc in _chain(error):
        cls = type(exc)
        if cls.__name__ == "LockError" and cls.__module__.startswith("rasa."):
            return True
        if cls.__module__.split(".")[0] == "redis":
            return True
    return False


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
