"""OpenStreetMap `opening_hours`, evaluated in Swedish time, told in the answer's language.

Parsing and evaluation are done by `opening-hours-py` (import name
`opening_hours`), a Rust implementation of the full OSM specification. It was
chosen over a home-made parser after checking the forms our data uses (day
ranges, several intervals, `off`, `24/7`, spans past midnight, `PH`, comments,
month selectors, daylight-saving days): all evaluated correctly, a parse takes
~10 µs and an evaluation ~2 µs. Its Swedish `PH` calendar is the `holidays`
package's public *and* de facto holidays (midsommarafton, julafton,
nyårsafton are `PH` too, as Swedish shops treat them); a test pins that
equivalence so a library update cannot change it silently.

This module adds what the bot needs on top: a fixed time zone
(Europe/Stockholm), "open on this date", next opening/closing, Swedish holiday
names, and opening hours written the way Swedes write them.

Swedish style used for times (documented once, used everywhere):
    * en dash, no spaces: "8–21"
    * whole hours without minutes: "8–21", "0–24" never (that is "dygnet runt")
    * when either end has minutes, both ends get them, with a full stop
      (Språkrådet's recommendation): "8.30–17.00"
    * several periods separated by comma: "8–12, 13–17"
    * closed all day: "stängt"; open all day: "dygnet runt"
    * a period past midnight ends with the next day's time: "22–2"
    * a single moment in a sentence gets "kl.": "stänger kl. 21",
      "öppnar i morgon kl. 8.30" (`status_text`)

Every text takes `lang` ("sv" by default); the words and the clock format
are in data/lang/messages.yml (`day_*`, `status_*`, `when_*`, `clock_*`).
English: 24-hour clock with a colon and always minutes, "9:00–19:00",
"open now, closes at 21:00" (see the comment there).

Semantics worth knowing (from the OSM specification): a later rule replaces
earlier rules for the days it names, including a span spilling over midnight
(`Fr 22:00-02:00; Sa 10:00-14:00` is closed Saturday 00:00-02:00).

Every evaluation has an explicit search window (issue 14): the library's
interval iterator runs until year 9999 when given no end, and for a place that
is always open (`Mo-Su 00:00-24:00`) finding the end of the open stretch took
~0.9 s. `day_hours` looks from the day before to the end of the day after
(`DAY_WINDOW`), next opening/closing look `SEARCH_HORIZON` ahead. Results are
the library's own within those windows (tests compare them over many dates,
daylight-saving days and holidays); what lies beyond is "no end in sight".
`day_hours` is cached per place and day. `scripts/bench_hours.py` prints the
times (each well under 0.2 ms).
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays as _holidays
import opening_hours as _oh

from bot.errors import InvalidOpeningHours
from bot.lang import english, swedish
from bot.messages import DEFAULT_LANGUAGE, say
from bot.phrasing import SWEDISH_MONTHS

__all__ = [
    "COUNTRY",
    "HOLIDAY_CATEGORIES",
    "SWEDISH_WEEKDAYS",
    "TIMEZONE",
    "DayHours",
    "Interval",
    "OpeningHours",
    "State",
    "day_and_month",
    "format_clock",
    "format_period",
    "holiday_name",
    "local_datetime",
    "next_weekday",
    "now",
    "parse_opening_hours",
    "parse_weekday",
    "to_local",
    "validate_opening_hours",
    "weekday_name",
]

TIMEZONE = ZoneInfo("Europe/Stockholm")
COUNTRY = "SE"
#: What `PH` means here: the `holidays` categories that match the library.
HOLIDAY_CATEGORIES = ("public", "de_facto")
#: How far ahead next_opening/next_closing look before giving up.
SEARCH_HORIZON = datetime.timedelta(days=400)
#: How far past the end of a day `day_hours` looks for the end of a period
#: that began that day; an end beyond it is "no end in sight" (None).
DAY_WINDOW = datetime.timedelta(days=1)
#: Days of `day_hours` kept per place (a conversation asks about a few days).
_DAY_CACHE_SIZE = 16

SWEDISH_WEEKDAYS = swedish().weekdays
#: "söndag", "söndagen", "sondag", "sön" ... (data/lang/sv.yml) to 0..6.
_WEEKDAY_WORDS = swedish().weekday_forms(abbreviations=True)


class State(enum.Enum):
    """Whether a place is open; UNKNOWN when the data says it depends."""

    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


_STATES = {
    _oh.State.OPEN: State.OPEN,
    _oh.State.CLOSED: State.CLOSED,
    _oh.State.UNKNOWN: State.UNKNOWN,
}


@dataclass(frozen=True)
class Interval:
    """A stretch of constant state; `end` None means "from then on"."""

    start: datetime.datetime
    end: datetime.datetime | None
    state: State
    comment: str = ""


@dataclass(frozen=True)
class DayHours:
    """One date's opening hours, ready to be told to a resident.

    Attributes:
        day: the date (Swedish calendar day).
        periods: open periods starting on this day; an end may be on the next
            day (past midnight) or None (no end in sight).
        all_day: open for the whole day.
        unknown: part of the day is "unknown" (e.g. "efter överenskommelse").
        comments: comments attached to this day's rules, in order.
        holiday: the Swedish holiday name if the day is a public/de facto one.
    """

    day: datetime.date
    periods: tuple[tuple[datetime.datetime, datetime.datetime | None], ...]
    all_day: bool
    unknown: bool
    comments: tuple[str, ...]
    holiday: str | None

    @property
    def is_open(self) -> bool:
        """True if open at some time that day (spill-over from the day before
        excluded)."""
        return self.all_day or bool(self.periods)

    @property
    def text(self) -> str:
        """The hours the Swedish way: "8–21", "8–12, 13–17", "stängt"."""
        return self.text_in(DEFAULT_LANGUAGE)

    def text_in(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The hours in `lang`: "8–21" / "8:00–21:00", "stängt" / "closed".

        The comments of the data (an editor's "efter överenskommelse") are
        shown as written.
        """
        if self.all_day:
            hours = say("day_all_day", lang)
        elif self.periods:
            # one style for the whole day: "8.30–12.00, 13.00–17.00"
            minutes = any(
                s.minute or (e is not None and e.minute) for s, e in self.periods
            )
            hours = ", ".join(
                format_period(s, e, minutes, lang) for s, e in self.periods
            )
        elif self.unknown:
            hours = say("day_unknown", lang)
        else:
            hours = say("day_closed", lang)
        if self.comments:
            hours += " (" + "; ".join(self.comments) + ")"
        return hours


