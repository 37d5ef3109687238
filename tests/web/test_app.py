"""The web front through aiohttp's test client, against a fake Rasa.

Headers, CORS, size and rate limits, malformed requests, Rasa being down or broken,
and the merging of a text and its places into one widget message.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pytest_aiohttp import AiohttpClient, AiohttpServer

from bot.web.app import AccessLogger, create_app
from bot.web.config import WebConfig
from bot.web.ratelimit import Rate
from bot.web.texts import error_text

pytestmark = pytest.mark.asyncio

SENDER = "3f1c2a9e-1b2c-4d5e-8f90-123456789abc"
ALLOWED = "https://www.ronneby.se"
ANSWER = (
    "Närmaste apotek från Ronneby:\n"
    "1. Testapotek Ronneby Centrum, Exempelgatan 3, Ronneby: 80 m (cirka 100 m på väg).\n"
    "Uppgifterna är från januari 2026."
)
PLACES = {
    "type": "places",
    "places": [
        {
            "number": 1,
            "name": "Testapotek Ronneby Centrum",
            "distance": "80 m",
            "map_url": "https://www.openstreetmap.org/?mlat=56.21&mlon=15.27",
            "website": "javascript:alert(1)",
        }
    ],
    "freshness": "Uppgifterna är från januari 2026.",
}

Client = TestClient[Any, Any]
RasaHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeRasa:
    """Rasa's REST channel, answering what a test tells it to."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.reply: Callable[[Any], web.StreamResponse] = lambda body: web.json_response(
            [{"recipient_id": body["sender"], "text": "Hej! Vad letar du efter?"}]
        )
        self.delay = 0.0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self.root)
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        return app

    async def root(self, request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.received.append(body)
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.reply(body)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
def make_client(
    aiohttp_client: AiohttpClient, aiohttp_server: AiohttpServer, rasa: FakeRasa
) -> Callable[..., Awaitable[Client]]:
    async def make(rasa_up: bool = True, **settings: Any) -> Client:
        if rasa_up:
            server = await aiohttp_server(rasa.app(), access_log=None)
            url = str(server.make_url("")).rstrip("/")
        else:
            url = f"http://127.0.0.1:{closed_port()}"
        server = TestServer(create_app(WebConfig(rasa_url=url, **settings)))
        # as `python -m bot.web` runs it: with the front's own access log
        await server.start_server(access_log_class=AccessLogger)
        return await aiohttp_client(server)

    return make


async def say(client: Client, message: str = "hej", **headers: str) -> Any:
    return await client.post(
        "/api/chat", json={"sender": SENDER, "message": message}, headers=headers
    )


# --- pages and headers --------------------------------------------------------


async def test_the_chat_page_is_swedish_and_loads_the_widget(make_client: Any) -> None:
    client = await make_client()
    resp = await client.get("/")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    page = await resp.text()
    assert '<html lang="sv">' in page
    assert '<script src="/widget/servicelotsen.js" defer></script>' in page


async def test_the_english_chat_page_loads_the_same_widget(make_client: Any) -> None:
    client = await make_client()
    resp = await client.get("/en")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    page = await resp.text()
    assert '<html lang="en">' in page
    assert '<script src="/widget/servicelotsen.js" defer></script>' in page
    assert '<a href="/" lang="sv" hreflang="sv">På svenska</a>' in page
    swedish = await (await client.get("/")).text()
    assert '<a href="/en" lang="en" hreflang="en">In English</a>' in swedish


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/widget/servicelotsen.js", "application/javascript; charset=utf-8"),
        ("/widget/servicelotsen.css", "text/css; charset=utf-8"),
        ("/assets/page.css", "text/css; charset=utf-8"),
        ("/personuppgifter", "text/html; charset=utf-8"),
        ("/health", "application/json; charset=utf-8"),
    ],
)
async def test_files_and_their_types(
    make_client: Any, path: str, content_type: str
) -> None:
    client = await make_client()
    resp = await client.get(path)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == content_type


