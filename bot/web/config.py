"""The web front's settings, read once from the environment and checked.

A wrong setting stops the front at start with a Swedish message naming the
variable, instead of a page that silently refuses every embedding site.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import WebConfigError
from bot.web.document import DEFAULT_PRIVACY_DOC, DEFAULT_PRIVACY_DOC_EN
from bot.web.ratelimit import (
    DEFAULT_ADDRESS_RATE,
    DEFAULT_CONVERSATION_RATE,
    IPNetwork,
    Rate,
    parse_rate,
    parse_trusted_proxies,
)

__all__ = ["DEFAULT_MAX_BODY_BYTES", "WebConfig"]

#: Largest request body the front reads. A chat message is at most a few
#: kilobytes (Rasa cuts text at 2000 characters); anything larger is refused
#: with 413 before it reaches Rasa.
DEFAULT_MAX_BODY_BYTES = 16 * 1024
_KEYWORDS = frozenset({"'self'", "'none'"})
_HOST = re.compile(r"^(\*\.)?[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$")


def _origin(value: str, variable: str, *, allow_wildcard_host: bool) -> str:
    """One origin ("https://www.karlskrona.se"), normalised to lower case."""
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if (
        scheme not in {"http", "https"}
        or not host
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or parts.username
        or not _HOST.match(host if ":" not in host else f"[{host}]")
        or (host.startswith("*.") and not allow_wildcard_host)
    ):
        raise WebConfigError(
            variable,
            f"{value!r} är ingen ursprungsadress. Skriv till exempel "
            "https://www.kommun.se (schema och värd, utan sökväg).",
        )
    try:
        port = parts.port
    except ValueError as err:
        raise WebConfigError(variable, f"{value!r} har ett ogiltigt portnummer.") from err
    netloc = f"[{host}]" if ":" in host else host
    return f"{scheme}://{netloc}" + (f":{port}" if port is not None else "")


def _split(value: str) -> list[str]:
    return [item for item in re.split(r"[\s,]+", value.strip()) if item]


def parse_allowed_origins(value: str) -> tuple[str, ...]:
    """SERVICELOTSEN_ALLOWED_ORIGINS: the sites that may embed the widget.

    Comma- or space-separated origins, or "*" for every site (the chat API
    uses no cookies, so "*" leaks nothing; it only lets any site use it).
    Empty: only the front's own pages.
    """
    items = _split(value)
    if "*" in items:
        if len(items) > 1:
            raise WebConfigError(
                "SERVICELOTSEN_ALLOWED_ORIGINS",
                '"*" betyder alla webbplatser och kan inte blandas med adresser.',
            )
        return ("*",)
    return tuple(
        dict.fromkeys(
            _origin(item, "SERVICELOTSEN_ALLOWED_ORIGINS", allow_wildcard_host=False)
            for item in items
        )
    )


def parse_frame_ancestors(value: str) -> tuple[str, ...]:
    """SERVICELOTSEN_FRAME_ANCESTORS: who may show the chat page in a frame.

    CSP `frame-ancestors` sources: 'self', 'none' (also written without
    quotes) or origins, "https://*.kommun.se" allowed. Default: 'self'.
    """
    items = _split(value) or ["'self'"]
    sources: list[str] = []
    for item in items:
        keyword = f"'{item.strip(chr(39)).lower()}'"
        if keyword in _KEYWORDS:
            sources.append(keyword)
        else:
            sources.append(
                _origin(item, "SERVICELOTSEN_FRAME_ANCESTORS", allow_wildcard_host=True)
            )
    if "'none'" in sources and len(sources) > 1:
        raise WebConfigError(
            "SERVICELOTSEN_FRAME_ANCESTORS",
            "'none' (ingen får visa sidan i en ram) kan inte blandas med andra värden.",
        )
    return tuple(dict.fromkeys(sources))


def _port(value: str, variable: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise WebConfigError(variable, f"{value!r} är inget portnummer (1–65535).")
    return port


def _rasa_url(env: Mapping[str, str]) -> str:
    url = env.get("RASA_URL", "").strip()
    if not url:
        return f"http://127.0.0.1:{_port(env.get('RASA_PORT', '5005'), 'RASA_PORT')}"
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise WebConfigError(
            "RASA_URL", f"{url!r} är ingen adress. Skriv till exempel http://127.0.0.1:5005."
        )
    return url.rstrip("/")


def _document(
    value: str,
    name: str = "SERVICELOTSEN_PRIVACY_DOC",
    default: Path = DEFAULT_PRIVACY_DOC,
) -> Path:
    if not value.strip():
        return default
    path = Path(value.strip())
    if not path.is_file():
        raise WebConfigError(
            name,
            f"{value!r} är ingen fil. Ange sökvägen till en Markdown-fil, till "
            f"exempel en ifylld kopia av docs/{default.name}.",
        )
    return path


@dataclass(frozen=True)
class WebConfig:
    """Everything the web front needs to know, with the contract's defaults.

    Attributes:
        host: the interface to listen on (loopback unless told otherwise).
        port: WEB_PORT.
        rasa_url: Rasa's base URL; the REST channel is under it.
        allowed_origins: sites that may call the chat API from the widget.
        frame_ancestors: CSP sources that may frame the chat page.
        max_body_bytes: the largest request body read (413 above it).
        rasa_timeout: seconds one turn may take before the resident is told.
        conversation_rate: messages per conversation (sender id); None: no limit.
        address_rate: API requests per client address; None: no limit.
        trusted_proxies: reverse proxies whose X-Forwarded-For is believed.
        privacy_doc: the Markdown shown at /personuppgifter.
        privacy_doc_en: the English one, shown at /en/personal-data.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    allowed_origins: tuple[str, ...] = ()
    frame_ancestors: tuple[str, ...] = ("'self'",)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rasa_timeout: float = 30.0
    conversation_rate: Rate | None = DEFAULT_CONVERSATION_RATE
    address_rate: Rate | None = DEFAULT_ADDRESS_RATE
    trusted_proxies: tuple[IPNetwork, ...] = ()
    privacy_doc: Path = DEFAULT_PRIVACY_DOC
    privacy_doc_en: Path = DEFAULT_PRIVACY_DOC_EN

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebConfig:
        """Read WEB_PORT, RASA_URL or RASA_PORT, the embedding settings and the
        rate limits (SERVICELOTSEN_RATE_LIMIT_CONVERSATION, _ADDRESS,
        SERVICELOTSEN_TRUSTED_PROXIES), SERVICELOTSEN_PRIVACY_DOC and
        SERVICELOTSEN_PRIVACY_DOC_EN.

        Raises:
            WebConfigError: a value is invalid (the message names it).
        """
        env = os.environ if env is None else env
        return cls(
            port=_port(env.get("WEB_PORT", "8080"), "WEB_PORT"),
            rasa_url=_rasa_url(env),
            allowed_origins=parse_allowed_origins(
                env.get("SERVICELOTSEN_ALLOWED_ORIGINS", "")
            ),
            frame_ancestors=parse_frame_ancestors(
                env.get("SERVICELOTSEN_FRAME_ANCESTORS", "")
            ),
            conversation_rate=parse_rate(
                env.get("SERVICELOTSEN_RATE_LIMIT_CONVERSATION", ""),
                "SERVICELOTSEN_RATE_LIMIT_CONVERSATION",
                DEFAULT_CONVERSATION_RATE,
            ),
            address_rate=parse_rate(
                env.get("SERVICELOTSEN_RATE_LIMIT_ADDRESS", ""),
                "SERVICELOTSEN_RATE_LIMIT_ADDRESS",
                DEFAULT_ADDRESS_RATE,
            ),
            trusted_proxies=parse_trusted_proxies(
                env.get("SERVICELOTSEN_TRUSTED_PROXIES", ""),
                "SERVICELOTSEN_TRUSTED_PROXIES",
            ),
            privacy_doc=_document(env.get("SERVICELOTSEN_PRIVACY_DOC", "")),
            privacy_doc_en=_document(
                env.get("SERVICELOTSEN_PRIVACY_DOC_EN", ""),
                "SERVICELOTSEN_PRIVACY_DOC_EN",
                DEFAULT_PRIVACY_DOC_EN,
            ),
        )

    @property
    def rest_webhook(self) -> str:
        """Rasa's REST channel (channels/rest.py)."""
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def origin_allowed(self, origin: str) -> bool:
        """True when `origin` (a browser's Origin header) may use the chat API."""
        if "*" in self.allowed_origins:
            return True
        try:
            normalised = _origin(origin, "Origin", allow_wildcard_host=False)
        except WebConfigError:
            return False
        return normalised in self.allowed_origins
