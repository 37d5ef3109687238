"""Where the tools find Rasa's tracker store, and how they open it.

`make inbox`, `make report` and `make purge` read (or scrub) the conversations
Rasa keeps in its tracker store: SQLite on one machine (`make run`), PostgreSQL
in a deployment (`make cluster`, docs/drift.md). One resolver for all three, so
they never disagree about which database they work on:

1. the URL given on the command line (`--tracker`, `--store`);
2. `SERVICELOTSEN_TRACKER_URL` (an SQLAlchemy URL);
3. the deployment's PostgreSQL settings, `SERVICELOTSEN_PG_HOST` (with
   `_PORT`, `_DB`, `_USER`, `_PASSWORD`; deploy/servicelotsen.env.example);
4. the SQLite file in `SERVICELOTSEN_TRACKER_DB`, which Rasa writes to;
5. `var/tracker.db`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import TrackerStoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = [
    "DEFAULT_TRACKER_URL",
    "ENV_TRACKER_DB",
    "ENV_TRACKER_URL",
    "open_engine",
    "shown_url",
    "sqlalchemy_url",
    "sqlite_path",
    "tracker_url",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV_TRACKER_URL = "SERVICELOTSEN_TRACKER_URL"
#: The SQLite file `endpoints.yml` hands Rasa (used when no URL is set).
ENV_TRACKER_DB = "SERVICELOTSEN_TRACKER_DB"
DEFAULT_TRACKER_URL = "sqlite:///var/tracker.db"


def tracker_url(url: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """Which store to work on (the order is in the module's docstring)."""
    env = os.environ if env is None else env
    if url:
        return url
    given = env.get(ENV_TRACKER_URL, "").strip()
    if given:
        return given
    host = env.get("SERVICELOTSEN_PG_HOST", "").strip()
    if host:
        from sqlalchemy.engine import URL

        port = env.get("SERVICELOTSEN_PG_PORT", "").strip()
        return URL.create(
            "postgresql+psycopg2",
            username=env.get("SERVICELOTSEN_PG_USER") or None,
            password=env.get("SERVICELOTSEN_PG_PASSWORD") or None,
            host=host,
            port=int(port) if port.isdigit() else None,
            database=env.get("SERVICELOTSEN_PG_DB") or None,
        ).render_as_string(hide_password=False)
    db = env.get(ENV_TRACKER_DB, "").strip()
    return f"sqlite:///{db}" if db else DEFAULT_TRACKER_URL


def shown_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def sqlalchemy_url(url: str) -> str:
    """`url` with a driver SQLAlchemy has here: a bare `postgresql://` means
    psycopg2 (what Rasa uses; SQLAlchemy 2.1 would otherwise want psycopg 3)."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in {"postgresql", "postgres"}:
        return f"postgresql+psycopg2://{rest}"
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///path` URL (relative to the repository); None otherwise."""
    match = re.match(r"^sqlite(?:\+pysqlite)?:///(?P<path>[^?]*)", url)
    if match is None:
        return None
    path = Path(match["path"])
    return path if path.is_absolute() else REPO_ROOT / path


def open_engine(url: str, *, must_exist: bool = True, hint: str = "") -> Engine:
    """An SQLAlchemy engine on the store. An SQLite file must exist (we never
    create an empty store); it waits up to 30 s for Rasa's write lock.

    Raises:
        TrackerStoreError: the SQLite file is missing (`hint` names the option).
    """
    import sqlalchemy as sa

    path = sqlite_path(url)
    if path is None:
        return sa.create_engine(sqlalchemy_url(url))
    if must_exist and not path.is_file():
        raise TrackerStoreError(
            shown_url(url),
            "samtalsdatabasen finns inte. Har boten körts (make run)? Ange annars "
            f"rätt databas med {ENV_TRACKER_URL}{hint}.",
        )
    return sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})