@pytest.mark.parametrize(
    "path", ["/", "/widget/servicelotsen.js", "/health", "/api/status", "/finns-inte"]
)
async def test_security_headers_on_every_response(make_client: Any, path: str) -> None:
    client = await make_client()
    resp = await client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'self'"
    assert "unsafe" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize(
    ("ancestors", "csp", "x_frame"),
    [
        (("'none'",), "frame-ancestors 'none'", "DENY"),
        (
            ("'self'", "https://www.karlskrona.se"),
            "frame-ancestors 'self' https://www.karlskrona.se",
            None,
        ),
    ],
)
async def test_frame_ancestors_as_configured(
    make_client: Any, ancestors: tuple[str, ...], csp: str, x_frame: str | None
) -> None:
    client = await make_client(frame_ancestors=ancestors)
    resp = await client.get("/")
    assert resp.headers["Content-Security-Policy"].endswith(csp)
    assert resp.headers.get("X-Frame-Options") == x_frame


async def test_unknown_page_is_a_swedish_404(make_client: Any) -> None:
    client = await make_client()
    resp = await client.get("/finns-inte")
    assert resp.status == 404
    assert await resp.text() == "Sidan finns inte."
    api = await client.get("/api/finns-inte")
    assert api.status == 404
    assert (await api.json())["error"] == "Sidan finns inte."


async def test_api_answers_are_never_cached(make_client: Any) -> None:
    client = await make_client()
    resp = await say(client)
    assert resp.headers["Cache-Control"] == "no-store"


# --- CORS ------------------------------------------------------------------------


