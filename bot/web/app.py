"""The residents' web chat: the aiohttp application.

Routes, middlewares and startup/cleanup hooks are all set up in
`create_app`, so the whole front can be read in one place:

    GET  /                 the chat page (the widget on a plain Swedish page)
    GET  /en               the same page in English (the widget follows its lang)
    GET  /personuppgifter  what happens with personal data (docs/personuppgifter.md)
    GET  /en/personal-data the same in English (docs/personal-data.md)
    GET  /widget/...       the widget: servicelotsen.js, servicelotsen.css
    GET  /assets/...       the page's own style sheet and icon
    GET  /health           the front itself is up (the supervisor asks)
    GET  /api/status       Rasa answers (the widget asks when it opens)
    POST /api/chat         one turn: {"sender", "message", "language"?,
                           "language_source"?} -> {"messages"}

Every /api/ request counts against its client address, and every chat turn
against its conversation (bot.web.ratelimit); over the limit, the answer is
429 with a Swedish sentence the widget shows and a Retry-After header.

The widget talks to Rasa only through /api/chat ("REST through the front"):
one origin to allow, one place for limits and for merging a text and its
`places` payload into one message (bot.web.messages).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.errors import ChatBackendError
from bot.web.config import WebConfig
from bot.web.document import render_document
from bot.web.messages import widget_messages
from bot.web.rasa import OFFLINE_TEXT, RasaClient
from bot.web.ratelimit import TokenBuckets, client_address

__all__ = [
    "CONFIG",
    "LIMITS",
    "RASA",
    "RATE_LIMITED_TEXT",
    "STATIC_DIR",
    "AccessLogger",
    "Limits",
    "create_app",
    "security_headers",
]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
CONFIG = web.AppKey("config", WebConfig)
RASA = web.AppKey("rasa", RasaClient)

#: What a resident sees when they (or their address) send too much too fast.
RATE_LIMITED_TEXT = (
    "Du har skickat många meddelanden på kort tid. "
    "Vänta en liten stund och försök sedan igen."
)


class Limits:
    """The front's token buckets: per client address and per conversation."""

    def __init__(self, config: WebConfig) -> None:
        self.trusted_proxies = config.trusted_proxies
        self.address = (
            TokenBuckets(config.address_rate) if config.address_rate else None
        )
        self.conversation = (
            TokenBuckets(config.conversation_rate) if config.conversation_rate else None
        )


LIMITS = web.AppKey("limits", Limits)
PRIVACY_PAGE = web.AppKey("privacy_page", str)
PRIVACY_PAGE_EN = web.AppKey("privacy_page_en", str)

#: The longest message a resident may send (channels.messages cuts there too).
MAX_MESSAGE_CHARS = 2000
#: Sender ids are made by the widget (crypto.randomUUID): no personal data.
_SENDER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
#: The widget's languages, and where the one showing came from: the resident
#: pressed the switch, or the page's `lang` (docs/web-chat.md).
LANGUAGES = frozenset({"sv", "en"})
LANGUAGE_SOURCES = frozenset({"switch", "page"})

_ERRORS = {
    400: "Begäran kunde inte läsas.",
    403: "Den här webbplatsen får inte använda Servicelotsen.",
    404: "Sidan finns inte.",
    405: "Det går inte att göra så här.",
    413: "Meddelandet är för stort. Skriv ett kortare meddelande.",
    415: "Skicka meddelandet som JSON.",
    429: RATE_LIMITED_TEXT,
    500: "Något gick fel hos Servicelotsen. Försök igen om en stund.",
}

