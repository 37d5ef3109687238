"""Pages written in Markdown, served as HTML: the privacy page (`/personuppgifter`,
and in English `/en/personal-data`).

One source of truth per language: docs/personuppgifter.md (Swedish) and
docs/personal-data.md (English) are what residents read on the page and
what the operator edits (or SERVICELOTSEN_PRIVACY_DOC and
SERVICELOTSEN_PRIVACY_DOC_EN point at the operator's own copies). It is rendered once, when the front starts, with
markdown-it-py (CommonMark and tables). Raw HTML in the Markdown is shown as
text, never run, so the page keeps the front's strict CSP.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from markdown_it import MarkdownIt

__all__ = ["DEFAULT_PRIVACY_DOC", "DEFAULT_PRIVACY_DOC_EN", "render_document"]

DEFAULT_PRIVACY_DOC = Path(__file__).resolve().parents[2] / "docs" / "personuppgifter.md"
DEFAULT_PRIVACY_DOC_EN = Path(__file__).resolve().parents[2] / "docs" / "personal-data.md"
#: The page's own words around the document, and where "back" goes, by language.
_FRAME = {
    "sv": {"skip": "Till innehållet", "back": "Tillbaka till chatten", "home": "/"},
    "en": {"skip": "Skip to content", "back": "Back to the chat", "home": "/en"},
}
_TEMPLATE = Path(__file__).resolve().parent / "templates" / "document.html"
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def render_document(markdown: str, lang: str = "sv") -> str:
    """A whole HTML page with `markdown` as its content, titled by its first
    heading, in `lang` ("sv" or "en": the page's lang and its own words)."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = parser.render(markdown)
    # links to other sites open in the same tab but tell them nothing about us
    body = body.replace('<a href="http', '<a rel="noreferrer" href="http')
    heading = _H1.search(markdown)
    title = heading[1] if heading else "Servicelotsen"
    template = _TEMPLATE.read_text(encoding="utf-8")
    frame = _FRAME.get(lang, _FRAME["sv"])
    for key, value in (
        ("lang", lang if lang in _FRAME else "sv"),
        ("skip", frame["skip"]),
        ("back", frame["back"]),
        ("home", frame["home"]),
        ("title", html.escape(title)),
    ):
        template = template.replace("{" + key + "}", value)
    return template.replace("{content}", body)