async def test_preflight_from_an_allowed_site(make_client: Any) -> None:
    client = await make_client(allowed_origins=(ALLOWED,))
    resp = await client.options(
        "/api/chat",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    assert resp.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Access-Control-Allow-Credentials" not in resp.headers


@pytest.mark.parametrize("allowed", [(), ("https://www.karlskrona.se",)])
async def test_other_sites_are_refused(
    make_client: Any, rasa: FakeRasa, allowed: tuple[str, ...]
) -> None:
    client = await make_client(allowed_origins=allowed)
    preflight = await client.options(
        "/api/chat",
        headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers
    resp = await say(client, Origin=ALLOWED)
    assert resp.status == 403
    assert "får inte använda Servicelotsen" in (await resp.json())["error"]
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert rasa.received == []  # nothing reached Rasa


async def test_an_allowed_site_can_read_the_answer(make_client: Any) -> None:
    client = await make_client(allowed_origins=(ALLOWED,))
    resp = await say(client, Origin=ALLOWED)
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in resp.headers.getall("Vary")


async def test_any_site_when_the_setting_is_a_star(make_client: Any) -> None:
    client = await make_client(allowed_origins=("*",))
    resp = await say(client, Origin="https://förening.example")
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "https://förening.example"


async def test_the_front_own_page_needs_no_setting(make_client: Any) -> None:
    client = await make_client()
    origin = f"http://{client.server.host}:{client.server.port}"
    resp = await say(client, Origin=origin)
    assert resp.status == 200
    assert "Access-Control-Allow-Origin" not in resp.headers


# --- limits and malformed requests ---------------------------------------------------


async def test_a_declared_large_body_is_refused_before_reading(
    make_client: Any, rasa: FakeRasa
) -> None:
    client = await make_client(max_body_bytes=1024)
    body = json.dumps({"sender": SENDER, "message": "x" * 2000})
    resp = await client.post(
        "/api/chat", data=body, headers={"Content-Type": "application/json"}
    )
    assert resp.status == 413
    assert (await resp.json())["error"].startswith("Meddelandet är för stort")
    assert rasa.received == []


async def test_a_large_chunked_body_is_cut_while_reading(make_client: Any) -> None:
    client = await make_client(max_body_bytes=1024)

    async def chunks() -> Any:
        yield b'{"sender": "' + SENDER.encode() + b'", "message": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    resp = await client.post(
        "/api/chat", data=chunks(), headers={"Content-Type": "application/json"}
    )
    assert resp.status == 413
    assert "för stort" in (await resp.json())["error"]


async def test_a_too_long_message_is_refused(make_client: Any, rasa: FakeRasa) -> None:
    client = await make_client()
    resp = await say(client, "å" * 2001)
    assert resp.status == 413
    assert "högst 2000 tecken" in (await resp.json())["error"]
    assert rasa.received == []


@pytest.mark.parametrize(
    ("body", "content_type", "status", "fragment"),
    [
        ('{"sender": "abc', "application/json", 400, "inte giltig JSON"),
        (b"\xff\xfe", "application/json", 400, "inte giltig JSON"),
        ("[1, 2]", "application/json", 400, "Skicka"),
        ('{"message": "hej"}', "application/json", 400, "Samtalets id"),
        (
            '{"sender": "<script>alert(1)</script>", "message": "hej"}',
            "application/json",
            400,
            "Samtalets id",
        ),
        ('{"sender": "kort", "message": "hej"}', "application/json", 400, "Samtalets id"),
        (f'{{"sender": "{SENDER}"}}', "application/json", 400, "Skriv ett meddelande"),
        (
            f'{{"sender": "{SENDER}", "message": "   "}}',
            "application/json",
            400,
            "Skriv ett meddelande",
        ),
        (f'{{"sender": "{SENDER}", "message": 5}}', "application/json", 400, "Skriv"),
        (f"sender={SENDER}&message=hej", "application/x-www-form-urlencoded", 415, "JSON"),
    ],
)
async def test_malformed_requests_get_a_swedish_400(
    make_client: Any,
    rasa: FakeRasa,
    body: str | bytes,
    content_type: str,
    status: int,
    fragment: str,
) -> None:
    client = await make_client()
    resp = await client.post(
        "/api/chat", data=body, headers={"Content-Type": content_type}
    )
    assert resp.status == status
    assert fragment in (await resp.json())["error"]
    assert rasa.received == []


@pytest.mark.parametrize(
    ("body", "status", "english"),
    [
        ({"sender": SENDER, "message": " "}, 400, "Please write a message first."),
        ({"sender": "x", "message": "hi"}, 400, "Please reload the page."),
        (
            {"sender": SENDER, "message": "a" * 2001},
            413,
            "The message is too long. Please write at most 2000 characters.",
        ),
    ],
)
async def test_malformed_requests_in_english_get_english(
    make_client: Any, body: dict[str, str], status: int, english: str
) -> None:
    client = await make_client()
    resp = await client.post("/api/chat", json=body | {"language": "en"})
    assert resp.status == status
    answer = await resp.json()
    assert english in answer["error"]
    assert answer["language"] == "en"


async def test_an_unknown_language_is_answered_in_swedish(make_client: Any) -> None:
    client = await make_client()
    resp = await client.post(
        "/api/chat", json={"sender": SENDER, "message": "hej", "language": "de"}
    )
    assert await resp.json() == {
        "error": 'Okänt språk: "language" ska vara "sv" eller "en".',
        "language": "sv",
    }


@pytest.mark.parametrize(
    ("settings", "headers", "data", "status"),
    [
        ({"allowed_origins": ()}, {"Origin": ALLOWED}, None, 403),
        ({"max_body_bytes": 1024}, {}, "x" * 2000, 413),
        ({}, {"Content-Type": "text/plain"}, "hej", 415),
    ],
    ids=["403", "413", "415"],
)
async def test_errors_before_the_body_is_read_follow_the_urls_language(
    make_client: Any,
    settings: dict[str, Any],
    headers: dict[str, str],
    data: str | None,
    status: int,
) -> None:
    """The widget puts `?language=` on every request: an error answered
    before the body (and its `language`) is read is in the widget's language."""
    client = await make_client(**settings)
    body = data if data is not None else json.dumps({"sender": SENDER, "message": "hi"})
    sent = {"Content-Type": "application/json"} | headers
    english = await client.post("/api/chat?language=en", data=body, headers=sent)
    assert english.status == status
    assert await english.json() == {"error": error_text(status, "en"), "language": "en"}
    swedish = await client.post("/api/chat", data=body, headers=sent)
    assert await swedish.json() == {"error": error_text(status), "language": "sv"}
    assert error_text(status, "en") != error_text(status)


async def test_an_english_page_that_does_not_exist_is_an_english_404(
    make_client: Any,
) -> None:
    client = await make_client()
    resp = await client.get("/en/does-not-exist")
    assert resp.status == 404
    assert await resp.text() == "The page does not exist."


async def test_get_on_the_chat_api_is_not_allowed(make_client: Any) -> None:
    client = await make_client()
    resp = await client.get("/api/chat")
    assert resp.status == 405
    assert "error" in await resp.json()


# --- Rasa down or broken ---------------------------------------------------------------


async def test_rasa_down_gives_503_with_a_swedish_message(make_client: Any) -> None:
    client = await make_client(rasa_up=False)
    resp = await say(client)
    assert resp.status == 503
    assert (await resp.json())["error"] == error_text(503)
    status = await client.get("/api/status")
    assert status.status == 503
    assert (await status.json())["error"] == error_text(503)
    health = await client.get("/health")
    assert health.status == 200  # the front itself is fine


async def test_rasa_down_in_english_gives_the_english_message(make_client: Any) -> None:
    """The widget's language: the chat's `language`, `?language=` for the status."""
    client = await make_client(rasa_up=False)
    resp = await client.post(
        "/api/chat", json={"sender": SENDER, "message": "pharmacy", "language": "en"}
    )
    assert resp.status == 503
    assert await resp.json() == {
        "error": "Servicelotsen cannot be reached right now. Please try again in a "
        "while. You can also call your municipality.",
        "language": "en",
    }
    status = await client.get("/api/status?language=en")
    assert (await status.json())["error"] == error_text(503, "en")
    swedish = await client.get("/api/status")
    assert await swedish.json() == {"error": error_text(503), "language": "sv"}


async def test_the_chats_own_language_wins_over_the_urls(make_client: Any) -> None:
    client = await make_client(rasa_up=False)
    resp = await client.post(
        "/api/chat?language=sv",
        json={"sender": SENDER, "message": "pharmacy", "language": "en"},
    )
    assert (await resp.json())["language"] == "en"


async def test_a_broken_rasa_answer_in_english(make_client: Any, rasa: FakeRasa) -> None:
    rasa.reply = lambda body: web.Response(status=500, text="Internal Server Error")
    client = await make_client()
    resp = await client.post(
        "/api/chat", json={"sender": SENDER, "message": "hi", "language": "en"}
    )
    assert resp.status == 502
    assert (await resp.json())["error"] == (
        "Servicelotsen had a technical problem and could not answer. "
        "Please try again in a while."
    )


async def test_status_when_rasa_is_up(make_client: Any) -> None:
    client = await make_client()
    resp = await client.get("/api/status")
    assert resp.status == 200
    assert await resp.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "reply",
    [
        lambda body: web.Response(status=500, text="Internal Server Error"),
        lambda body: web.Response(text="<html>not json</html>"),
        lambda body: web.json_response({"text": "not a list"}),
    ],
)
async def test_a_broken_rasa_answer_gives_502(
    make_client: Any, rasa: FakeRasa, reply: Callable[[Any], web.StreamResponse]
) -> None:
    rasa.reply = reply
    client = await make_client()
    resp = await say(client)
    assert resp.status == 502
    assert (await resp.json())["error"] == error_text(502)