#: Static files served without a charset (aiohttp guesses only the type).
_UTF8_TYPES = frozenset(
    {"text/html", "text/css", "text/plain", "application/javascript", "text/javascript"}
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


#: JSON as UTF-8 text: Swedish letters stay letters (and the answer shorter).
_dumps = functools.partial(json.dumps, ensure_ascii=False)


def _json(data: object, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def _error(status: int, message: str | None = None) -> web.Response:
    text = message or _ERRORS.get(status) or _ERRORS[500]
    return _json({"error": text}, status=status)


# --- headers ------------------------------------------------------------------


def security_headers(config: WebConfig) -> dict[str, str]:
    """Headers on every response: a strict CSP (no inline script or style),
    no sniffing, no referrer to the map and shop sites, framing as configured.
    """
    ancestors = " ".join(config.frame_ancestors)
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=()",
    }
    if config.frame_ancestors == ("'none'",):
        headers["X-Frame-Options"] = "DENY"
    elif config.frame_ancestors == ("'self'",):
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers


def _same_origin(request: web.Request, origin: str) -> bool:
    """The page calling the API was served by this front (any scheme: a TLS
    proxy in front of us makes the browser's https look like http here)."""
    host = origin.partition("://")[2].rstrip("/").lower()
    return bool(host) and host == (request.host or "").lower()


def _cross_origin(request: web.Request) -> str | None:
    origin = request.headers.get("Origin")
    if origin is None or origin == "null" or _same_origin(request, origin):
        return None
    return origin


async def _on_response_prepare(
    request: web.Request, response: web.StreamResponse
) -> None:
    config = request.app[CONFIG]
    response.headers.update(security_headers(config))
    content_type = response.headers.get("Content-Type", "")
    if content_type in _UTF8_TYPES:
        response.headers["Content-Type"] = f"{content_type}; charset=utf-8"
    if _api(request):
        response.headers["Cache-Control"] = "no-store"
        origin = _cross_origin(request)
        if origin is not None and config.origin_allowed(origin):
            response.headers["Access-Control-Allow-Origin"] = origin
        response.headers.add("Vary", "Origin")
    else:
        response.headers.setdefault("Cache-Control", "no-cache")


# --- middlewares ----------------------------------------------------------------


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """HTTP errors as short Swedish text: JSON for the API, plain text for pages."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if _api(request):
            return _error(exc.status)
        return web.Response(
            status=exc.status,
            text=_ERRORS.get(exc.status, _ERRORS[500]),
            content_type="text/plain",
        )
    except Exception:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return _error(500)


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Only the configured sites may call the API; answers their preflights.

    Response headers for allowed origins are added in `_on_response_prepare`
    so error responses carry them too (the widget can then read the error).
    """
    if not _api(request):
        return await handler(request)
    origin = _cross_origin(request)
    allowed = origin is None or request.app[CONFIG].origin_allowed(origin)
    if request.method == "OPTIONS" and request.headers.get(
        "Access-Control-Request-Method"
    ):
        if not allowed:
            return _error(403)
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": "GET, POST",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": "600",
            },
        )
    if not allowed:
        return _error(403)
    return await handler(request)


@web.middleware
async def body_limit_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Refuse a declared too-large body before reading a byte of it (413).

    A body without Content-Length (chunked) is cut by the application's
    `client_max_size` while it is read, with the same answer.
    """
    limit = request.app[CONFIG].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        return _error(413)
    return await handler(request)


def _too_many(wait: float) -> web.Response:
    response = _error(429)
    response.headers["Retry-After"] = TokenBuckets.retry_after(wait)
    return response


@web.middleware
async def rate_limit_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Every API request counts against its client address (429 over the limit).

    Preflights are not counted: the browser sends them, not the resident.
    """
    limits = request.app[LIMITS]
    if limits.address is None or not _api(request) or request.method == "OPTIONS":
        return await handler(request)
    address = client_address(
        request.remote,
        request.headers.getall("X-Forwarded-For", []),
        limits.trusted_proxies,
    )
    wait = limits.address.take(address)
    if wait:
        return _too_many(wait)
    return await handler(request)


def language_metadata(payload: dict[str, Any]) -> dict[str, str] | None:
    """Rasa's message metadata for the widget's language: `{"language": "en",
    "language_source": "switch"}`, `{}` when the request names no language
    (another REST client), None when it names one we do not have.
    """
    language = payload.get("language")
    source = payload.get("language_source")
    if language is None and source is None:
        return {}
    if not isinstance(language, str) or language not in LANGUAGES:
        return None
    metadata = {"language": language}
    if source is not None:
        if not isinstance(source, str) or source not in LANGUAGE_SOURCES:
            return None
        metadata["language_source"] = source
    return metadata


