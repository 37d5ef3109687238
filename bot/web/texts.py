"""The web front's own sentences for residents: its errors, in the widget's language.

The texts are in data/lang/messages.yml (ids `web_*`, Swedish and English),
like every other sentence of the bot. The front answers an /api/ request in
the language the widget sends (`bot.web.app.request_language`): the chat's `language`
field, else `?language=` on the URL; Swedish otherwise. Every error answer
says which language it is in (`{"error": "…", "language": "en"}`), so the
widget can show the front's sentence or, when the front answered in another
language than the one showing, its own (docs/web-chat.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.messages import DEFAULT_LANGUAGE, LANGUAGES, say

__all__ = ["ERRORS", "error_text", "language_of"]

#: The sentence (its id in data/lang/messages.yml) for each HTTP error
#: status; another status gets the one for 500. 502, 503 and 504 are Rasa's
#: (bot.web.rasa): a broken answer, no answer, too slow.
ERRORS: Mapping[int, str] = {
    400: "web_bad_request",
    403: "web_site_not_allowed",
    404: "web_not_found",
    405: "web_not_allowed",
    413: "web_too_large",
    415: "web_not_json",
    429: "web_rate_limited",
    500: "web_failed",
    502: "web_unusable",
    503: "web_offline",
    504: "web_slow",
}


def language_of(value: object) -> str | None:
    """`value` when it is one of the widget's languages, else None."""
    return value if isinstance(value, str) and value in LANGUAGES else None


def error_text(status: int, language: str | None = DEFAULT_LANGUAGE) -> str:
    """The sentence for an HTTP error status, in `language` (Swedish default)."""
    return say(ERRORS.get(status, ERRORS[500]), language)
