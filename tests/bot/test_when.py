import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.when import day_label, parse_when

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Wednesday 2 December 2026, 14.00 in Sweden
AT = datetime.datetime(2026, 12, 2, 14, 0, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("text", "day", "now"),
    [
        ("har coop öppet?", datetime.date(2026, 12, 2), True),
        ("är det öppet nu", datetime.date(2026, 12, 2), True),
        ("öppet idag?", datetime.date(2026, 12, 2), False),
        ("öppet i dag", datetime.date(2026, 12, 2), False),
        ("öppet imorgon", datetime.date(2026, 12, 3), False),
        ("har de öppet i morgon", datetime.date(2026, 12, 3), False),
        ("i övermorgon då", datetime.date(2026, 12, 4), False),
        ("har Coop i Mjällby öppet på söndag?", datetime.date(2026, 12, 6), False),
        ("på söndagen", datetime.date(2026, 12, 6), False),
        ("sondag", datetime.date(2026, 12, 6), False),
        ("öppet på lördagar?", datetime.date(2026, 12, 5), False),
        ("onsdag", datetime.date(2026, 12, 2), False),
        ("i helgen", datetime.date(2026, 12, 5), False),
        ("måndag", datetime.date(2026, 12, 7), False),
    ],
)
def test_parse_when(text: str, day: datetime.date, now: bool) -> None:
    when = parse_when(text, AT)
    assert when.day == day
    assert when.now is now


def test_day_label() -> None:
    today = datetime.date(2026, 12, 2)
    assert day_label(today, today) == "i dag"
    assert day_label(datetime.date(2026, 12, 3), today) == "i morgon"
    assert day_label(datetime.date(2026, 12, 6), today) == "söndag 6 december"


def test_named_weekday_that_is_today_or_tomorrow_keeps_its_name() -> None:
    assert parse_when("på onsdag", AT).label == "i dag (onsdag)"
    assert parse_when("på torsdag", AT).label == "i morgon (torsdag)"
