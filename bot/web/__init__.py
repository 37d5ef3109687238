"""The residents' web chat: an aiohttp front serving an accessible widget.

`create_app` builds the application; `python -m bot.web` runs it on
127.0.0.1:WEB_PORT (scripts/stack.py starts it with `make run`).
"""

from bot.web.app import create_app
from bot.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
