"""The multi-instance deployment, started once per module, on real servers.

The cluster of `make cluster` (scripts/cluster.py: two Rasa instances, two
action servers, the web front and nginx) runs on free ports against a Redis
server and a PostgreSQL server of its own, started here from the machine's
binaries, so the fault tests can stop and start them. Skipped, with the reason,
only where those servers' programs are not installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Any

import pytest

from scripts.cluster import (
    ClusterLayout,
    ClusterService,
    cluster_env,
    cluster_services,
    nginx_binary,
    postgres_problem,
    redis_problem,
)
from scripts.stack import MODEL, ROOT, Service, Stack

RESULTS = ROOT / "var" / "results" / "cluster"
REGISTRY = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _pg_user() -> str | None:
    """Who runs the private PostgreSQL: we, unless we are root (it refuses)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return ""
    return "postgres"


class ProbedService(ClusterService):
    """A server without an HTTP health URL: ready when `ready()` says so."""

    ready_check: Any = None

    def healthy(self) -> bool:
        return bool(self.ready_check and self.ready_check())


@dataclass
class Servers:
    """The Redis and PostgreSQL servers of the test cluster."""

    env: dict[str, str]
    redis: ProbedService
    postgres: ProbedService

    def wait(self, service: ProbedService, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not service.healthy():
            if not service.alive():
                raise RuntimeError(f"{service.name} stopped:\n{service.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{service.name} not ready:\n{service.log_tail()}")
            time.sleep(0.2)

    def stop_redis(self) -> None:
        self.redis.stop()

    def start_redis(self) -> None:
        self.redis.start(self.env)
        self.wait(self.redis)

    def stop_postgres(self) -> None:
        """A fast shutdown (SIGINT): sessions are cut, as when a database restarts."""
        proc = self.postgres.process
        assert proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        proc.wait(30)
        self.postgres.process = None

    def start_postgres(self) -> None:
        self.postgres.start(self.env)
        self.wait(self.postgres)


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    redis_server = shutil.which("redis-server")
    initdb, postgres = _pg_bin("initdb"), _pg_bin("postgres")
    missing = [
        name
        for name, path in (
            ("redis-server", redis_server),
            ("initdb", initdb),
            ("postgres", postgres),
        )
        if path is None
    ]
    if missing:
        pytest.skip(
            "Redis or PostgreSQL is not installed here (missing: "
            + ", ".join(missing)
            + "): the cluster tests need the real servers."
        )
    run_as = _pg_user()
    if run_as == "":
        pytest.skip("PostgreSQL cannot run as root and there is no 'postgres' user.")
    assert redis_server and initdb and postgres
    # not under pytest's own temporary folder: the postgres user cannot enter it
    tmp = Path(tempfile.mkdtemp(prefix="servicelotsen-servers-"))
    pgdata = tmp / "pgdata"
    sockets = tmp / "pgsock"
    sockets.mkdir()
    owner = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
    prefix = owner if run_as else []
    if run_as:
        shutil.chown(tmp, user="postgres")
        shutil.chown(sockets, user="postgres")
    made = subprocess.run(
        [
            *prefix,
            initdb,
            "-D",
            str(pgdata),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    env = cluster_env(
        {
            "SERVICELOTSEN_REDIS_PORT": str(free_port()),
            "SERVICELOTSEN_REDIS_DB": "0",
            "SERVICELOTSEN_REDIS_PREFIX": "clustertest",
            "SERVICELOTSEN_PG_PORT": str(free_port()),
            "SERVICELOTSEN_PG_DB": "servicelotsen_test",
        }
    )
    redis = ProbedService(
        name="Redis",
        argv=[
            redis_server,
            "--port",
            env["SERVICELOTSEN_REDIS_PORT"],
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        health_url="",
        log_path=tmp / "redis.log",
    )
    redis.ready_check = lambda: redis_problem(env, timeout=1) is None
    pg = ProbedService(
        name="PostgreSQL",
        argv=[
            *prefix,
            postgres,
            "-D",
            str(pgdata),
            "-p",
            env["SERVICELOTSEN_PG_PORT"],
            "-k",
            str(sockets),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ],
        health_url="",
        log_path=tmp / "postgres.log",
    )
    pg.ready_check = lambda: _pg_ready(env)
    servers = Servers(env, redis, pg)
    try:
        servers.start_redis()
        servers.start_postgres()
        problem = postgres_problem(env)  # creates the database, as `make cluster` does
        assert problem is None, problem
        yield servers
    finally:
        redis.stop()
        pg.stop(timeout=15)
        shutil.rmtree(tmp, ignore_errors=True)


def _pg_ready(env: Mapping[str, str]) -> bool:
    try:
        with socket.create_connection(
            ("127.0.0.1", int(env["SERVICELOTSEN_PG_PORT"])), timeout=1
        ):
            pass
    except OSError:
        return False
    done = subprocess.run(
        [
            shutil.which("pg_isready") or _pg_bin("pg_isready") or "pg_isready",
            "-h",
            "127.0.0.1",
            "-p",
            env["SERVICELOTSEN_PG_PORT"],
            "-q",
        ],
        check=False,
    )
    return done.returncode == 0


@dataclass
class Cluster:
    """A running cluster: where to reach nginx and each instance."""

    stack: Stack
    layout: ClusterLayout
    servers: Servers
    log_dir: Path

    @property
    def env(self) -> dict[str, str]:
        return self.stack.env

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.layout.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.layout.web_port}"

    def instance_url(self, number: int) -> str:
        """Rasa instance 1 or 2 directly, past the balancer."""
        return f"http://127.0.0.1:{self.layout.rasa_ports[number - 1]}"

    def upstream(self, number: int) -> str:
        return f"127.0.0.1:{self.layout.rasa_ports[number - 1]}"

    def rasa(self, number: int) -> Service:
        return self.stack.by_name(f"Rasa {number}")

    @property
    def access_log(self) -> Path:
        return self.log_dir / "nginx-access.log"

    def access_lines(self, since: int = 0) -> list[str]:
        """nginx's access log from byte `since` on."""
        with self.access_log.open("rb") as f:
            f.seek(since)
            return f.read().decode(errors="replace").splitlines()

    def access_size(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def psql(self, sql: str) -> list[str]:
        """Rows of `sql` against the tracker database, one line each."""
        env = self.env
        done = subprocess.run(
            [
                shutil.which("psql") or "psql",
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                env["SERVICELOTSEN_PG_PORT"],
                "-U",
                "postgres",
                "-d",
                env["SERVICELOTSEN_PG_DB"],
            ],
            input=sql,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return [line for line in done.stdout.splitlines() if line]

    def stored_events(self, prefix: str) -> dict[str, list[dict[str, Any]]]:
        """The tracker store's events of every conversation whose id starts with
        `prefix`, in the order Rasa reads them (by id)."""
        safe = prefix.replace("'", "''")
        rows = self.psql(
            "SELECT json_build_object('sender', sender_id, 'type', type_name, "
            "'text', data::json->>'text', 'action', action_name) FROM events "
            f"WHERE sender_id LIKE '{safe}%' ORDER BY id;\n"
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            event = json.loads(row)
            out.setdefault(event["sender"], []).append(event)
        return out

    def stored_user_texts(self, prefix: str) -> dict[str, list[str]]:
        return {
            sender: [e["text"] for e in events if e["type"] == "user"]
            for sender, events in self.stored_events(prefix).items()
        }


def post_json(
    url: str,
    payload: Any,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, Any, Mapping[str, str]]:
    """POST JSON; (status, decoded body, response headers)."""
    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null"), dict(resp.headers)
    except urllib.error.HTTPError as err:
        body = err.read()
        try:
            decoded = json.loads(body or b"null")
        except ValueError:
            decoded = body.decode(errors="replace")
        return err.code, decoded, dict(err.headers)


def get_json(url: str, timeout: float = 30) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def say(url: str, sender: str, text: str, **headers: str) -> tuple[int, str]:
    """One REST turn: (status, the reply texts joined)."""
    status, body, _ = post_json(
        f"{url}/webhooks/rest/webhook", {"sender": sender, "message": text}, headers
    )
    if not isinstance(body, list):
        return status, str(body)
    return status, "\n".join(str(m.get("text", "")) for m in body)


@pytest.fixture(scope="module")
def cluster(servers: Servers) -> Iterator[Cluster]:
    if not MODEL.is_file():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    if nginx_binary(servers.env) is None:
        pytest.fail(
            "nginx is missing: `make test` installs Debian's package (make nginx)."
        )
    env = dict(servers.env)
    env.update(
        {
            "RASA_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "WEB_PORT": str(free_port()),
            "SERVICELOTSEN_CLUSTER_RASA_PORTS": f"{free_port()},{free_port()}",
            "SERVICELOTSEN_CLUSTER_ACTIONS_PORTS": f"{free_port()},{free_port()}",
            "SERVICELOTSEN_CLUSTER_WEB_PORTS": str(free_port()),
            "SERVICELOTSEN_REGISTRY": str(REGISTRY),
        }
    )
    env["SERVICELOTSEN_ACTIONS_URL"] = f"http://127.0.0.1:{env['ACTIONS_PORT']}/webhook"
    layout = ClusterLayout.from_env(env)
    # kept after the run (var/ is not committed), for a look when a test failed
    log_dir = ROOT / "var" / "log" / "cluster-tests"
    shutil.rmtree(log_dir, ignore_errors=True)
    # nginx's workers (user nobody when we are root) must reach their temporary files
    run_dir = ROOT / "var" / "cluster-tests"
    stack = Stack(cluster_services(env, layout, run_dir=run_dir, log_dir=log_dir), env)
    stack.start(timeout=420)
    try:
        yield Cluster(stack, layout, servers, log_dir)
    finally:
        stack.stop()


def write_result(name: str, data: Any) -> Path:
    """Keep a test's figures in var/results/cluster/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path
