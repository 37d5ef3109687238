"""`bot.lang`: the Swedish word lists in data/lang/sv.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.lang import load_language, swedish, with_folded


def test_weekday_forms_as_residents_write_them() -> None:
    forms = swedish().weekday_forms()
    assert forms["söndags"] == forms["sondagarna"] == forms["söndagen"] == 6
    assert forms["måndag"] == forms["mandag"] == 0
    assert "man" not in forms and "tor" not in forms  # ordinary words in messages
    assert swedish().weekday_forms(abbreviations=True)["lör"] == 5


def test_every_list_is_lower_case_without_repeats() -> None:
    sv = swedish()
    for name in ("months", "weekdays", "place_prepositions", "other_prepositions",
                 "words_before_a_name", "words_after_a_name", "not_places",
                 "message_endings"):  # fmt: skip
        words = getattr(sv, name)
        assert words, name
        assert len(set(words)) == len(words), name
        assert all(w == w.casefold() for w in words), name
    assert len(sv.months) == 12 and len(sv.weekdays) == len(sv.weekday_abbreviations) == 7
    assert sorted(set(sv.ordinals.values())) == [1, 2, 3, 4, 5]


def test_words_are_known_with_and_without_accents() -> None:
    assert with_folded(["på", "utanför"]) == {"på", "pa", "utanför", "utanfor"}


def test_a_broken_list_is_named(tmp_path: Path) -> None:
    (tmp_path / "xx.yml").write_text("months: januari\n", encoding="utf-8")
    with pytest.raises(ValueError, match="months ska vara en lista"):
        load_language("xx", tmp_path)


def test_the_common_words_tell_the_languages_apart() -> None:
    from bot.lang import english

    sv, en = set(swedish().common_words), set(english().common_words)
    assert {"och", "är", "hej"} <= sv and {"the", "yes", "no"} <= en
    assert not sv & en
