"""Swedish phrasing helpers for what residents read."""

from __future__ import annotations

from bot.lang import swedish

__all__ = ["SWEDISH_MONTHS"]

#: Month names as Swedes write them in dates ("6 december", "februari 2023").
SWEDISH_MONTHS = swedish().months

