"""Rasa's socket.io channel, working with our actions and this python-socketio.

Two faults of Rasa 3.6's channel (credentials.yml uses this one instead):

* With `session_persistence: true` Rasa puts each socket in a room named after
  the conversation and sends the bot's replies to that room. It calls
  `AsyncServer.enter_room` without awaiting it; since python-socketio 5.10
  that is a coroutine, so the socket never joins the room and the client
  never gets a reply (only a RuntimeWarning in the log).
* A custom payload (our list of places, `{"type": "places", ...}`) is passed
  to `AsyncServer.emit` as keyword arguments, which fails with a TypeError:
  the turn breaks off and its events are not stored. Here it is sent as
  `{"custom": {...}}`, the shape the REST channel answers with.

Messages are cleaned as in the REST channel (channels/messages.py): cut to
size, and an "/intent" command the domain does not know read as text.

Registered under Rasa's name "socketio", so the path stays `/socket.io`.
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint

from channels.messages import clean_message

logger = logging.getLogger(__name__)


class SocketIOOutput(RasaSocketIOOutput):
    """Rasa's socket.io output, with custom payloads as `{"custom": ...}`."""

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOInput(RasaSocketIOInput):
    """socket.io channel whose sockets join their conversation's room."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return None
        return SocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook: Blueprint = super().blueprint(on_new_message)
        sio = webhook.ctx.sio

        # Both replace Rasa's handlers of the same events.
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            data = dict(data or {})
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, data["session_id"])
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", data["session_id"], room=sid)
            logger.debug("A socket.io client started or resumed a conversation.")

        async def handle_message(sid: str, data: dict[str, Any]) -> None:
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning(
                        "A socket.io message without a session_id was ignored: the "
                        "client must send session_request first."
                    )
                    return
                sender_id = data["session_id"]
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key, {})
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            await on_new_message(
                UserMessage(
                    clean_message(str(data.get("message") or "")),
                    SocketIOOutput(sio, self.bot_message_evt),
                    sender_id,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return webhook