async def test_a_slow_rasa_gives_504(make_client: Any, rasa: FakeRasa) -> None:
    rasa.delay = 1.0
    client = await make_client(rasa_timeout=0.2)
    resp = await say(client)
    assert resp.status == 504
    assert (await resp.json())["error"] == error_text(504)


# --- the conversation -------------------------------------------------------------------


async def test_the_message_reaches_rasa_as_sent(make_client: Any, rasa: FakeRasa) -> None:
    client = await make_client()
    resp = await say(client, "Var finns närmaste apotek i Ronneby?")
    assert resp.status == 200
    assert rasa.received == [
        {"sender": SENDER, "message": "Var finns närmaste apotek i Ronneby?"}
    ]
    assert await resp.json() == {
        "messages": [{"text": "Hej! Vad letar du efter?", "buttons": []}]
    }


@pytest.mark.parametrize(
    ("sent", "metadata"),
    [
        ({"language": "en", "language_source": "switch"}, {"language": "en", "language_source": "switch"}),
        ({"language": "sv", "language_source": "page"}, {"language": "sv", "language_source": "page"}),
        ({"language": "en"}, {"language": "en"}),
    ],
)
async def test_the_widgets_language_reaches_rasa_as_metadata(
    make_client: Any, rasa: FakeRasa, sent: dict[str, str], metadata: dict[str, str]
) -> None:
    client = await make_client()
    resp = await client.post(
        "/api/chat", json={"sender": SENDER, "message": "pharmacy in Ronneby", **sent}
    )
    assert resp.status == 200
    assert rasa.received == [
        {"sender": SENDER, "message": "pharmacy in Ronneby", "metadata": metadata}
    ]


