"""The privacy page: docs/personuppgifter.md as HTML, and the document itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.errors import WebConfigError
from bot.retention import DEFAULT_RETENTION_DAYS, session_minutes
from bot.web.config import WebConfig
from bot.web.document import (
    DEFAULT_PRIVACY_DOC,
    DEFAULT_PRIVACY_DOC_EN,
    render_document,
)

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "bot" / "web" / "static" / "widget" / "servicelotsen.js"


def test_markdown_becomes_a_page_titled_by_its_heading() -> None:
    page = render_document(
        "# Om oss\n\nText med **fet** stil.\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n"
        "[IMY](https://www.imy.se/)\n"
    )
    assert "<title>Om oss – Servicelotsen</title>" in page
    assert "<h1>Om oss</h1>" in page
    assert "<strong>fet</strong>" in page
    assert "<td>1</td>" in page
    assert '<a rel="noreferrer" href="https://www.imy.se/">IMY</a>' in page
    assert '<html lang="sv">' in page
    assert 'href="/assets/page.css"' in page


def test_html_in_the_markdown_is_shown_as_text() -> None:
    page = render_document(
        '# <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))'
    )
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page


def test_the_privacy_document_says_what_the_code_does() -> None:
    """If a default changes, the residents' text must change with it."""
    text = DEFAULT_PRIVACY_DOC.read_text(encoding="utf-8")
    assert f"{DEFAULT_RETENTION_DAYS:g} dagar" in text
    assert session_minutes() == 60 and "på en timme" in text
    forget = re.search(r"FORGET_AFTER_MS = (\d+) \* 60 \* 60 \* 1000", WIDGET.read_text())
    assert forget and forget[1] == "12" and "tolv timmar" in text
    assert "100 meter" in text  # the widget rounds to three decimals
    for topic in ("IP-adress", "Dina rättigheter", "Integritetsskyddsmyndigheten", "Rättslig grund"):
        assert topic in text
    # what the operator must fill in is marked so it cannot be missed
    assert text.count("[Fyll i:") >= 4


def test_the_operator_may_point_at_a_filled_in_copy(tmp_path: Path) -> None:
    own = tmp_path / "personuppgifter.md"
    own.write_text("# Om personuppgifter\n\nRegion Blekinge ansvarar.\n", encoding="utf-8")
    assert WebConfig.from_env({"SERVICELOTSEN_PRIVACY_DOC": str(own)}).privacy_doc == own
    assert WebConfig.from_env({}).privacy_doc == DEFAULT_PRIVACY_DOC
    with pytest.raises(WebConfigError, match="SERVICELOTSEN_PRIVACY_DOC"):
        WebConfig.from_env({"SERVICELOTSEN_PRIVACY_DOC": str(tmp_path / "saknas.md")})


def test_an_english_page_has_english_around_it() -> None:
    page = render_document("# About us\n\nText.\n", "en")
    assert '<html lang="en">' in page
    assert "<title>About us – Servicelotsen</title>" in page
    assert "Skip to content" in page and '<a href="/en">Back to the chat</a>' in page
    assert "Till innehållet" not in page


def test_the_english_privacy_document_says_the_same_as_the_swedish_one() -> None:
    """docs/personal-data.md is docs/personuppgifter.md in English: the same
    numbers, sections and places to fill in."""
    swedish = DEFAULT_PRIVACY_DOC.read_text(encoding="utf-8")
    english = DEFAULT_PRIVACY_DOC_EN.read_text(encoding="utf-8")
    assert f"{DEFAULT_RETENTION_DAYS:g} days" in english
    assert "for an hour" in english and "twelve hours" in english
    assert "100 metres" in english and "7 more days" in english
    for topic in ("IP address", "Your rights", "Integritetsskyddsmyndigheten", "Legal basis"):
        assert topic in english
    assert english.count("[Fill in:") == swedish.count("[Fyll i:")
    assert english.count("\n## ") == swedish.count("\n## ")
    assert english.count("\n| ") == swedish.count("\n| ")


def test_the_operator_may_point_at_a_filled_in_english_copy(tmp_path: Path) -> None:
    own = tmp_path / "personal-data.md"
    own.write_text("# About personal data\n", encoding="utf-8")
    env = {"SERVICELOTSEN_PRIVACY_DOC_EN": str(own)}
    assert WebConfig.from_env(env).privacy_doc_en == own
    assert WebConfig.from_env({}).privacy_doc_en == DEFAULT_PRIVACY_DOC_EN
    with pytest.raises(WebConfigError, match="SERVICELOTSEN_PRIVACY_DOC_EN"):
        WebConfig.from_env({"SERVICELOTSEN_PRIVACY_DOC_EN": str(tmp_path / "missing.md")})
