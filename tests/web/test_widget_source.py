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
    assert '<html lang="sv">' in html
