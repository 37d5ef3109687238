"""Pages written in Markdown, served as HTML: the privacy page (`/personuppgifter`).

One source of truth: docs/personuppgifter.md is what residents read on the
page and what the operator edits (or SERVICELOTSEN_PRIVACY_DOC points at
the operator's own copy). It is rendered once, when the front starts, with
markdown-it-py (CommonMark and tables). Raw HTML in the Markdown is shown as
text, never run, so the page keeps the front's strict CSP.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from markdown_it import MarkdownIt

__all__ = ["DEFAULT_PRIVACY_DOC", "render_document"]

DEFAULT_PRIVACY_DOC = Path(__file__).resolve().parents[2] / "docs" / "personuppgifter.md"
_TEMPLATE = Path(__file__).resolve().parent / "templates" / "document.html"
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def render_document(markdown: str) -> str:
    """A whole HTML page with `markdown` as its content, titled by its first heading."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = parser.render(markdown)
    # links to other sites open in the same tab but tell them nothing about us
    body = body.replace('<a href="http', '<a rel="noreferrer" href="http')
    heading = _H1.search(markdown)
    title = heading[1] if heading else "Servicelotsen"
    template = _TEMPLATE.read_text(encoding="utf-8")
    return template.replace("{title}", html.escape(title)).replace("{content}", body)
