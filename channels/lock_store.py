"""Rasa's Redis lock store, without the message that waits forever.

Used by the multi-instance deployment (deploy/endpoints.cluster.yml). Rasa
queues the messages of one conversation with numbered tickets in Redis; each
ticket expires after TICKET_LOCK_LIFETIME seconds, so a ticket left by an
instance that died does not block the conversation for ever.

But a message waiting behind such a ticket is only served if one of its
checks (once a second) falls between the moment the dead ticket expires and
the moment its own ticket expires. When the resident wrote again right after
the failed message, that window is shorter than a second: often the check
misses it, both tickets are gone, and Rasa's loop then waits for "ticket 0"
until its hour-long timeout (the balancer gives up after 60 s). Found by
tests/cluster (a Rasa instance killed mid-load).

Here a waiting message whose ticket has vanished (expired, or overwritten by
another instance: RasaHQ/rasa#9213) takes a new ticket at the end of the
queue instead, and gives that one back when done. The lock itself works as
Rasa's: the race between instances is avoided by routing each conversation
to one instance (deploy/nginx/servicelotsen.conf, docs/drift.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, LockError
from rasa.core.lock_store import RedisLockStore as RasaRedisLockStore

logger = logging.getLogger(__name__)

__all__ = ["MAX_REQUEUES", "RedisLockStore"]

#: A message whose ticket vanishes more often than this gets a LockError
#: (the REST channel answers 503) instead of trying on.
MAX_REQUEUES = 5


class RedisLockStore(RasaRedisLockStore):
    """`RedisLockStore` whose waiting messages take a new ticket when theirs is gone."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by module path from its endpoint config
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        kwargs.pop("type", None)
        super().__init__(**kwargs)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[Any]:
        tickets = [self.issue_ticket(conversation_id, lock_lifetime)]
        try:
            yield await self._wait_for_turn(
                conversation_id, tickets, lock_lifetime, wait_time_in_seconds
            )
        finally:
            for ticket in tickets:
                self.finish_serving(conversation_id, ticket)
            if not self.is_someone_waiting(conversation_id):
                self.delete_lock(conversation_id)

    async def _wait_for_turn(
        self,
        conversation_id: str,
        tickets: list[int],
        lock_lifetime: float,
        wait_time_in_seconds: float,
    ) -> Any:
        """Until our ticket is served; a vanished ticket is replaced (appended
        to `tickets`, so the caller gives every one of them back)."""
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None or lock._ticket_for_ticket_number(tickets[-1]) is None:
                if len(tickets) > MAX_REQUEUES:
                    raise LockError(
                        "The conversation's lock ticket vanished again and again."
                    )
                logger.info(
                    "A waiting message's lock ticket expired or was lost; "
                    "queueing it again."
                )
                tickets.append(self.issue_ticket(conversation_id, lock_lifetime))
                continue
            if not lock.is_locked(tickets[-1]):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)
