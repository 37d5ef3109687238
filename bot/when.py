"""Which day a resident asks about: "på söndag", "idag", "i morgon", "nu"
(and in English "on Sunday", "today", "tomorrow", "now").

How the bot names the day is in data/lang/messages.yml (`day_*`): "i dag",
"i morgon", "söndag 6 december"; "today", "tomorrow", "on Sunday 6 December".
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from bot.lang import english, swedish
from bot.messages import DEFAULT_LANGUAGE, say
from bot.opening_hours import day_and_month, next_weekday, to_local, weekday_name
from bot.text import fold

__all__ = ["When", "day_label", "parse_when"]

_WORD = re.compile(r"[a-z]+")
#: Weekday forms: "söndag", "söndagen", "sondag", "söndags", "lördagarna",
#: and the English "sunday", "sundays" (no word is both).
_WEEKDAYS = {**english().weekday_forms(), **swedish().weekday_forms()}


@dataclass(frozen=True)
class When:
    """The day asked about.

    Attributes:
        day: the date in Sweden.
        today: the date the question was asked.
        now: the resident asked about right now (or did not say).
        weekday_named: the resident named a weekday that is today or
            tomorrow ("i dag (söndag)").
    """

    day: datetime.date
    today: datetime.date
    now: bool
    weekday_named: bool = False

    @property
    def label(self) -> str:
        """How the bot names the day in Swedish ("i dag", "söndag 6 december")."""
        return self.label_in(DEFAULT_LANGUAGE)

    def label_in(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """How the bot names the day: "i dag", "i morgon (måndag)"; "today",
        "on Sunday 6 December"."""
        label = day_label(self.day, self.today, lang)
        if self.weekday_named:
            weekday = weekday_name(self.day.weekday(), lang)
            return say("day_with_weekday", lang, label=label, weekday=weekday)
        return label


def day_label(
    day: datetime.date, today: datetime.date, lang: str = DEFAULT_LANGUAGE
) -> str:
    """ "i dag", "i morgon" or "söndag 6 december" ("today", "tomorrow",
    "on Sunday 6 December")."""
    if day == today:
        return say("day_today", lang)
    if day == today + datetime.timedelta(days=1):
        return say("day_tomorrow", lang)
    number, month = day_and_month(day, lang)
    return say(
        "day_date", lang, weekday=weekday_name(day.weekday(), lang), day=number, month=month
    )


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
    if "overmorgon" in words or "day after tomorrow" in joined:
        return When(today + datetime.timedelta(days=2), today, False)
    if (
        "imorgon" in words
        or "i morgon" in joined
        or "imorn" in words
        or "tomorrow" in words
    ):
        return When(today + datetime.timedelta(days=1), today, False)
    for word in words:
        weekday = _WEEKDAYS.get(word)
        if weekday is not None:
            day = next_weekday(weekday, today)
            # "i dag (söndag)"
            return When(day, today, False, day - today < datetime.timedelta(days=2))
    if "helgen" in words or "helg" in words or "weekend" in words:
        return When(next_weekday(5, today), today, False)
    asks_now = "nu" in words or "now" in words or not (
        "idag" in words or "i dag" in joined or "today" in words
    )
    return When(today, today, asks_now)
