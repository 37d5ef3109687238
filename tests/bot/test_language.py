"""Language detection (bot.language), learnt from small samples like ours."""

from __future__ import annotations

import pytest

from bot.language import NgramDetector, VocabularyDetector, words

SAMPLES = [
    ("var finns närmaste apotek", "sv"),
    ("finns det någon affär här", "sv"),
    ("jag behöver ta ut pengar", "sv"),
    ("tack så mycket", "sv"),
    ("hej hej", "sv"),
    ("när stänger affären idag", "sv"),
    ("vad kan du hjälpa mig med", "sv"),
    ("where is the nearest pharmacy", "en"),
    ("is there a shop here", "en"),
    ("I need to withdraw cash", "en"),
    ("thank you very much", "en"),
    ("hello there", "en"),
    ("when does the store close today", "en"),
    ("what can you help me with", "en"),
]


@pytest.fixture(scope="module")
def detector() -> NgramDetector:
    return NgramDetector.train(SAMPLES, ignore=["Jämjö", "Ronneby"])


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("where can I find a pharmacy", "en"),
        ("var kan jag hitta ett apotek", "sv"),
        ("is the shop open", "en"),
        ("har affären öppet", "sv"),
        ("thanks a lot", "en"),
        ("tack", "sv"),
    ],
)
def test_detects_the_language(
    detector: NgramDetector, text: str, language: str
) -> None:
    assert detector.detect(text) == language


def test_place_names_do_not_vote(detector: NgramDetector) -> None:
    assert detector.detect("Jämjö") is None
    assert detector.detect("Jämjö Ronneby") is None
    assert detector.detect("pharmacy in Jämjö") == "en"


def test_too_short_or_empty_is_undecided(detector: NgramDetector) -> None:
    assert detector.detect("") is None
    assert detector.detect("123 45") is None


@pytest.mark.parametrize("text", ["qwerty", "hmm", "tackar", "asdf jkl"])
def test_words_never_seen_decide_nothing(detector: NgramDetector, text: str) -> None:
    """Gibberish or one new word: keep the conversation's language."""
    assert detector.detect(text) is None


def test_a_word_both_languages_use_decides_nothing() -> None:
    detector = NgramDetector.train([*SAMPLES, ("ok tack", "sv"), ("ok thanks", "en")])
    assert detector.detect("ok") is None


def test_round_trip(detector: NgramDetector) -> None:
    again = NgramDetector.from_dict(detector.to_dict())
    assert again.detect("where is the shop") == detector.detect("where is the shop")
    assert again.scores("hej") == detector.scores("hej")


def test_vocabulary_detector_needs_seen_words() -> None:
    vocab = VocabularyDetector.train(SAMPLES)
    assert vocab.detect("where is the pharmacy") == "en"
    assert vocab.detect("var är apoteket") == "sv"
    assert vocab.detect("xyzzy plopp") is None


def test_words_skip_ignored_names_folded() -> None:
    assert words("Apotek i Jämjö!", ignore=["jamjo"]) == ["apotek", "i"]
