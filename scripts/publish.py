"""Publish a change without downtime: the running Rasa loads the newest model
and the running action server reloads the registry, places and knowledge.

`make publish` runs this after `make train`. Conversations go on: Rasa keeps
them in its tracker store, and the action server answers with the old data
until the new has loaded and validated.

Usage: python scripts/publish.py [--model PATH] [--only rasa|actions]
Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.cli_common import SwedishParser  # noqa: E402  (standard library only)

MODEL = ROOT / "models" / "rasa" / "servicelotsen.tar.gz"


def _request(
    url: str, method: str, body: object | None = None, token: str | None = None
) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def publish_model(model: Path, env: dict[str, str]) -> bool:
    """Ask the running Rasa to load `model` (Rasa's HTTP API: PUT /model)."""
    url = f"http://127.0.0.1:{env.get('RASA_PORT', '5005')}/model"
    token = env.get("SERVICELOTSEN_AUTH_TOKEN")
    if token:
        url += "?" + urllib.parse.urlencode({"token": token})
    try:
        status, text = _request(url, "PUT", {"model_file": str(model.resolve())})
    except OSError as exc:
        print(f"Rasa svarar inte ({exc}). Är `make run` igång?", file=sys.stderr)
        return False
    if status != 204:
        print(f"Rasa kunde inte ladda modellen (HTTP {status}): {text}", file=sys.stderr)
        return False
    print(f"Rasa använder nu {model}.")
    return True


def reload_actions(env: dict[str, str]) -> bool:
    """Ask the running action server to reload its data (POST /reload)."""
    url = f"http://127.0.0.1:{env.get('ACTIONS_PORT', '5055')}/reload"
    try:
        status, text = _request(
            url, "POST", {}, token=env.get("SERVICELOTSEN_ACTIONS_TOKEN")
        )
    except OSError as exc:
        print(f"Actionservern svarar inte ({exc}). Är `make run` igång?", file=sys.stderr)
        return False
    if status != 200:
        print(
            f"Actionservern kunde inte läsa in de nya uppgifterna (HTTP {status}); "
            f"den fortsätter med de gamla. Svar: {text}",
            file=sys.stderr,
        )
        return False
    counts = json.loads(text)
    print(
        "Actionservern har läst in uppgifterna igen: "
        f"{counts['service_points']} servicepunkter, "
        f"{counts['knowledge_entries']} kunskapsposter."
    )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = SwedishParser(
        prog="make publish",
        description="Publicera en ändring utan omstart: den körande Rasa läser in "
        "den nyaste modellen och actionservern läser om registret, orterna och "
        "kunskapen. Samtalen fortsätter.",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=MODEL,
        help="modellen som publiceras (standard: models/rasa/servicelotsen.tar.gz)",
    )
    parser.add_argument(
        "--only",
        choices=["rasa", "actions"],
        help="bara Rasa (modellen) eller bara actionservern (data)",
    )
    args = parser.parse_args(argv)
    env = dict(os.environ)
    ok = True
    if args.only in (None, "rasa"):
        if not args.model.is_file():
            print(f"Ingen modell i {args.model}: kör `make train`.", file=sys.stderr)
            return 1
        ok = publish_model(args.model, env) and ok
    if args.only in (None, "actions"):
        ok = reload_actions(env) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
