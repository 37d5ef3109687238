"""Swedish phrasing helpers for what residents read."""

from __future__ import annotations

from collections.abc import Sequence

from bot.lang import swedish

__all__ = ["SWEDISH_MONTHS", "join_swedish"]

#: Month names as Swedes write them in dates ("6 december", "februari 2023").
SWEDISH_MONTHS = swedish().months


def join_swedish(items: Sequence[str], conjunction: str = "och") -> str:
    """Join words as Swedish prose does: "a, b och c" (no serial comma).

    Args:
        items: the words, in order.
        conjunction: "och" or "eller".

    Returns:
        The joined text; "" for no items.
    """
    words = [w for w in items if w]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
