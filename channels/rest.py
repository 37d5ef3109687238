"""Rasa's REST channel, made safe for residents.

Two things Rasa's own `RestInput` does not do:

* a request that is not JSON, or has no text message, gets HTTP 400 with a
  clear JSON error instead of an exception in the server log;
* a turn that produced no reply at all gets a short message, in the
  language of the resident's message (Swedish when it cannot be told). Rasa
  answers an empty list when, for example, the action server is down; a
  resident would then see nothing. Every turn of Servicelotsen's dialogue
  utters something, so an empty reply always means something went wrong;
* a turn whose conversation store (PostgreSQL) or lock store (Redis) could not
  be reached gets HTTP 503 with such a message, and the log one line saying
  which store failed (channels/stores.py). Rasa alone would answer as if the
  conversation had just begun, or fail with a traceback.

Registered under the name "rest", so the URL stays `/webhooks/rest/webhook`.
"""

from __future__ import annotations

import logging
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import speedups
from channels.messages import clean_message, no_reply_message, reply_language
from channels.stores import (
    begin_turn,
    describe_error,
    is_lock_store_error,
    store_down_text,
)

logger = logging.getLogger(__name__)

#: The message metadata kept from a REST request: the web widget's language
#: (docs/web-chat.md). Anything else a client sends is dropped.
METADATA_VALUES = {
    "language": frozenset({"sv", "en"}),
    "language_source": frozenset({"switch", "page"}),
}


def widget_metadata(payload: object) -> dict[str, str] | None:
    """`{"language": "en", "language_source": "switch"}` from the request's
    `metadata`, known keys and values only; None when there is none."""
    if not isinstance(payload, dict):
        return None
    metadata = payload.get("metadata")
    if not isinstance(metadata, dict):
        return None
    kept = {
        key: metadata[key]
        for key, allowed in METADATA_VALUES.items()
        if isinstance(metadata.get(key), str) and metadata[key] in allowed
    }
    return kept or None


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _store_down(sender_id: str, language: str) -> HTTPResponse:
    """503 with the reply list the widget shows: the turn was not handled."""
    return response.json(
        [{"recipient_id": sender_id, "text": store_down_text(language)}], status=503
    )


def _lock_error_text(error: BaseException) -> str:
    """Why the lock failed, without the conversation id: "redis:" and Redis's
    own error when Redis failed, else Rasa's lock error."""
    current: BaseException | None = error
    for _ in range(10):
        if current is None:
            break
        if type(current).__module__.split(".")[0] == "redis":
            return "redis:" + describe_error(current)
        current = current.__cause__ or current.__context__
    return re.sub(r"'[^']*'", "'…'", " ".join(str(error).split()))


class RestInput(RasaRestInput):
    """REST channel with request validation and a reply on every turn."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """The widget's language, for the `language` slot: in actions,
        `tracker.latest_message["metadata"]["language"]`."""
        try:
            payload = request.json
        except Exception:  # broken JSON is answered with 400 in receive()
            return None
        return widget_metadata(payload)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("servicelotsen_rest_webhook", __name__)

        @webhook.listener("after_server_stop")
        async def close_action_sessions(*_: Any) -> None:
            await speedups.close_sessions()

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                payload = request.json
            except Exception:  # Sanic raises InvalidUsage for broken JSON
                payload = None
            if not isinstance(payload, dict):
                return _error(400, 'Skicka JSON: {"sender": "…", "message": "…"}')
            sender = payload.get("sender")
            text = payload.get("message")
            if sender is None:
                sender = "default"
            if not isinstance(sender, (str, int)) or not str(sender).strip():
                return _error(400, "Fältet 'sender' ska vara en text.")
            if not isinstance(text, str):
                return _error(400, "Fältet 'message' ska vara en text.")
            sender_id = str(sender)[:128]
            message = clean_message(text)
            metadata = self.get_metadata(request)
            collector = CollectingOutputChannel()
            turn = begin_turn()
            try:
                await on_new_message(
                    UserMessage(
                        message,
                        collector,
                        sender_id,
                        input_channel=self.name(),
                        metadata=metadata,
                    )
                )
            except CancelledError:
                logger.error("REST turn timed out for a conversation")
            except Exception as exc:
                if is_lock_store_error(exc):
                    reason = _lock_error_text(exc)
                    if reason.startswith("redis:"):
                        logger.error(
                            "Lock store (Redis) cannot be reached; the turn was "
                            "not handled: %s",
                            reason.removeprefix("redis:"),
                        )
                    else:
                        logger.error(
                            "The conversation's lock could not be taken; the turn "
                            "was not handled: %s",
                            reason,
                        )
                    return _store_down(sender_id, reply_language(message, metadata))
                # No message text in the log: it may hold personal data.
                logger.exception("REST turn failed for a conversation")
            if turn.tracker_store_failed:
                logger.error(
                    "Tracker store (PostgreSQL) cannot be reached; the turn was "
                    "answered with an error and not remembered: %s",
                    turn.tracker_store_errors[0],
                )
                return _store_down(sender_id, reply_language(message, metadata))
            if not collector.messages:
                language = reply_language(message, metadata)
                collector.messages.append(no_reply_message(sender_id, language))
            return response.json(collector.messages)

        return webhook
