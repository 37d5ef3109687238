"""Which day a resident asks about: "på söndag", "idag", "i morgon", "nu"."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from bot.lang import swedish
from bot.opening_hours import SWEDISH_WEEKDAYS, next_weekday, to_local
from bot.phrasing import SWEDISH_MONTHS
from bot.text import fold

__all__ = ["When", "parse_when"]

_WORD = re.compile(r"[a-z]+")
#: Weekday forms: "söndag", "söndagen", "sondag", "söndags", "lördagarna".
_WEEKDAYS = swedish().weekday_forms()


@dataclass(frozen=True)
class When:
    """The day asked about.

    Attributes:
        day: the date in Sweden.
        label: how the bot names it ("i dag", "i morgon", "söndag 6 december").
        now: the resident asked about right now (or did not say).
    """

    day: datetime.date
    label: str
    now: bool




def day_label(day: datetime.date, today: datetime.date) -> str:
    """ "i dag", "i morgon" or "söndag 6 december"."""
    if day == today:
        return "i dag"
    if day == today + datetime.timedelta(days=1):
        return "i morgon"
    return f"{SWEDISH_WEEKDAYS[day.weekday()]} {day.day} {SWEDISH_MONTHS[day.month - 1]}"


def parse_when(text: str, at: datetime.datetime | None = None) -> When:
    """Find the day a message asks about; default: now.

    Understands "idag"/"i dag", "imorgon"/"i morgon", "i övermorgon", weekday
    names in their usual forms ("söndag", "på söndagen", "sondag"), and "i
    helgen" (the coming Saturday). A weekday means the next such day,
    today included.
    """
    moment = to_local(at)
    today = moment.date()
    folded = fold(text)
    words = _WORD.findall(folded)
    joined = " ".join(words)
    if "overmorgon" in words:
        day = today + datetime.timedelta(days=2)
        return When(day, day_label(day, today), False)
    if "imorgon" in words or "i morgon" in joined or "imorn" in words:
        day = today + datetime.timedelta(days=1)
        return When(day, day_label(day, today), False)
    for word in words:
        weekday = _WEEKDAYS.get(word)
        if weekday is not None:
            day = next_weekday(weekday, today)
            label = day_label(day, today)
            if day - today < datetime.timedelta(days=2):  # "i dag (söndag)"
                label = f"{label} ({SWEDISH_WEEKDAYS[weekday]})"
            return When(day, label, False)
    if "helgen" in words or "helg" in words:
        day = next_weekday(5, today)
        return When(day, day_label(day, today), False)
    asks_now = "nu" in words or not ("idag" in words or "i dag" in joined)
    return When(today, "i dag", asks_now)