# ---------------------------------------------------------------- time helpers


def now() -> datetime.datetime:
    """The current time in Sweden (aware)."""
    return datetime.datetime.now(TIMEZONE)


def to_local(at: datetime.datetime | None = None) -> datetime.datetime:
    """Aware Swedish time; a naive datetime is taken to be Swedish already."""
    if at is None:
        return now()
    if at.tzinfo is None:
        return at.replace(tzinfo=TIMEZONE)
    return at.astimezone(TIMEZONE)


def local_datetime(
    day: datetime.date, hour: int = 0, minute: int = 0
) -> datetime.datetime:
    """Swedish wall-clock time on a date (e.g. "söndag kl 14")."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TIMEZONE)


def next_weekday(weekday: int, start: datetime.date | None = None) -> datetime.date:
    """The first date on or after `start` (default today) with this weekday.

    Args:
        weekday: 0 = måndag ... 6 = söndag.
        start: first candidate date.
    """
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0..6, got {weekday}")
    start = start or now().date()
    return start + datetime.timedelta(days=(weekday - start.weekday()) % 7)


def parse_weekday(word: str) -> int | None:
    """A Swedish weekday word ("söndag", "lördagen", "mån") to 0..6, else None."""
    return _WEEKDAY_WORDS.get(word.strip().casefold().rstrip("."))


#: The `holidays` package's name of a language (its Swedish calendar has
#: "sv" and "en_US" names).
_HOLIDAY_LANGUAGES = {"sv": "sv", "en": "en_US"}


@functools.lru_cache(maxsize=64)
def _holiday_calendar(year: int, lang: str = DEFAULT_LANGUAGE) -> dict[datetime.date, str]:
    cal = _holidays.country_holidays(
        COUNTRY,
        years=year,
        categories=HOLIDAY_CATEGORIES,
        language=_HOLIDAY_LANGUAGES.get(lang, "sv"),
    )
    return {day: str(name) for day, name in cal.items()}


def holiday_name(day: datetime.date, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """The name of a public or de facto holiday ("Julafton", "Christmas Eve"), else None."""
    return _holiday_calendar(day.year, lang).get(day)


def weekday_name(weekday: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """0..6 as "måndag" … "söndag", or "Monday" … "Sunday" (data/lang/*.yml)."""
    if lang == "en" and len(english().weekdays) == 7:
        return english().weekdays[weekday].capitalize()
    return SWEDISH_WEEKDAYS[weekday]


def day_and_month(day: datetime.date, lang: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """The day of the month and the month's name: ("6", "december") / ("6", "December")."""
    if lang == "en" and len(english().months) == 12:
        return str(day.day), english().months[day.month - 1].capitalize()
    return str(day.day), SWEDISH_MONTHS[day.month - 1]


def format_clock(
    t: datetime.time | datetime.datetime,
    with_minutes: bool,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """A time of day: Swedish "8" or, with minutes, "8.30" / "8.00"; English
    always "8:00", "8:30" (`clock_whole`, `clock_minutes` in messages.yml)."""
    return _clock(t.hour, t.minute, with_minutes, lang)


def _clock(hour: int, minute: int, with_minutes: bool, lang: str) -> str:
    if with_minutes:
        return say("clock_minutes", lang, hour=hour, minute=f"{minute:02d}")
    return say("clock_whole", lang, hour=hour)


def format_period(
    start: datetime.datetime,
    end: datetime.datetime | None,
    with_minutes: bool | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """An open period: "8–21", "8.30–17.00", "22–2", "från 8" (Swedish);
    "8:00–21:00", "22:00–2:00", "from 8:00" (English).

    Args:
        start: opening time.
        end: closing time (may be the next day); None when open-ended.
        with_minutes: force minutes on/off (a day's periods share one style);
            default: minutes if either end has them.
        lang: the answer's language.
    """
    if with_minutes is None:
        with_minutes = start.minute != 0 or (end is not None and end.minute != 0)
    if end is None or end - start > datetime.timedelta(days=1):
        return say("hours_from", lang, time=format_clock(start, with_minutes, lang))
    start_text = format_clock(start, with_minutes, lang)
    if end.date() > start.date() and end.time() == datetime.time(0, 0):
        end_text = _clock(24, 0, with_minutes, lang)  # "24", "24.00", "24:00"
    else:
        end_text = format_clock(end, with_minutes, lang)
    return f"{start_text}–{end_text}"


# ---------------------------------------------------------------- the wrapper


class OpeningHours:
    """One place's parsed `opening_hours`, evaluated in Swedish time.

    Build with `parse_opening_hours` (cached) rather than directly.
    """

    __slots__ = ("_days", "_oh", "text")

    def __init__(self, text: str) -> None:
        """Parse `text`.

        Raises:
            InvalidOpeningHours: not valid OSM `opening_hours` syntax.
        """
        self.text = validate_opening_hours(text)
        try:
            self._oh = _oh.OpeningHours(self.text, timezone=TIMEZONE, country=COUNTRY)
        except Exception as exc:  # pragma: no cover (validate() passed already)
            raise InvalidOpeningHours(text, str(exc).splitlines()[0]) from exc
        self._days: dict[datetime.date, DayHours] = {}

    def __repr__(self) -> str:
        return f"OpeningHours({self.text!r})"

    def intervals(
        self, start: datetime.datetime, end: datetime.datetime
    ) -> Iterator[Interval]:
        """Successive intervals of constant state in [start, end) (clipped to
        both; an interval reaching `end` ends there).

        The window is required: without an end the library searches until
        year 9999 for the end of an open stretch.
        """
        for s, e, state, comment in self._oh.intervals(to_local(start), to_local(end)):
            yield Interval(
                to_local(s), None if e is None else to_local(e), _STATES[state], comment
            )

    def state(self, at: datetime.datetime | None = None) -> State:
        """OPEN, CLOSED or UNKNOWN at `at` (default: now)."""
        state, _comment = self._oh.state(to_local(at))
        return _STATES[state]

    def comment(self, at: datetime.datetime | None = None) -> str:
        """The comment of the rule in force at `at` ("" if none)."""
        _state, comment = self._oh.state(to_local(at))
        return str(comment)

    def is_open(self, at: datetime.datetime | None = None) -> bool:
        """True only if the data says open at `at` (UNKNOWN counts as not open)."""
        return self.state(at) is State.OPEN

    def day_hours(self, day: datetime.date) -> DayHours:
        """The hours on one date, spans past midnight included (cached).

        A period starting that day ends on the same or the next day, or has
        end None when it is still open at the end of the next day (no end in
        sight: "från 10").
        """
        cached = self._days.get(day)
        if cached is None:
            cached = self._day_hours(day)
            if len(self._days) >= _DAY_CACHE_SIZE:
                self._days.clear()
            self._days[day] = cached
        return cached

    def _day_hours(self, day: datetime.date) -> DayHours:
        day_start = local_datetime(day)
        day_end = local_datetime(day + datetime.timedelta(days=1))
        # from the day before (did an open stretch begin yesterday?) to the
        # end of the day after (when does tonight's period end?)
        search_from = local_datetime(day - datetime.timedelta(days=1))
        search_to = local_datetime(day + datetime.timedelta(days=1) + DAY_WINDOW)
        periods: list[tuple[datetime.datetime, datetime.datetime | None]] = []
        comments: list[str] = []
        unknown = False
        all_day = False
        for iv in self.intervals(search_from, search_to):
            if iv.start >= day_end:
                break
            if iv.end is not None and iv.end <= day_start:
                continue
            if iv.comment and iv.comment not in comments:
                comments.append(iv.comment)
            if iv.state is State.UNKNOWN:
                unknown = True
            elif iv.state is State.OPEN:
                if iv.start <= day_start and (iv.end is None or iv.end >= day_end):
                    all_day = True
                elif iv.start >= day_start:
                    end = None if iv.end is None or iv.end >= search_to else iv.end
                    periods.append((iv.start, end))
        if all_day:
            periods = []
        return DayHours(
            day=day,
            periods=tuple(periods),
            all_day=all_day,
            unknown=unknown,
            comments=tuple(comments),
            holiday=holiday_name(day),
        )

    def is_open_on(self, day: datetime.date) -> bool:
        """True if open at some time on this date."""
        return self.day_hours(day).is_open

    def hours_text(self, day: datetime.date, lang: str = DEFAULT_LANGUAGE) -> str:
        """The hours of a date: "8–21", "stängt", "dygnet runt" (Swedish)."""
        return self.day_hours(day).text_in(lang)

    def today_text(
        self, at: datetime.datetime | None = None, lang: str = DEFAULT_LANGUAGE
    ) -> str:
        """Today's hours (today in Sweden, not UTC)."""
        return self.hours_text(to_local(at).date(), lang)

    def next_opening(
        self, at: datetime.datetime | None = None
    ) -> datetime.datetime | None:
        """When it is next open: `at` itself if open then; None if not within
        ~a year."""
        start = to_local(at)
        for iv in self.intervals(start, start + SEARCH_HORIZON):
            if iv.state is State.OPEN:
                return iv.start
        return None

    def next_closing(
        self, at: datetime.datetime | None = None
    ) -> datetime.datetime | None:
        """When the current (or next) open period ends; None if never
        (24/7) or no opening within ~a year."""
        start = to_local(at)
        for iv in self.intervals(start, start + SEARCH_HORIZON):
            if iv.state is State.OPEN:
                if iv.end is None or iv.end >= start + SEARCH_HORIZON:
                    return None
                return iv.end
        return None

    def status_text(
        self, at: datetime.datetime | None = None, lang: str = DEFAULT_LANGUAGE
    ) -> str:
        """Open or not right now, and until/from when, in plain words.

        "öppet nu, stänger kl. 21", "stängt nu, öppnar i morgon kl. 8",
        "stängt nu, öppnar lördag kl. 9.30", "öppet dygnet runt", "stängt";
        in English "open now, closes at 21:00", "closed now, opens tomorrow
        at 8:00", "closed now, opens on Saturday at 9:30".
        """
        moment = to_local(at)
        state = self.state(moment)
        if state is State.UNKNOWN:
            comment = self.comment(moment)
            return say("status_unsure", lang) + (f" ({comment})" if comment else "")
        if state is State.OPEN:
            closing = self.next_closing(moment)
            if closing is None:
                return say("status_always_open", lang)
            return say(
                "status_open_until", lang, when=_when(closing, moment, True, lang)
            )
        opening = self.next_opening(moment)
        if opening is None:
            return say("status_closed", lang)
        return say("status_closed_until", lang, when=_when(opening, moment, False, lang))

    def week_text(self, start: datetime.date) -> list[tuple[datetime.date, str]]:
        """Seven days of hours from `start`, for "öppettider den här veckan"."""
        return [
            (day, self.hours_text(day))
            for day in (start + datetime.timedelta(days=i) for i in range(7))
        ]


def _when(
    moment: datetime.datetime,
    now_: datetime.datetime,
    closing: bool,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """A time relative to now: "kl. 21", "i morgon kl. 8", "lördag kl. 9"
    ("at 21:00", "tomorrow at 8:00", "on Saturday at 9:00")."""
    clock = say("when_clock", lang, time=format_clock(moment, moment.minute != 0, lang))
    days = (moment.date() - now_.date()).days
    if days == 0:
        return clock
    if days == 1:
        if closing and moment.time() == datetime.time(0, 0):
            return say("when_midnight", lang)
        if closing and moment.hour < 6:
            return say("when_tonight", lang, clock=clock)  # closing after midnight
        return say("when_tomorrow", lang, clock=clock)
    if days < 7:
        return say(
            "when_weekday", lang, weekday=weekday_name(moment.weekday(), lang), clock=clock
        )
    day, month = day_and_month(moment.date(), lang)
    return say("when_date", lang, day=day, month=month, clock=clock)


def validate_opening_hours(value: str) -> str:
    """Check OSM `opening_hours` syntax; return the trimmed value.

    Used by the registry: a record with bad syntax is rejected, not guessed.

    Raises:
        InvalidOpeningHours: the text is not valid OSM syntax.
    """
    if not isinstance(value, str):
        raise InvalidOpeningHours(repr(value), "ska vara text")
    text = value.strip()
    if not text:
        raise InvalidOpeningHours(value, "tomt")
    if not _oh.validate(text):
        raise InvalidOpeningHours(value, _syntax_hint(text))
    return text


_SWEDISH_DAY_ABBR = re.compile(
    r"\b(må|mån|tis|ons|tors?|fre|lö|lör|sö|sön)\b", re.IGNORECASE
)


def _syntax_hint(text: str) -> str:
    """A short Swedish hint for the most common mistakes editors make."""
    if _SWEDISH_DAY_ABBR.search(text):
        return "veckodagar skrivs på engelska: Mo Tu We Th Fr Sa Su"
    if any(ch.isdigit() for ch in text) and ":" not in text:
        return "tider skrivs 08:00-17:00"
    return "se OSM-wikins sida Key:opening_hours"


@functools.lru_cache(maxsize=8192)
def parse_opening_hours(text: str) -> OpeningHours:
    """Parse once per distinct text (many shops share the same hours).

    Raises:
        InvalidOpeningHours: not valid OSM `opening_hours` syntax.
    """
    return OpeningHours(text)


# Build this year's and next year's holiday calendars now (~45 ms each the
# first time) rather than inside the first answer on a server's event loop.
for _year in (now().year, now().year + 1):
    _holiday_calendar(_year)

# keep the helper loop variable out of the module namespace
del _year
