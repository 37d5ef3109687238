"""bot/change_reports.py: what a report keeps, how its kind is read, counts."""

from __future__ import annotations

import datetime

import pytest

from bot.change_reports import (
    MAX_TEXT_CHARS,
    ChangeReport,
    classify,
    clean_text,
    count_by_category,
    is_cancel,
    name_query,
    service_words,
)

DAY = datetime.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Coop Hasslö har stängt", "closed"),
        ("ombudet i Tving finns inte kvar", "closed"),
        ("butiken lades ner i våras", "closed"),
        ("de har stängt på söndagar nu", "hours"),
        ("fel öppettider", "hours"),
        ("apoteket har flyttat", "address"),
        ("telefonnumret är fel", "phone"),
        ("de tar inte emot paket längre", "service"),
        ("ICA Nära Laxen är inte längre paketombud", "service"),
        ("något är konstigt", None),
    ],
)
def test_the_kind_of_a_report(text: str, kind: str | None) -> None:
    assert classify(text) == kind


def test_clean_text_strips_markup_masks_and_caps() -> None:
    text = clean_text("<b>Stängt</b>\x00 ring 0455-123 45 <script>x</script> " + "a" * 5000)
    assert text.startswith("Stängt ring <telefonnummer> x")
    assert "<b>" not in text and "\x00" not in text and "<script" not in text
    assert len(text) == MAX_TEXT_CHARS and text.endswith("…")
    assert clean_text("mejla mig på a@b.se") == "mejla mig på <e-post>"


def test_cancel_words() -> None:
    assert is_cancel("Avbryt") and is_cancel("nej tack!") and not is_cancel("nej, den har stängt")


def test_service_words_and_the_name_in_a_report() -> None:
    assert service_words("ombudet i Tving finns inte kvar") == ("apoteksombud", "paketombud")
    assert service_words("apoteket har flyttat") == ("apotek",)
    assert name_query("Coop Hasslö har stängt") == "Coop Hasslö"
    assert name_query("jag vill säga att ICA Nära Laxen inte finns kvar") == "ICA Nära Laxen"


def test_a_stored_report_is_checked_when_read_back() -> None:
    report = ChangeReport("p1", "Namn", "closed", DAY, "text", "paketombud", "widget")
    assert ChangeReport.from_value(report.as_value()) == report
    assert ChangeReport.from_value({"point_id": "p1", "kind": "drop table", "date": "2026-12-02"}) is None
    assert ChangeReport.from_value({"point_id": "p1", "kind": "closed", "date": "igår"}) is None
    assert ChangeReport.from_value("<script>") is None
    odd = ChangeReport.from_value({**report.as_value(), "text": "<i>x</i>", "channel": "evil"})
    assert odd is not None and odd.text == "x" and odd.channel == "chat"


def test_reports_per_category() -> None:
    reports = [
        ChangeReport("shop", "Butik", "closed", DAY),
        ChangeReport("shop", "Butik", "service", DAY, category="paketombud"),
        ChangeReport("gone", "Okänd", "closed", DAY),
    ]
    categories = {"shop": ("dagligvaror", "paketombud")}
    assert count_by_category(reports, categories) == {"dagligvaror": 1, "paketombud": 2}
