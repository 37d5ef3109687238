"""Rasa's SQL tracker store, honest about a database it cannot reach.

Used by the multi-instance deployment (deploy/endpoints.cluster.yml) with
PostgreSQL. Rasa wraps every tracker store in a fail-safe: when the database
does not answer, it logs the error (with the SQL statement's parameters, that
is the resident's message text) and goes on with an empty conversation in
memory. This subclass

* notes the failure for the REST channel (channels/stores.py), which then
  answers the resident with a clear error instead of an answer that forgot
  the conversation;
* does not write a turn whose conversation it could not read: that would
  append a half conversation to the stored one;
* raises an error that names the database's own complaint, without SQL.

When the database is back, the next turn reads and writes it again, on every
instance: the connection pool tests a connection before lending it out
(`pool_pre_ping`), so connections broken by a database restart are replaced
instead of failing one turn each. No restart of ours needed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.core.tracker_store import create_engine_kwargs

from channels.stores import current_turn, describe_error

__all__ = ["SQLTrackerStore", "TrackerStoreUnavailable"]


class TrackerStoreUnavailable(RuntimeError):
    """The conversation store could not be read or written."""


class SQLTrackerStore(RasaSQLTrackerStore):
    """`SQLTrackerStore` that reports failures per turn and keeps SQL out of logs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Rasa's constructor waits for the database, creates the table and binds
        # its sessions to an engine without pre-ping: rebind them to one with it.
        super().__init__(*args, **kwargs)
        rasa_engine: Any = getattr(self, "engine")  # noqa: B009 (untyped base)
        url = rasa_engine.url
        rasa_engine.dispose()
        self.engine = sa.create_engine(
            url, pool_pre_ping=True, **create_engine_kwargs(url)
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> Any:
        try:
            return await super().retrieve(sender_id)
        except Exception as err:
            raise self._unavailable(err, "read") from None

    async def retrieve_full_tracker(self, conversation_id: str) -> Any:
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except Exception as err:
            raise self._unavailable(err, "read") from None

    async def save(self, tracker: Any) -> None:
        turn = current_turn()
        if turn is not None and turn.tracker_store_failed:
            raise TrackerStoreUnavailable(
                "not written: this turn could not read the conversation"
            )
        try:
            await super().save(tracker)
        except Exception as err:
            raise self._unavailable(err, "written") from None

    @staticmethod
    def _unavailable(error: Exception, what: str) -> TrackerStoreUnavailable:
        turn = current_turn()
        text = turn.tracker_store_error(error) if turn else describe_error(error)
        return TrackerStoreUnavailable(
            f"the conversation could not be {what} (PostgreSQL): {text}"
        )
