"""`python -m bot`: the staff and editors' command line (see `bot.cli`)."""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    for stream in (sys.stdout, sys.stderr):
        # Swedish text must not crash on a terminal with a legacy encoding
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() != "utf-8":
            reconfigure(encoding="utf-8", errors="replace")
    sys.exit(main())