# --- handlers -----------------------------------------------------------------


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


async def index_en(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "en.html")


async def privacy(request: web.Request) -> web.Response:
    return web.Response(text=request.app[PRIVACY_PAGE], content_type="text/html")


async def privacy_en(request: web.Request) -> web.Response:
    return web.Response(text=request.app[PRIVACY_PAGE_EN], content_type="text/html")


async def health(request: web.Request) -> web.Response:
    return _json({"status": "ok"})


async def status(request: web.Request) -> web.Response:
    if await request.app[RASA].reachable():
        return _json({"status": "ok"})
    return _error(503, OFFLINE_TEXT)


async def chat(request: web.Request) -> web.Response:
    """One turn of the conversation, with the reply merged for the widget."""
    if request.content_type != "application/json":
        return _error(415)
    try:
        payload: Any = await request.json()
    except web.HTTPRequestEntityTooLarge:
        return _error(413)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "Begäran är inte giltig JSON.")
    if not isinstance(payload, dict):
        return _error(400, 'Skicka {"sender": "…", "message": "…"}.')
    sender = payload.get("sender")
    message = payload.get("message")
    if not isinstance(sender, str) or not _SENDER.match(sender):
        return _error(400, "Samtalets id saknas eller är ogiltigt. Ladda om sidan.")
    if not isinstance(message, str) or not message.strip():
        return _error(400, "Skriv ett meddelande först.")
    if len(message) > MAX_MESSAGE_CHARS:
        return _error(
            413, f"Meddelandet är för långt. Skriv högst {MAX_MESSAGE_CHARS} tecken."
        )
    metadata = language_metadata(payload)
    if metadata is None:
        return _error(400, 'Okänt språk: "language" ska vara "sv" eller "en".')
    conversation = request.app[LIMITS].conversation
    if conversation is not None:
        wait = conversation.take(sender)
        if wait:
            return _too_many(wait)
    try:
        replies = await request.app[RASA].send(sender, message, metadata)
    except ChatBackendError as err:
        return _error(err.status, err.message)
    return _json({"messages": widget_messages(replies)})


# --- the application -----------------------------------------------------------


class AccessLogger(AbstractAccessLogger):
    """Method, path, status and time only: no address, no query, no
    user agent (a resident's visit is nobody's business)."""

    def log(
        self, request: web.BaseRequest, response: web.StreamResponse, time: float
    ) -> None:
        self.logger.info(
            "%s %s %s %.0f ms",
            request.method,
            request.path,
            response.status,
            time * 1000,
        )


def create_app(config: WebConfig | None = None) -> web.Application:
    """The web front, configured from `config` (default: the environment)."""
    config = config or WebConfig.from_env()
    app = web.Application(
        middlewares=[
            errors_middleware,
            cors_middleware,
            rate_limit_middleware,
            body_limit_middleware,
        ],
        client_max_size=config.max_body_bytes,
    )
    app[CONFIG] = config
    app[LIMITS] = Limits(config)
    app[PRIVACY_PAGE] = render_document(
        config.privacy_doc.read_text(encoding="utf-8")
    )
    app[PRIVACY_PAGE_EN] = render_document(
        config.privacy_doc_en.read_text(encoding="utf-8"), "en"
    )

    async def rasa_session(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            app[RASA] = RasaClient(session, config.rasa_url, config.rasa_timeout)
            yield

    app.cleanup_ctx.append(rasa_session)
    app.on_response_prepare.append(_on_response_prepare)

    app.router.add_get("/", index)
    app.router.add_get("/en", index_en)
    app.router.add_get("/personuppgifter", privacy)
    app.router.add_get("/en/personal-data", privacy_en)
    app.router.add_get("/health", health)
    app.router.add_get("/api/status", status)
    app.router.add_post("/api/chat", chat)
    app.router.add_static("/widget/", STATIC_DIR / "widget")
    app.router.add_static("/assets/", STATIC_DIR / "assets")
    return app
