"""The widget and pages, read as files: no HTML sinks, nothing inline, nothing remote.

The browser tests show the escaping works for the inputs they try; these
checks make sure no code path could parse text as HTML at all, and that the
pages still work under the front's CSP (no inline script or style).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.web.app import STATIC_DIR

WIDGET = STATIC_DIR / "widget" / "servicelotsen.js"
PAGES = sorted(STATIC_DIR.glob("*.html"))
SOURCES = [WIDGET, *sorted(STATIC_DIR.rglob("*.css")), *PAGES]


def code_of(path: Path) -> str:
    """The file without its comments (they may name what is forbidden)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    if path.suffix == ".js":
        text = re.sub(r"(?m)^\s*//.*$|\s//\s.*$", "", text)
    return text


@pytest.mark.parametrize(
    "sink",
    [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "DOMParser",
        "createContextualFragment",
        "eval(",
        "new Function",
        "setTimeout(\"",
        ".style.",
        "srcdoc",
    ],
)
def test_the_widget_never_parses_text_as_html(sink: str) -> None:
    assert sink not in code_of(WIDGET)


def test_the_widget_builds_links_only_through_the_web_url_check() -> None:
    code = code_of(WIDGET)
    # every href is the style sheet, a tel: number of digits, or goes
    # through externalLink (whose callers pass webUrl() or PRIVACY_URL)
    assert set(re.findall(r"href: (new URL\([^)]*\)\.href|[^,}]+)", code)) == {
        'new URL("servicelotsen.css", ASSETS).href',
        '"tel:" + tel',
        "href",
    }
    assert "function externalLink(href" in code
    assert code.count("externalLink(") == 5  # definition + privacy, map, website, text
    assert '"tel:" + tel' in code


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_nothing_is_loaded_from_another_site(path: Path) -> None:
    code = code_of(path)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", code))
    allowed = {"http://www.w3.org/2000/svg", "https://CHATTSERVERN/widget/servicelotsen.js"}
    assert urls <= allowed, urls - allowed
    assert "@import" not in code


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_have_no_inline_script_or_style(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\ssrc=)", html) == []
    assert "<style" not in html
    assert re.search(r"\sstyle=", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
    assert re.search(r'<html lang="(sv|en)">', html)


def _texts(language: str) -> dict[str, str]:
    """The widget's TEXTS[language] block, key -> the source of its value."""
    code = code_of(WIDGET)
    block = re.search(
        rf"^    {language}: \{{\n(.*?)^    \}},$", code, flags=re.S | re.M
    )
    assert block, f"no TEXTS.{language} block in the widget"
    keys = re.findall(r"^      (\w+):(.*)$", block.group(1), flags=re.M)
    return dict(keys)


def test_every_widget_text_is_in_swedish_and_english() -> None:
    sv, en = _texts("sv"), _texts("en")
    assert len(sv) > 40
    assert sorted(sv) == sorted(en)
    # the same {placeholders} in both languages
    for key in sv:
        assert set(re.findall(r"\{\w+\}", sv[key])) == set(
            re.findall(r"\{\w+\}", en[key])
        ), key
    code = code_of(WIDGET)
    for key in re.findall(r"TEXT\.(\w+)", code):
        assert key in sv, f"TEXT.{key} is used but not defined"


def _widget_errors() -> dict[int, str]:
    """The widget's own English error texts, by status."""
    errors = re.search(r"errors: \{\n(.*?)\n      \},", code_of(WIDGET), flags=re.S)
    assert errors
    return {
        int(status): "".join(re.findall(r'"([^"]*)"', value))
        for status, value in re.findall(
            r"^\s+(\d{3}):((?:\s*\"[^\"]*\"\s*\+?)+),", errors.group(1), flags=re.M
        )
    }


def test_english_has_the_widgets_own_text_for_every_error_the_front_sends() -> None:
    """Shown when the front's sentence is not in English (a proxy's error
    page, an older front)."""
    from bot.web.texts import ERRORS

    statuses = set(_widget_errors())
    # 404/405/500 never reach the widget's two requests as a normal answer;
    # 502/503/504 are Rasa's (bot.web.rasa), 400 and 413 the chat's own
    assert {400, 403, 413, 415, 429, 502, 503, 504} <= statuses
    assert set(ERRORS) - statuses <= {404, 405, 500}


@pytest.mark.parametrize("status", [403, 413, 429, 502, 503, 504])
def test_the_widgets_english_errors_say_what_the_front_says(status: int) -> None:
    """One wording per error in English, whoever shows it (400 and 415: the
    widget asks to reload the page, since the resident cannot fix the request)."""
    from bot.messages import say
    from bot.web.texts import ERRORS

    assert _widget_errors()[status] == say(ERRORS[status], "en")
