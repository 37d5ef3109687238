"""The front's connection to Rasa: one REST turn, or a reachability check.

Failures become `ChatBackendError` with the status the widget gets and its
Swedish sentence; the front answers with the sentence for that status in the
widget's language (bot.web.texts: 502 a broken answer, 503 no answer, 504
too slow). Nothing here logs message text or positions:
they may be personal data (a resident's position, a name in a question).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping

import aiohttp

from bot.errors import ChatBackendError
from bot.web.texts import error_text

__all__ = [
    "CONVERSATION_HEADER",
    "OFFLINE",
    "SLOW",
    "UNUSABLE",
    "RasaClient",
]

logger = logging.getLogger(__name__)

#: Sent with every turn: the conversation (sender) id, for routing only.
CONVERSATION_HEADER = "X-Conversation-Id"

#: The status when Rasa does not answer at all (stopped, restarting, wrong address).
OFFLINE = 503
#: Rasa took longer than the front waits.
SLOW = 504
#: Rasa answered, but not with something the widget can show.
UNUSABLE = 502


def _failed(status: int) -> ChatBackendError:
    return ChatBackendError(status, error_text(status))


class RasaClient:
    """Talks to Rasa's REST channel (channels/rest.py) over one HTTP session."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, timeout: float
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    @property
    def webhook(self) -> str:
        return f"{self._base_url}/webhooks/rest/webhook"

    async def send(
        self, sender: str, message: str, metadata: Mapping[str, str] | None = None
    ) -> list[object]:
        """One turn: the resident's message in, Rasa's reply list out.

        `metadata` (the widget's language, bot.web.app.language_metadata)
        goes to Rasa as the message's metadata (channels/rest.py keeps it).

        Raises:
            ChatBackendError: 503 when Rasa cannot be reached, 504 when it is
                too slow, 502 when its answer is not a reply list.
        """
        try:
            async with self._session.post(
                self.webhook,
                json={"sender": sender, "message": message}
                | ({"metadata": dict(metadata)} if metadata else {}),
                # a balancer in front of several Rasa instances keeps each
                # conversation on one of them (deploy/nginx/servicelotsen.conf)
                headers={CONVERSATION_HEADER: sender},
                timeout=self._timeout,
            ) as resp:
                if resp.status != 200:
                    logger.warning("Rasa answered HTTP %s", resp.status)
                    raise _failed(UNUSABLE)
                body = await resp.read()
        except asyncio.TimeoutError as err:
            logger.warning("Rasa did not answer within %s s", self._timeout.total)
            raise _failed(SLOW) from err
        except aiohttp.ClientConnectionError as err:
            logger.warning("Rasa cannot be reached: %s", type(err).__name__)
            raise _failed(OFFLINE) from err
        except aiohttp.ClientError as err:
            logger.warning("Rasa request failed: %s", type(err).__name__)
            raise _failed(UNUSABLE) from err
        try:
            replies = json.loads(body)
        except ValueError as err:
            logger.warning("Rasa's answer is not JSON")
            raise _failed(UNUSABLE) from err
        if not isinstance(replies, list):
            logger.warning("Rasa's answer is not a list")
            raise _failed(UNUSABLE)
        return replies

    async def reachable(self) -> bool:
        """True when Rasa's server answers at all (its root URL), within 3 s."""
        try:
            async with self._session.get(
                f"{self._base_url}/", timeout=aiohttp.ClientTimeout(total=3)
            ) as resp:
                return resp.status < 500
        except (asyncio.TimeoutError, aiohttp.ClientError):
            return False
