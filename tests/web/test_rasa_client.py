"""The front's Rasa client names the conversation in a header, for the balancer."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.web.rasa import CONVERSATION_HEADER, RasaClient

pytestmark = pytest.mark.asyncio


async def test_every_turn_carries_the_conversation_id_header() -> None:
    seen: list[tuple[str | None, Any]] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.headers.get(CONVERSATION_HEADER), await request.json()))
        return web.json_response([{"text": "Hej!"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = TestServer(app)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            client = RasaClient(session, str(server.make_url("")), timeout=5)
            assert await client.send("abc-123", "hej") == [{"text": "Hej!"}]
            await client.send("other-9", "tack")
    finally:
        await server.close()
    # nginx hashes this header (deploy/nginx/servicelotsen.conf): it must be the sender
    assert seen == [
        ("abc-123", {"sender": "abc-123", "message": "hej"}),
        ("other-9", {"sender": "other-9", "message": "tack"}),
    ]
