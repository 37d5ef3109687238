"""Refuse to start Rasa beyond loopback without SERVICELOTSEN_AUTH_TOKEN.

Rasa's HTTP API can replace the model and read every conversation. `make run`
(`scripts/stack.py`) and `make cluster` refuse to start it on an address other
machines reach unless the API has a token; the systemd unit
(`deploy/systemd/servicelotsen-rasa.service`) runs this script as
`ExecStartPre=`, so the rule holds however Rasa is started.

Usage (reads RASA_HOST and SERVICELOTSEN_AUTH_TOKEN from the environment)::

    python scripts/rasa_guard.py        # exit 0: fine; exit 1: refused, why on stderr

Standard library only: it runs before anything else is known to work.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping


def is_loopback(host: str) -> bool:
    """True for an address only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def refusal(env: Mapping[str, str]) -> str | None:
    """Why Rasa must not start with these settings (Swedish, then English), or None."""
    host = (env.get("RASA_HOST") or "127.0.0.1").strip()
    token = (env.get("SERVICELOTSEN_AUTH_TOKEN") or "").strip()
    if token in {"ÄNDRA", "CHANGE"}:
        return (
            "SERVICELOTSEN_AUTH_TOKEN är fortfarande exempelvärdet ÄNDRA. Sätt en lång "
            "slumpad sträng (openssl rand -hex 32).\n"
            "(SERVICELOTSEN_AUTH_TOKEN is still the example's placeholder.)"
        )
    if token or is_loopback(host):
        return None
    return (
        f"Rasa ska lyssna på {host} men SERVICELOTSEN_AUTH_TOKEN är inte satt. "
        "Rasas HTTP-API (som kan byta modell och läsa alla samtal) får inte nås "
        "utanför den här datorn utan token. Sätt SERVICELOTSEN_AUTH_TOKEN till en "
        "lång slumpad sträng, eller låt RASA_HOST vara 127.0.0.1.\n"
        f"(Rasa would listen on {host} with its HTTP API enabled and no token: "
        "set SERVICELOTSEN_AUTH_TOKEN or keep RASA_HOST on loopback.)"
    )


def main() -> int:
    """Exit 1 with the reason on stderr when Rasa must not start."""
    reason = refusal(os.environ)
    if reason is None:
        return 0
    print(f"Fel: {reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
