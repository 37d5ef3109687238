"""Residents tell us what changed: "Coop Hasslö har stängt", "Stämmer inte?".

The form `report_change_form` collects which point (`report_point`, a
registry id) and what is wrong (`report_problem`, a kind of
`bot.change_reports.KINDS`); `action_report_change` keeps the report as a
`change_report` slot event in the conversation and thanks the resident.
Nothing here changes the registry.

Like every answer it records its outcome (`bot.outcome`, question
`report`): `found` when the report was stored, or was already on file, or
the point is already marked closed; `no_data` when the point is not in the
registry (the editors' inbox lists that message as "inga uppgifter", a
point residents know and we may lack); `unavailable` when the data could not
be read. A report the resident cancelled, or one over the conversation's
limit, records nothing: the bot answered no question.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import SlotSet

from actions.common import (
    entity_text,
    language,
    lotsen_or_apologise,
    outcome,
    record,
    slot_text,
)
from bot.change_reports import (
    KINDS,
    MAX_REPORTS_PER_CONVERSATION,
    REPORT_SLOT,
    ChangeReport,
    already_reported,
    classify,
    clean_text,
    is_cancel,
    name_query,
    said,
    service_words,
)
from bot.errors import ServicelotsenError
from bot.lotsen import Lotsen, get_lotsen
from bot.opening_hours import to_local
from bot.outcome import Kind, Question
from bot.registry import ServicePoint

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)

FORM = "report_change_form"
INTENT = "report_change"
#: `report_point` when the named point is not in the registry.
UNKNOWN = "-"
#: `report_problem` when the resident cancelled.
CANCELLED = "-"
#: How many points the bot offers as buttons when a report is ambiguous.
MAX_CHOICES = 5

KIND_BUTTONS = (
    ("Har stängt", "closed"),
    ("Fel öppettider", "hours"),
    ("Fel adress eller plats", "address"),
    ("Tjänsten finns inte där", "service"),
    ("Annat", "other"),
)


def _typed(tracker: Tracker) -> str:
    """The resident's typed text ("" for a button payload)."""
    text = str(tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def candidates(tracker: Tracker, lotsen: Lotsen) -> list[ServicePoint]:
    """The points this message may be about, best first (empty: none found).

    From a point id (the widget's "Stämmer inte?"), a point's name (with the
    place when one is named), or a place and a service word ("ombudet i
    Tving"); last, the message's own words as a name.
    """
    point_id = entity_text(tracker, "point_id")
    if point_id is not None:
        point = lotsen.registry.by_id(point_id[:120])
        return [point] if point is not None else []
    text = _typed(tracker)[:500]
    place = None
    location = entity_text(tracker, "location", as_written=True)
    if location is not None:
        resolution = lotsen.resolve(location)
        place = resolution.place if resolution.found else None
    name = entity_text(tracker, "point_name", as_written=True)
    if name is not None:
        found = lotsen.point_by_name(name, place, None)
        if found:
            return found
    wanted = set(service_words(text))
    named = lotsen.service_type(entity_text(tracker, "service_type"))
    if named is not None:
        wanted.add(named)
    if place is not None:
        here = lotsen.in_locality(place)
        chosen = [p for p in here if not wanted or wanted & set(p.categories)]
        if chosen:
            return chosen
    query = name_query(text)
    if query:
        found = lotsen.point_by_name(query, place, None)
        narrowed = [p for p in found if wanted & set(p.categories)]
        return narrowed or found
    return []


class ValidateReportChangeForm(FormValidationAction):
    """Which point, and what is wrong: from the message, or asked."""

    def name(self) -> str:
        return "validate_report_change_form"

    async def extract_report_point(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot") == "report_point"
        if (
            not asked
            and _intent(tracker) != INTENT
            and not entity_text(tracker, "point_id")
        ):
            return {}
        if tracker.get_slot("report_point") and not entity_text(tracker, "point_id"):
            return {}
        if asked and is_cancel(_typed(tracker)):
            return {"report_point": UNKNOWN, "report_problem": CANCELLED}
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            return {"report_point": UNKNOWN, "report_problem": CANCELLED}
        point_id = entity_text(tracker, "point_id")
        closed = lotsen.registry.closed_by_id(point_id[:120]) if point_id else None
        if closed is not None:
            dispatcher.utter_message(
                response="utter_report_known_closed", point=closed.name
            )
            return {"report_point": UNKNOWN, "report_problem": CANCELLED}
        found = candidates(tracker, lotsen)
        if len(found) == 1:
            return {"report_point": found[0].id}
        if not found and (asked or entity_text(tracker, "point_id") is not None):
            return {"report_point": UNKNOWN}
        return {}

    def validate_report_point(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if value == UNKNOWN:
            if tracker.get_slot("report_problem") != CANCELLED:
                dispatcher.utter_message(response="utter_report_point_unknown")
            return {"report_point": UNKNOWN, "report_problem": CANCELLED}
        return {"report_point": value}

    async def extract_report_problem(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = entity_text(tracker, "change_kind")
        if kind in KINDS:
            return {"report_problem": kind}
        text = _typed(tracker)
        asked = tracker.get_slot("requested_slot") == "report_problem"
        if asked and text:
            if is_cancel(text):
                return {"report_problem": CANCELLED}
            return {
                "report_problem": classify(text) or "other",
                "report_note": clean_text(text),
            }
        if _intent(tracker) == INTENT and text:
            found = classify(text)
            note = {"report_note": clean_text(text)}
            return {"report_problem": found, **note} if found else note
        return {}

    def validate_report_problem(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if value == CANCELLED or value in KINDS:
            return {"report_problem": value}
        return {"report_problem": None}


class ActionAskReportPoint(Action):
    """Which point? Buttons when the message fits several, else the question."""

    def name(self) -> str:
        return "action_ask_report_point"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lotsen = lotsen_or_apologise(dispatcher)
        found = candidates(tracker, lotsen) if lotsen is not None else []
        if len(found) > 1:
            buttons = [
                {
                    "title": f"{p.name}, {p.locality}",
                    "payload": f'/report_change{{"point_id": "{p.id}"}}',
                }
                for p in found[:MAX_CHOICES]
            ]
            dispatcher.utter_message(response="utter_ask_report_which", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_ask_report_point")
        return []


def _earlier_reports(tracker: Tracker) -> list[dict[str, Any]]:
    return [
        e["value"]
        for e in tracker.events
        if e.get("event") == "slot"
        and e.get("name") == REPORT_SLOT
        and isinstance(e.get("value"), dict)
    ]


def _reset() -> list[dict[str, Any]]:
    return [
        SlotSet("report_point", None),
        SlotSet("report_problem", None),
        SlotSet("report_note", None),
    ]


def _unknown_or_closed(tracker: Tracker) -> list[dict[str, Any]]:
    """The outcome when the validator found no open point to report.

    Nothing for a resident who cancelled; `unavailable` when the data cannot
    be read; `found` for a point already marked closed (the bot knew);
    else `no_data` (a point not in the registry).
    """
    if is_cancel(_typed(tracker)):
        return []
    try:
        lotsen = get_lotsen()
    except ServicelotsenError:
        return [record(outcome(tracker, Kind.UNAVAILABLE, Question.REPORT))]
    point_id = entity_text(tracker, "point_id")
    if point_id is not None and lotsen.registry.closed_by_id(point_id[:120]):
        return [record(outcome(tracker, Kind.FOUND, Question.REPORT))]
    return [record(outcome(tracker, Kind.NO_DATA, Question.REPORT))]


class ActionReportChange(Action):
    """Keep the report (never the registry) and thank the resident."""

    def name(self) -> str:
        return "action_report_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        point_id = slot_text(tracker.get_slot("report_point"))
        kind = slot_text(tracker.get_slot("report_problem"))
        if point_id == UNKNOWN:
            # the validator told the resident: a point we do not have, or one
            # already marked closed (the widget's link on an old card)
            return [*_reset(), *_unknown_or_closed(tracker)]
        if kind == CANCELLED or point_id is None or kind not in KINDS:
            if kind == CANCELLED:
                dispatcher.utter_message(response="utter_report_cancelled")
            return _reset()
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            return [*_reset(), record(outcome(tracker, Kind.UNAVAILABLE, Question.REPORT))]
        point = lotsen.registry.by_id(str(point_id))
        if point is None:
            dispatcher.utter_message(response="utter_report_point_unknown")
            return [*_reset(), record(outcome(tracker, Kind.NO_DATA, Question.REPORT))]
        earlier = _earlier_reports(tracker)
        sent = len(earlier)
        if sent >= MAX_REPORTS_PER_CONVERSATION:
            dispatcher.utter_message(response="utter_report_limit")
            return _reset()
        if already_reported(earlier, point.id, kind):
            dispatcher.utter_message(response="utter_report_already", point=point.name)
            return [*_reset(), record(outcome(tracker, Kind.FOUND, Question.REPORT))]
        note = slot_text(tracker.get_slot("report_note")) or ""
        categories = [c for c in service_words(note) if c in point.categories]
        report = ChangeReport(
            point_id=point.id,
            point_name=point.name,
            kind=kind,
            day=to_local(None).date(),
            text=clean_text(note),
            category=categories[0] if len(categories) == 1 else None,
            channel="chat" if note else "widget",
        )
        if report.kind == "closed" and report.category and len(point.categories) > 1:
            report = replace(report, kind="service")
        dispatcher.utter_message(
            response="utter_report_thanks",
            point=f"{point.name} ({point.locality})",
            problem=said(report.kind, language(tracker)),
        )
        stored = outcome(
            tracker, Kind.FOUND, Question.REPORT, service_type=report.category
        )
        return [
            SlotSet(REPORT_SLOT, report.as_value()),
            SlotSet("reports_sent", float(sent + 1)),
            *_reset(),
            record(stored),
        ]


__all__ = [
    "ActionAskReportPoint",
    "ActionReportChange",
    "ValidateReportChangeForm",
    "candidates",
]