@pytest.mark.parametrize(
    "sent",
    [
        {"language": "de"},
        {"language": "EN"},
        {"language": ["en"]},
        {"language_source": "switch"},
        {"language": "en", "language_source": "guess"},
    ],
)
async def test_an_unknown_language_is_a_400(
    make_client: Any, rasa: FakeRasa, sent: dict[str, Any]
) -> None:
    client = await make_client()
    resp = await client.post("/api/chat", json={"sender": SENDER, "message": "hej", **sent})
    assert resp.status == 400
    # in English when "language" is "en" and only the source is unknown
    assert '"language"' in (await resp.json())["error"]
    assert rasa.received == []


async def test_a_text_and_its_places_arrive_as_one_message(
    make_client: Any, rasa: FakeRasa
) -> None:
    rasa.reply = lambda body: web.json_response(
        [
            {"recipient_id": body["sender"], "text": ANSWER},
            {"recipient_id": body["sender"], "custom": PLACES},
        ]
    )
    client = await make_client()
    [message] = (await (await say(client)).json())["messages"]
    assert message["text"] == "Närmaste apotek från Ronneby:"
    assert message["after"] == "Uppgifterna är från januari 2026."
    [card] = message["places"]
    assert card["name"] == "Testapotek Ronneby Centrum"
    assert card["distance"] == "80 m"
    assert card["website"] is None  # javascript: never reaches the page


