"""`python -m bot.web`: serve the chat page on 127.0.0.1:WEB_PORT.

Settings come from the environment (see bot.web.config); a wrong one stops
the start with a Swedish message and exit code 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from aiohttp import web

from bot.errors import WebConfigError
from bot.web.app import AccessLogger, create_app
from bot.web.config import WebConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.web", description="Servicelotsens chattsida"
    )
    parser.add_argument(
        "--host",
        default=os.environ.get("WEB_HOST") or "127.0.0.1",
        help="gränssnitt att lyssna på (annars WEB_HOST, 127.0.0.1)",
    )
    parser.add_argument("--port", type=int, help="port (annars WEB_PORT, 8080)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = WebConfig.from_env()
    except WebConfigError as err:
        print(f"Chattsidan kan inte starta: {err}", file=sys.stderr)
        return 2
    port = args.port or config.port
    web.run_app(
        create_app(config),
        host=args.host,
        port=port,
        access_log_class=AccessLogger,
        shutdown_timeout=5,  # Ctrl-C in `make run` should not wait a minute
        print=lambda _msg: print(
            f"Chattsidan är igång på http://{args.host}:{port}/", flush=True
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
