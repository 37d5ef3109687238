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

* **Calls to the action server reuse their connections** (issue 14). Rasa
  3.6's `EndpointConfig.request` opens a new aiohttp `ClientSession`, and so a
  new TCP connection, for every call, and closes it after one request: three
  times in a find-service turn (language, the form's validation, the search).
  Here each event loop keeps one session per endpoint (URL, headers, basic
  auth, certificate file) with aiohttp's keep-alive pool. Everything else is
  Rasa's: the headers, the token parameter, the timeout, the errors (a status
  of 400 or more raises the same `ClientResponseError`), `None` for a reply
  that is not JSON. A kept connection the server has closed meanwhile
  (`ServerDisconnectedError`) is retried once on a new connection: the
  action server only computes events and sends them back, so a repeated call
  changes nothing. `close_sessions()` closes the sessions when Rasa's server
  stops (channels/rest.py registers it).

* **An event's class is looked up in a table** (issue 14). Rasa 3.6's
  `Event.resolve_by_type` walks every subclass of `Event` for every event it
  reads back, from the tracker store and from each action-server reply
  (about 4 % of Rasa's time under load). Here the first class with the
  name, in Rasa's own order, is kept in a table; a name not in it is looked
  up by Rasa's code (new classes, "topic", a default, the error).

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
    _install_pooled_requests()
    _install_event_table()
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


# --- pooled connections to the action server ---------------------------------

#: One session per event loop and endpoint (see the module docstring).
_SESSIONS: dict[tuple[int, tuple[Any, ...]], Any] = {}


def _endpoint_key(endpoint: Any) -> tuple[Any, ...]:
    return (
        endpoint.url,
        tuple(sorted((endpoint.headers or {}).items())),
        tuple(sorted((endpoint.basic_auth or {}).items())),
        endpoint.cafile,
    )


def pooled_session(endpoint: Any) -> Any:
    """The running loop's kept session for `endpoint` (made on first use)."""
    import asyncio

    loop = asyncio.get_running_loop()
    key = (id(loop), _endpoint_key(endpoint))
    session = _SESSIONS.get(key)
    if session is None or session.closed or getattr(session, "_loop", loop) is not loop:
        session = endpoint.session()
        _SESSIONS[key] = session
    return session


async def close_sessions() -> None:
    """Close the running loop's kept sessions (when Rasa's server stops)."""
    import asyncio

    loop_id = id(asyncio.get_running_loop())
    for key in [k for k in _SESSIONS if k[0] == loop_id]:
        session = _SESSIONS.pop(key)
        if not session.closed:
            await session.close()


def _install_pooled_requests() -> None:
    import ssl

    import aiohttp
    from rasa.utils import endpoints

    if getattr(endpoints.EndpointConfig.request, "_servicelotsen_pooled", False):
        return

    async def request(
        self: Any,
        method: str = "post",
        subpath: str | None = None,
        content_type: str | None = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Any:
        # as Rasa 3.6's EndpointConfig.request, on a kept session
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if "headers" in kwargs:
            headers.update(kwargs.pop("headers"))
        if self.headers:
            headers.update(self.headers)
        url = endpoints.concat_url(self.url, subpath)
        sslcontext = None
        if self.cafile:
            try:
                sslcontext = ssl.create_default_context(cafile=self.cafile)
            except FileNotFoundError as e:
                raise endpoints.FileNotFoundException(
                    f"Failed to find certificate file, "
                    f"'{endpoints.os.path.abspath(self.cafile)}' does not exist."
                ) from e
        params = self.combine_parameters(kwargs)
        for attempt in (1, 2):
            session = pooled_session(self)
            try:
                async with session.request(
                    method,
                    url,
                    headers=headers,
                    params=params,
                    compress=compress,
                    ssl=sslcontext,
                    **kwargs,
                ) as response:
                    if response.status >= 400:
                        raise endpoints.ClientResponseError(
                            response.status,
                            response.reason,
                            await response.content.read(),
                        )
                    try:
                        return await response.json()
                    except aiohttp.ContentTypeError:
                        return None
            except aiohttp.ServerDisconnectedError:
                if attempt == 2:
                    raise
        return None  # pragma: no cover (the loop returns or raises)

    request._servicelotsen_pooled = True  # type: ignore[attr-defined]
    endpoints.EndpointConfig.request = request


# --- event classes by name ---------------------------------------------------


def _install_event_table() -> None:
    import rasa.shared.utils.common as common
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    if getattr(original, "_servicelotsen_table", False):
        return
    table: dict[str, type[Event]] = {}

    def resolve_by_type(
        type_name: str, default: type[Event] | None = None
    ) -> type[Event] | None:
        found = table.get(type_name)
        if found is not None:
            return found
        for cls in common.all_subclasses(Event):
            table.setdefault(cls.type_name, cls)
        found = table.get(type_name)
        return found if found is not None else original(type_name, default)

    resolve_by_type._servicelotsen_table = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)
