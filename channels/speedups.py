"""Rasa 3.6 fixes for speed, installed when Rasa loads our channels.

One fix so far, measured with `make bench` (docs/benchmarks.md):

* **The action server's reply is validated with a compiled validator.** Rasa's
  `RemoteAction._validate_action_result` calls `jsonschema.validate(result,
  schema)` for every reply of the action server. That one-shot function checks
  the (constant) schema against the JSON Schema metaschema and builds a new
  validator on every call; with jsonschema 4.17 and the 2020-12 metaschema it
  costs about 22 ms, twice in every find-service turn (the form's validation
  and the search), on the event loop. Here the validator is built once, for
  the same schema and with the same validator class that `validate` picks, so
  exactly the same replies pass and fail (tests/channels/test_speedups.py),
  at about 2 ms. jsonschema's documentation recommends this for repeated
  validation; the same fix was made in the MCP Python SDK (issue 3133).

* **The SQLite conversation store keeps its connection and writes a log
  instead of syncing every turn** (issue 14). Rasa's SQL tracker store opens
  a new SQLite connection for every read and write (SQLAlchemy 1.4's NullPool
  for SQLite files) and commits every turn with SQLite's default rollback
  journal, which syncs the file to disk on each commit: a turn's save took
  ~30-40 ms on this machine under load, on Rasa's event loop, so every other
  conversation waited. Now SQLite connections are pooled (QueuePool, as
  SQLAlchemy 2 does for files) and get `journal_mode=WAL` and
  `synchronous=NORMAL` (SQLite's recommended pair): a commit appends to the
  write-ahead log; the save fell to ~8 ms, the Python work of building the
  query. A crash of the process loses nothing; a power cut may lose the last
  turns, never corrupts the file. Readers (bot/inbox.py opens the file
  read-only) read a WAL database as before.

`install()` is idempotent and runs when `channels` is imported, which Rasa
does for `channels.rest.RestInput` (credentials.yml) before it serves.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["install", "installed"]

logger = logging.getLogger(__name__)

_INSTALLED = False


def installed() -> bool:
    """True once `install()` has replaced Rasa's validation."""
    return _INSTALLED


def install() -> None:
    """Replace Rasa's per-call schema check with a validator built once."""
    global _INSTALLED
    if _INSTALLED:
        return
    try:
        from jsonschema import validators
        from rasa.core.actions.action import RemoteAction
    except ImportError:  # not inside Rasa's environment (e.g. the action server's)
        return

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    original = RemoteAction._validate_action_result

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except Exception:
            # Let Rasa's own code raise its error, with its message and link.
            return bool(original(self, result))
        return True

    RemoteAction._validate_action_result = _validate_action_result
    _install_sqlite_settings()
    _INSTALLED = True
    logger.debug("Rasa's action-reply validation uses a compiled validator.")


def sqlite_settings(dbapi_connection: Any, _record: Any = None) -> None:
    """WAL and synchronous=NORMAL on a new SQLite connection (others untouched)."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _install_sqlite_settings() -> None:
    import rasa.core.tracker_store as tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import QueuePool

    if not event.contains(Engine, "connect", sqlite_settings):
        event.listen(Engine, "connect", sqlite_settings)
    original = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        kwargs = dict(original(url))
        text = str(url)
        if text.startswith("sqlite") and ":memory:" not in text and text != "sqlite://":
            kwargs.setdefault("poolclass", QueuePool)
            kwargs.setdefault("connect_args", {"check_same_thread": False})
        return kwargs

    tracker_store.create_engine_kwargs = create_engine_kwargs
