"""Rasa's REST channel, made safe for residents.

Two things Rasa's own `RestInput` does not do:

* a request that is not JSON, or has no text message, gets HTTP 400 with a
  clear JSON error instead of an exception in the server log;
* a turn that produced no reply at all gets a short Swedish message. Rasa
  answers an empty list when, for example, the action server is down; a
  resident would then see nothing. Every turn of Servicelotsen's dialogue
  utters something, so an empty reply always means something went wrong.

Registered under the name "rest", so the URL stays `/webhooks/rest/webhook`.
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.messages import NO_REPLY_TEXT, clean_message

logger = logging.getLogger(__name__)


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class RestInput(RasaRestInput):
    """REST channel with request validation and a reply on every turn."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("servicelotsen_rest_webhook", __name__)

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
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        clean_message(text),
                        collector,
                        sender_id,
                        input_channel=self.name(),
                        metadata=self.get_metadata(request),
                    )
                )
            except CancelledError:
                logger.error("REST turn timed out for a conversation")
            except Exception:
                # No message text in the log: it may hold personal data.
                logger.exception("REST turn failed for a conversation")
            if not collector.messages:
                collector.messages.append(
                    {"recipient_id": sender_id, "text": NO_REPLY_TEXT}
                )
            return response.json(collector.messages)

        return webhook
