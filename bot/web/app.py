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
429 with a sentence the widget shows and a Retry-After header. Errors are
`{"error": "…", "language": "sv"}`, in the widget's language when the
request names it (`request_language`; the texts: bot.web.texts).

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
from bot.messages import DEFAULT_LANGUAGE, LANGUAGES, say
from bot.web.config import WebConfig
from bot.web.document import render_document
from bot.web.messages import widget_messages
from bot.web.rasa import OFFLINE, RasaClient
from bot.web.ratelimit import TokenBuckets, client_address
from bot.web.texts import error_text, language_of

__all__ = [
    "CONFIG",
    "LIMITS",
    "RASA",
    "STATIC_DIR",
    "AccessLogger",
    "Limits",
    "create_app",
    "request_language",
    "security_headers",
]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
CONFIG = web.AppKey("config", WebConfig)
RASA = web.AppKey("rasa", RasaClient)


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
#: Where the widget's language (bot.messages.LANGUAGES) came from: the
#: resident pressed the switch, or the page's `lang` (docs/web-chat.md).
LANGUAGE_SOURCES = frozenset({"switch", "page"})

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


def request_language(request: web.Request, payload: object = None) -> str:
    """The language of the front's answer to a request: the chat's
    `language` field (`payload`), else `?language=` on the URL (the widget
    puts it on every request, so errors before the body is read have it
    too), else Swedish."""
    found = language_of(payload.get("language")) if isinstance(payload, dict) else None
    return found or language_of(request.query.get("language")) or DEFAULT_LANGUAGE


def _error(
    status: int, language: str = DEFAULT_LANGUAGE, message: str | None = None
) -> web.Response:
    """`{"error": sentence, "language": its language}`: `message`, or the
    sentence for the status (bot.web.texts) in `language`."""
    text = message or error_text(status, language)
    return _json({"error": text, "language": language}, status=status)


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
    """HTTP errors as one short sentence: JSON for the API (in the widget's
    language), plain text for pages (English under /en)."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if _api(request):
            return _error(exc.status, request_language(request))
        english = request.path == "/en" or request.path.startswith("/en/")
        return web.Response(
            status=exc.status,
            text=error_text(exc.status, "en" if english else DEFAULT_LANGUAGE),
            content_type="text/plain",
        )
    except Exception:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return _error(500, request_language(request))


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
            return _error(403, request_language(request))
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": "GET, POST",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": "600",
            },
        )
    if not allowed:
        return _error(403, request_language(request))
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
        return _error(413, request_language(request))
    return await handler(request)


def _too_many(wait: float, language: str) -> web.Response:
    response = _error(429, language)
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
        return _too_many(wait, request_language(request))
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
    return _error(OFFLINE, request_language(request))


async def chat(request: web.Request) -> web.Response:
    """One turn of the conversation, with the reply merged for the widget."""
    language = request_language(request)
    if request.content_type != "application/json":
        return _error(415, language)
    try:
        payload: Any = await request.json()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, language)
    except (ValueError, UnicodeDecodeError):
        return _error(400, language, say("web_invalid_json", language))
    if not isinstance(payload, dict):
        return _error(400, language, say("web_send_fields", language))
    language = request_language(request, payload)
    sender = payload.get("sender")
    message = payload.get("message")
    if not isinstance(sender, str) or not _SENDER.match(sender):
        return _error(400, language, say("web_bad_sender", language))
    if not isinstance(message, str) or not message.strip():
        return _error(400, language, say("web_empty_message", language))
    if len(message) > MAX_MESSAGE_CHARS:
        return _error(
            413, language, say("web_too_long", language, limit=MAX_MESSAGE_CHARS)
        )
    metadata = language_metadata(payload)
    if metadata is None:
        return _error(400, language, say("web_unknown_language", language))
    conversation = request.app[LIMITS].conversation
    if conversation is not None:
        wait = conversation.take(sender)
        if wait:
            return _too_many(wait, language)
    try:
        replies = await request.app[RASA].send(sender, message, metadata)
    except ChatBackendError as err:
        return _error(err.status, language)
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
