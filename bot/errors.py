"""All of Servicelotsen's domain errors, in one place.

Kept together so callers (actions, CLI, editors' checks) can see every failure
the library can raise and catch them by kind. Helpers append here; messages a
person reads are in Swedish.
"""

from __future__ import annotations

__all__ = [
    "ChatBackendError",
    "CommandFailed",
    "EmbeddingModelError",
    "GazetteerError",
    "ImportFailed",
    "InvalidOpeningHours",
    "InvalidRecord",
    "KnowledgeError",
    "RegistryError",
    "ServiceTypesError",
    "ServicelotsenError",
    "TrackerStoreError",
    "UnknownCategory",
    "WebConfigError",
]


class ServicelotsenError(Exception):
    """Base class, so a caller can catch every domain error at once."""


class ServiceTypesError(ServicelotsenError):
    """`data/service_types.yml` is missing or malformed (an editor must fix it)."""


class RegistryError(ServicelotsenError):
    """The registry path is missing or unreadable as a whole.

    The message names the path and what the operator should do; single bad
    records never raise this (they are reported and left out).
    """


class InvalidRecord(ServicelotsenError):
    """One registry record is invalid; `reason` is plain Swedish for editors."""

    def __init__(self, reason: str, record_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.record_id = record_id


class InvalidOpeningHours(ServicelotsenError, ValueError):
    """An `opening_hours` value is not valid OSM syntax (or not supported)."""

    def __init__(self, value: str, detail: str = "") -> None:
        message = f"ogiltiga öppettider: {value!r}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)
        self.value = value
        self.detail = detail


class EmbeddingModelError(ServicelotsenError):
    """The sentence-embedding model folder is missing or cannot be loaded.

    An operator problem, not a resident's: the message is in English, names
    the path and says how to build the folder.
    """

    def __init__(self, path: str, detail: str = "") -> None:
        message = (
            f"Sentence-embedding model not found or unusable at {path}"
            + (f" ({detail})" if detail else "")
            + ". Build it with `make setup` or "
            "`.venv-actions/bin/python scripts/build_embedding_model.py`, or point "
            "SERVICELOTSEN_EMBEDDING_MODEL at a sentence-transformers folder."
        )
        super().__init__(message)
        self.path = path
        self.detail = detail


class ImportFailed(ServicelotsenError):
    """An import source is unusable as a whole (bad JSON, missing columns, a
    truncated .osm.pbf): nothing is written, the old registry file stays.

    Single bad records never raise this; the importer skips them and says why
    in its report.
    """

    def __init__(self, reason: str, path: str | None = None) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.reason = reason
        self.path = path


class UnknownCategory(ServicelotsenError, ValueError):
    """A category id that `data/service_types.yml` does not know (a caller bug)."""


class GazetteerError(ServicelotsenError):
    """`data/gazetteer/places.json` is missing or malformed (rebuild it with
    `python scripts/build_gazetteer.py`)."""


class KnowledgeError(ServicelotsenError):
    """A knowledge file (`data/knowledge/*.yml`) is missing or invalid.

    The message is Swedish and names the file and the entry, so an editor can
    fix it without reading code; `reason` is the part after the location.
    """

    def __init__(self, path: str, reason: str, entry: str | None = None) -> None:
        where = f"{path}, {entry}" if entry else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.entry = entry
        self.reason = reason


class CommandFailed(ServicelotsenError):
    """A command-line command cannot answer (unknown place, bad position...).

    `message` is plain Swedish for staff; `code` is a short machine-readable
    word for `--json` output; `details` adds data (e.g. the candidates of an
    ambiguous place). The CLI prints it and exits with 1, without traceback.
    """

    def __init__(
        self, message: str, code: str, details: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = dict(details or {})


class WebConfigError(ServicelotsenError):
    """A web front setting (WEB_PORT, RASA_URL, SERVICELOTSEN_ALLOWED_ORIGINS,
    SERVICELOTSEN_FRAME_ANCESTORS) is invalid; the Swedish message names the
    variable and the bad value, so the operator can fix it before start."""

    def __init__(self, variable: str, reason: str) -> None:
        super().__init__(f"{variable}: {reason}")
        self.variable = variable
        self.reason = reason


class ChatBackendError(ServicelotsenError):
    """Rasa could not answer a web chat turn (down, too slow, broken reply).

    `status` is the HTTP status the front answers with (502, 503 or 504) and
    the message is plain Swedish for the resident; no message text or
    position is ever put in it.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TrackerStoreError(ServicelotsenError):
    """The tracker store (the conversations Rasa saved) cannot be read.

    The Swedish message names the store without any password and says what
    to do (start the bot once, check SERVICELOTSEN_TRACKER_URL).
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
