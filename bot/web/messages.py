"""Rasa's REST replies turned into the widget's messages.

Rasa sends the answer to "närmaste apotek i Ronneby" twice: as a complete text
(for the terminal and plain REST clients) and, right after it, as a custom
`places` payload (bot.answers.places_payload). The widget shows one message:
the text's heading, a card per place with its map link, and the text's notes
(freshness, "visa fler"), without the numbered lines the cards replace.

Everything is copied field by field into plain types, so the widget never
gets anything it did not expect: unknown payloads are dropped, links that are
not http(s) are removed, and long text is cut.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict
from urllib.parse import urlsplit

__all__ = [
    "ButtonOut",
    "PlaceOut",
    "WidgetMessage",
    "safe_link",
    "widget_messages",
]

MAX_TEXT_CHARS = 4000
MAX_FIELD_CHARS = 300
MAX_BUTTONS = 12
MAX_PLACES = 20
_NUMBERED = re.compile(r"^\s*(\d+)\.\s")


class ButtonOut(TypedDict):
    """A quick reply: the title is shown, the payload is sent back."""

    title: str
    payload: str


class PlaceOut(TypedDict):
    """One service point as the widget's card shows it."""

    number: int
    name: str
    address: str | None
    distance: str | None
    road_estimate: str | None
    today: str | None
    status: str | None
    open_now: bool | None
    phone: str | None
    website: str | None
    map_url: str | None
    #: the registry id, for the card's "Stämmer inte?" (None: no link)
    id: NotRequired[str | None]
    #: "ombud för PostNord och DHL" on a parcel point
    carriers: NotRequired[str | None]
    #: "Här finns också apoteksombud." when the point offers more
    also: NotRequired[str | None]


#: A registry id the widget may send back in a "Stämmer inte?" payload.
_POINT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,119}")


def _point_id(value: object) -> str | None:
    if isinstance(value, str) and _POINT_ID.fullmatch(value):
        return value
    return None


class WidgetMessage(TypedDict):
    """One bot message for the widget.

    `text` comes first, then the `places` cards, then `after` (the notes under
    the list); `buttons` are quick replies under the message.
    """

    text: str
    buttons: list[ButtonOut]
    places: NotRequired[list[PlaceOut]]
    after: NotRequired[str]


def _text(value: object, limit: int = MAX_FIELD_CHARS) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:limit] if value else None


def safe_link(value: object) -> str | None:
    """`value` if it is an absolute http(s) URL, else None.

    A `javascript:` or `data:` link in a registry's website field would run
    in the resident's browser when clicked; only web links pass.
    """
    url = _text(value, 2000)
    if url is None or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def _buttons(raw: object) -> list[ButtonOut]:
    if not isinstance(raw, list):
        return []
    buttons: list[ButtonOut] = []
    for item in raw[:MAX_BUTTONS]:
        if not isinstance(item, Mapping):
            continue
        title = _text(item.get("title"), 80)
        payload = _text(item.get("payload"), 500) or title
        if title and payload:
            buttons.append({"title": title, "payload": payload})
    return buttons


def _place(raw: object, fallback_number: int) -> PlaceOut | None:
    if not isinstance(raw, Mapping):
        return None
    name = _text(raw.get("name"))
    if name is None:
        return None
    number = raw.get("number")
    open_now = raw.get("open_now")
    return {
        "number": number
        if isinstance(number, int) and not isinstance(number, bool)
        else fallback_number,
        "name": name,
        "address": _text(raw.get("address")),
        "distance": _text(raw.get("distance")),
        "road_estimate": _text(raw.get("road_estimate")),
        "today": _text(raw.get("today")),
        "status": _text(raw.get("status")),
        "open_now": open_now if isinstance(open_now, bool) else None,
        "phone": _text(raw.get("phone"), 40),
        "website": safe_link(raw.get("website")),
        "map_url": safe_link(raw.get("map_url")),
        "id": _point_id(raw.get("id")),
        "carriers": _text(raw.get("carriers")),
        "also": _text(raw.get("also")),
    }


def _places(custom: Mapping[str, Any]) -> list[PlaceOut]:
    raw = custom.get("places")
    if not isinstance(raw, list):
        return []
    places = [_place(item, i + 1) for i, item in enumerate(raw[:MAX_PLACES])]
    return [p for p in places if p is not None]


def split_listing(text: str, numbers: Sequence[int]) -> tuple[str, str] | None:
    """Split an answer's text around its numbered lines ("1. Testapotek …").

    Returns (what comes before the last numbered line, minus the numbered
    lines; what comes after it), or None when the text lists none of
    `numbers` (then the cards are shown after the whole text).
    """
    wanted = {str(n) for n in numbers}
    lines = text.split("\n")
    listed = [
        i
        for i, line in enumerate(lines)
        if (m := _NUMBERED.match(line)) is not None and m.group(1) in wanted
    ]
    if not listed:
        return None
    drop = set(listed)
    before = [line for i, line in enumerate(lines[: listed[-1]]) if i not in drop]
    after = lines[listed[-1] + 1 :]
    return "\n".join(before).strip(), "\n".join(after).strip()


def _message(text: str, buttons: list[ButtonOut] | None = None) -> WidgetMessage:
    return {"text": text[:MAX_TEXT_CHARS], "buttons": buttons or []}


def widget_messages(replies: Sequence[object]) -> list[WidgetMessage]:
    """The widget's messages for one turn of Rasa REST replies.

    A text followed by a `places` payload becomes one message with cards; a
    `places` payload on its own becomes a message with only cards (and the
    payload's freshness line as its note). Other custom payloads, images and
    attachments are dropped: the widget would not know how to show them.
    """
    messages: list[WidgetMessage] = []
    last_was_text = False
    for reply in replies:
        if not isinstance(reply, Mapping):
            last_was_text = False
            continue
        custom = reply.get("custom")
        if isinstance(custom, Mapping) and custom.get("type") == "places":
            places = _places(custom)
            if not places:
                continue
            if last_was_text and "places" not in messages[-1]:
                target = messages[-1]
                split = split_listing(target["text"], [p["number"] for p in places])
                if split is not None:
                    target["text"], target["after"] = split
            else:
                target = _message("")
                target["after"] = _text(custom.get("freshness"), MAX_TEXT_CHARS) or ""
                messages.append(target)
            target["places"] = places
            last_was_text = False
            continue
        text = reply.get("text")
        buttons = _buttons(reply.get("buttons"))
        if isinstance(text, str) and text.strip():
            messages.append(_message(text.strip(), buttons))
            last_was_text = True
        elif buttons:
            messages.append(_message("", buttons))
            last_was_text = False
        else:
            last_was_text = False
    return messages