async def test_no_message_text_or_position_in_the_logs(
    make_client: Any, rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = await make_client()
    secret = "Jag bor på Hemligvägen 7 och heter Karin"
    position = '/share_location{"latitude": 56.25812, "longitude": 15.61934}'
    await say(client, secret)
    await say(client, position)
    down = await make_client(rasa_up=False)
    await say(down, secret)
    logged = caplog.text
    assert "POST /api/chat 200" in logged  # the access log is on...
    assert "Hemligvägen" not in logged  # ...but says nothing about the message
    assert "56.258" not in logged
    assert "127.0.0.1 " not in logged  # nor who asked


# --- rate limits ----------------------------------------------------------------------


async def test_one_conversation_sending_too_fast_gets_a_swedish_429(
    make_client: Any, rasa: FakeRasa
) -> None:
    client = await make_client(conversation_rate=Rate(3, 60.0))
    for _ in range(3):
        assert (await say(client)).status == 200
    resp = await say(client)
    assert resp.status == 429
    assert (await resp.json())["error"] == error_text(429)
    assert resp.headers["Retry-After"] == "20"
    assert resp.headers["Cache-Control"] == "no-store"
    assert len(rasa.received) == 3  # the fourth never reached Rasa
    english = await client.post(
        "/api/chat", json={"sender": SENDER, "message": "hi", "language": "en"}
    )
    assert (await english.json())["error"] == (
        "You have sent many messages in a short time. "
        "Please wait a little while and then try again."
    )
    other = await client.post(
        "/api/chat", json={"sender": "another-conversation", "message": "hej"}
    )
    assert other.status == 200  # other conversations are not held up


async def test_one_address_with_many_conversations_is_limited(
    make_client: Any, rasa: FakeRasa
) -> None:
    client = await make_client(address_rate=Rate(4, 60.0))
    statuses = []
    for n in range(6):
        resp = await client.post(
            "/api/chat", json={"sender": f"conversation-{n:04d}", "message": "hej"}
        )
        statuses.append(resp.status)
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert (await client.get("/api/status")).status == 429  # all of /api/ counts
    limited = await client.get("/api/status?language=en")
    assert (await limited.json())["error"] == error_text(429, "en")
    assert (await client.get("/health")).status == 200  # pages do not
    assert len(rasa.received) == 4


async def test_the_limit_allows_an_allowed_site_to_read_the_429(make_client: Any) -> None:
    client = await make_client(
        conversation_rate=Rate(1, 60.0), allowed_origins=(ALLOWED,)
    )
    assert (await say(client, Origin=ALLOWED)).status == 200
    resp = await say(client, Origin=ALLOWED)
    assert resp.status == 429
    assert resp.headers["Access-Control-Allow-Origin"] == ALLOWED


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    make_client: Any,
) -> None:
    client = await make_client(
        address_rate=Rate(2, 60.0),
        conversation_rate=None,
        trusted_proxies=(ipaddress.ip_network("127.0.0.1"),),
    )

    async def from_(address: str) -> int:
        resp = await say(client, **{"X-Forwarded-For": address})
        return resp.status

    assert [await from_("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert [await from_("198.51.100.2") for _ in range(2)] == [200, 200]
    # a client behind the proxy cannot dodge the limit with its own header
    assert await from_("203.0.113.50, 198.51.100.1") == 429


async def test_an_untrusted_forwarded_header_is_ignored(make_client: Any) -> None:
    client = await make_client(address_rate=Rate(2, 60.0), conversation_rate=None)
    statuses = [
        (await say(client, **{"X-Forwarded-For": f"198.51.100.{n}"})).status
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


async def test_limits_can_be_turned_off(make_client: Any, rasa: FakeRasa) -> None:
    client = await make_client(conversation_rate=None, address_rate=None)
    for _ in range(30):
        assert (await say(client)).status == 200
    assert len(rasa.received) == 30


async def test_the_privacy_page_is_the_markdown_document(make_client: Any) -> None:
    client = await make_client()
    resp = await client.get("/personuppgifter")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    page = await resp.text()
    assert "<h1>Om personuppgifter</h1>" in page
    assert "<table>" in page and "30 dagar" in page
    assert '<a href="/">Tillbaka till chatten</a>' in page


async def test_the_english_privacy_page_is_the_english_document(make_client: Any) -> None:
    client = await make_client()
    resp = await client.get("/en/personal-data")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    page = await resp.text()
    assert '<html lang="en">' in page
    assert "<h1>About personal data</h1>" in page
    assert "<table>" in page and "30 days" in page
    assert '<a href="/en">Back to the chat</a>' in page
    assert "Skip to content" in page and "Tillbaka" not in page
    english_page = await (await client.get("/en")).text()
    assert '<a href="/en/personal-data">About personal data</a>' in english_page


async def test_the_english_privacy_page_can_be_the_operators_copy(
    make_client: Any, tmp_path: Any
) -> None:
    own = tmp_path / "own.md"
    own.write_text("# About personal data\n\nRegion Blekinge is responsible.\n", encoding="utf-8")
    client = await make_client(privacy_doc_en=own)
    page = await (await client.get("/en/personal-data")).text()
    assert "Region Blekinge is responsible." in page


async def test_the_privacy_page_can_be_the_operators_copy(
    make_client: Any, tmp_path: Any
) -> None:
    own = tmp_path / "egen.md"
    own.write_text("# Om personuppgifter\n\nRegion Blekinge ansvarar.\n", encoding="utf-8")
    client = await make_client(privacy_doc=own)
    page = await (await client.get("/personuppgifter")).text()
    assert "Region Blekinge ansvarar." in page
