"""`make cluster`: Servicelotsen on several Rasa instances, on one machine.

Two Rasa instances (shared PostgreSQL tracker store, Redis lock store) and two
action servers, the web front, and nginx in front of them all on the ports of
`make run` (RASA_PORT, ACTIONS_PORT, WEB_PORT); the instances listen on
internal ports. nginx routes every conversation to one Rasa instance (see
deploy/nginx/servicelotsen.conf and docs/drift.md for why).

The configuration is the one for real hosts (deploy/, docs/drift.md): this
script only fills in one machine's addresses and runs nginx as the current
user with everything under var/cluster/.

Standard library only (like scripts/stack.py, whose supervisor it uses).

Usage:
    python scripts/cluster.py                 # start the cluster; Ctrl-C stops it
    python scripts/cluster.py nginx-config --rasa app1:5005 --rasa app2:5005 \\
        --actions app1:5055 --actions app2:5055 --web app1:8080 --listen 10.0.0.10
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in {None, ""}:  # run as a script: make `scripts.stack` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.stack import (
    MODEL,
    ROOT,
    Service,
    Stack,
    StartupError,
    Wording,
    actions_service,
    die_with_parent,
    rasa_service,
    serve,
    stack_env,
    web_service,
)

CLUSTER_DIR = ROOT / "var" / "cluster"
CLUSTER_LOG_DIR = ROOT / "var" / "log" / "cluster"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "servicelotsen.conf"
ENDPOINTS = "deploy/endpoints.cluster.yml"

#: The cluster's settings beyond `make run`'s (docs/drift.md); the environment wins.
CLUSTER_DEFAULTS: Mapping[str, str] = {
    "SERVICELOTSEN_INSTANCES": "2",
    "SERVICELOTSEN_PG_HOST": "127.0.0.1",
    "SERVICELOTSEN_PG_PORT": "5432",
    "SERVICELOTSEN_PG_DB": "servicelotsen",
    "SERVICELOTSEN_PG_USER": "postgres",
    "SERVICELOTSEN_PG_PASSWORD": "",
    "SERVICELOTSEN_REDIS_HOST": "127.0.0.1",
    "SERVICELOTSEN_REDIS_PORT": "6379",
    "SERVICELOTSEN_REDIS_DB": "1",
    "SERVICELOTSEN_REDIS_PASSWORD": "",
    "SERVICELOTSEN_REDIS_PREFIX": "servicelotsen",
    # Rasa's own: how long a conversation's lock ticket lives. A ticket left by an
    # instance that died blocks its conversation until then; a turn taking longer
    # loses its lock. Below the web front's 30 s wait.
    "TICKET_LOCK_LIFETIME": "20",
    # the web front sits behind nginx on this machine
    "SERVICELOTSEN_TRUSTED_PROXIES": "127.0.0.1",
    # Rasa reports usage and crashes to its makers unless told not to
    "RASA_TELEMETRY_ENABLED": "false",
    "SERVICELOTSEN_LISTEN": "127.0.0.1",
}
#: nginx's verdict on an instance: one failure and it rests for 10 s.
SERVER_PARAMS = "max_fails=1 fail_timeout=10s"
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def cluster_env(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """`make run`'s environment plus the cluster's settings."""
    env = stack_env(overrides)
    for key, value in CLUSTER_DEFAULTS.items():
        env.setdefault(key, value)
    env.setdefault(
        "SERVICELOTSEN_ACTIONS_URL", f"http://127.0.0.1:{env['ACTIONS_PORT']}/webhook"
    )
    return env


def _port(value: str, name: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise StartupError(f"{name}={value!r} är inget portnummer (1–65535).")
    return port


def _ports(
    env: Mapping[str, str], name: str, first: int, count: int
) -> tuple[int, ...]:
    listed = env.get(name, "").strip()
    if not listed:
        return tuple(first + i for i in range(count))
    ports = tuple(_port(p, name) for p in re.split(r"[\s,]+", listed) if p)
    if len(ports) != count:
        raise StartupError(
            f"{name} ska ha {count} portar (en per instans), inte {len(ports)}."
        )
    return ports


@dataclass(frozen=True)
class ClusterLayout:
    """Who listens where: nginx on the public ports, the instances behind it."""

    listen: str
    rasa_port: int
    actions_port: int
    web_port: int
    rasa_ports: tuple[int, ...]
    actions_ports: tuple[int, ...]
    web_ports: tuple[int, ...]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ClusterLayout:
        """Public ports from RASA_PORT, ACTIONS_PORT, WEB_PORT; internal ones 100
        above them (one per instance) unless SERVICELOTSEN_CLUSTER_*_PORTS say.

        Raises:
            StartupError: a value is not usable (the message names it).
        """
        try:
            count = int(env.get("SERVICELOTSEN_INSTANCES", "2"))
        except ValueError:
            count = 0
        if not 1 <= count <= 9:
            raise StartupError(
                "SERVICELOTSEN_INSTANCES ska vara ett tal från 1 till 9."
            )
        rasa = _port(env["RASA_PORT"], "RASA_PORT")
        actions = _port(env["ACTIONS_PORT"], "ACTIONS_PORT")
        web = _port(env["WEB_PORT"], "WEB_PORT")
        return cls(
            listen=env.get("SERVICELOTSEN_LISTEN", "127.0.0.1"),
            rasa_port=rasa,
            actions_port=actions,
            web_port=web,
            rasa_ports=_ports(
                env, "SERVICELOTSEN_CLUSTER_RASA_PORTS", rasa + 100, count
            ),
            actions_ports=_ports(
                env, "SERVICELOTSEN_CLUSTER_ACTIONS_PORTS", actions + 100, count
            ),
            web_ports=_ports(env, "SERVICELOTSEN_CLUSTER_WEB_PORTS", web + 100, 1),
        )


# --- nginx ---------------------------------------------------------------------------


def server_lines(addresses: Sequence[str], params: str = SERVER_PARAMS) -> str:
    """`server host:port …;` lines for an upstream block."""
    if not addresses:
        raise StartupError("Ett upstream-block behöver minst en adress.")
    return "\n".join(f"    server {address} {params};" for address in addresses)


def render_nginx_config(values: Mapping[str, str], template: str | None = None) -> str:
    """deploy/nginx/servicelotsen.conf with its ${...} placeholders filled in.

    Raises:
        StartupError: a placeholder has no value.
    """
    text = NGINX_TEMPLATE.read_text(encoding="utf-8") if template is None else template
    missing = sorted({m for m in _PLACEHOLDER.findall(text) if m not in values})
    if missing:
        raise StartupError(f"nginx-mallen saknar värden för {', '.join(missing)}.")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def nginx_values(layout: ClusterLayout, access_log: str) -> dict[str, str]:
    """The template's values for this machine's layout."""
    return {
        "SERVICELOTSEN_LISTEN": layout.listen,
        "RASA_PORT": str(layout.rasa_port),
        "ACTIONS_PORT": str(layout.actions_port),
        "WEB_PORT": str(layout.web_port),
        "SERVICELOTSEN_ACCESS_LOG": access_log,
        "SERVICELOTSEN_RASA_SERVERS": server_lines(
            [f"127.0.0.1:{p}" for p in layout.rasa_ports]
        ),
        "SERVICELOTSEN_ACTIONS_SERVERS": server_lines(
            [f"127.0.0.1:{p}" for p in layout.actions_ports]
        ),
        "SERVICELOTSEN_WEB_SERVERS": server_lines(
            [f"127.0.0.1:{p}" for p in layout.web_ports]
        ),
    }


_LOCAL_MAIN = """\
# Written by scripts/cluster.py for `make cluster`: nginx as this user, all under {prefix}.
# On a real balancer Debian's /etc/nginx/nginx.conf takes this place (docs/drift.md).
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {error_log} warn;

events {{
    worker_connections 1024;
}}

http {{
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server_tokens off;
    include {conf};
}}
"""


def nginx_binary(env: Mapping[str, str]) -> str | None:
    """nginx from SERVICELOTSEN_NGINX, PATH or Debian's /usr/sbin."""
    named = env.get("SERVICELOTSEN_NGINX")
    if named:
        return named if os.access(named, os.X_OK) else None
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def write_nginx_files(
    layout: ClusterLayout, run_dir: Path, log_dir: Path
) -> tuple[Path, Path, Path]:
    """Render the config into `run_dir`; returns (main config, error log, access log)."""
    prefix = run_dir / "nginx"
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    error_log = log_dir / "nginx-error.log"
    access_log = log_dir / "nginx-access.log"
    conf = prefix / "servicelotsen.conf"
    conf.write_text(
        render_nginx_config(nginx_values(layout, str(access_log))), encoding="utf-8"
    )
    main = prefix / "nginx.conf"
    main.write_text(
        _LOCAL_MAIN.format(prefix=prefix, error_log=error_log, conf=conf),
        encoding="utf-8",
    )
    return main, error_log, access_log


def nginx_service(
    layout: ClusterLayout, env: Mapping[str, str], run_dir: Path, log_dir: Path
) -> Service:
    """nginx in the foreground with its config under `run_dir`, checked first.

    Raises:
        StartupError: nginx is missing or refuses the configuration.
    """
    binary = nginx_binary(env)
    if binary is None:
        raise StartupError(
            "nginx saknas. `make cluster` installerar Debians paket nginx; "
            "annars: apt-get install nginx (eller sätt SERVICELOTSEN_NGINX)."
        )
    main, error_log, _access = write_nginx_files(layout, run_dir, log_dir)
    argv = [binary, "-p", str(main.parent), "-c", str(main), "-e", str(error_log)]
    check = subprocess.run(
        [*argv, "-t", "-q"], capture_output=True, text=True, check=False
    )
    if check.returncode != 0:
        raise StartupError(
            f"nginx godtar inte konfigurationen i {main}:\n"
            f"{(check.stderr or check.stdout).strip()}"
        )
    host = "127.0.0.1" if layout.listen in {"0.0.0.0", "localhost"} else layout.listen
    return ClusterService(
        name="nginx",
        argv=argv,
        health_url=f"http://{host}:{layout.rasa_port}/balancer-health",
        log_path=log_dir / "nginx.log",
    )


# --- the instances -----------------------------------------------------------------


@dataclass
class ClusterService(Service):
    """A process of the cluster: its own environment on top of the stack's, and
    started again when it dies (as systemd's Restart=on-failure would)."""

    extra_env: Mapping[str, str] = field(default_factory=dict)
    restart: bool = True

    def start(self, env: Mapping[str, str]) -> None:
        super().start({**env, **self.extra_env})


def _instance(
    base: Service, name: str, log_path: Path, extra_env: Mapping[str, str]
) -> ClusterService:
    return ClusterService(
        name=name,
        argv=list(base.argv),
        health_url=base.health_url,
        log_path=log_path,
        extra_env=dict(extra_env),
    )


def cluster_services(
    env: Mapping[str, str],
    layout: ClusterLayout,
    *,
    model: Path = MODEL,
    run_dir: Path = CLUSTER_DIR,
    log_dir: Path = CLUSTER_LOG_DIR,
) -> list[Service]:
    """Action servers, Rasa instances, the web front and nginx, in start order.

    Raises:
        StartupError: a setting is not usable, or nginx is missing or refuses
            its configuration.
    """
    services: list[Service] = []
    for i, port in enumerate(layout.actions_ports, start=1):
        own = {**env, "ACTIONS_PORT": str(port)}
        services.append(
            _instance(
                actions_service(own, log_dir),
                f"action server {i}",
                log_dir / f"actions-{i}.log",
                {"ACTIONS_PORT": str(port)},
            )
        )
    for i, port in enumerate(layout.rasa_ports, start=1):
        own = {**env, "RASA_PORT": str(port)}
        base = rasa_service(own, model, log_dir)
        argv = list(base.argv)
        argv[argv.index("--endpoints") + 1] = ENDPOINTS
        base.argv = argv
        services.append(
            _instance(
                base, f"Rasa {i}", log_dir / f"rasa-{i}.log", {"RASA_PORT": str(port)}
            )
        )
    for i, port in enumerate(layout.web_ports, start=1):
        own = {**env, "WEB_PORT": str(port)}
        services.append(
            _instance(
                web_service(own, log_dir),
                "web front" if len(layout.web_ports) == 1 else f"web front {i}",
                log_dir / ("web.log" if len(layout.web_ports) == 1 else f"web-{i}.log"),
                {
                    "WEB_PORT": str(port),
                    # through nginx, which keeps each conversation on one instance
                    "RASA_URL": f"http://127.0.0.1:{layout.rasa_port}",
                },
            )
        )
    services.append(nginx_service(layout, env, run_dir, log_dir))
    return services


# --- what the cluster needs before it starts ---------------------------------------------


def redis_problem(env: Mapping[str, str], timeout: float = 3.0) -> str | None:
    """None when Redis answers PING at SERVICELOTSEN_REDIS_HOST:PORT, else why not."""
    host = env["SERVICELOTSEN_REDIS_HOST"]
    port = env["SERVICELOTSEN_REDIS_PORT"]
    password = env.get("SERVICELOTSEN_REDIS_PASSWORD", "")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as sock:
            commands = b""
            if password:
                pw = password.encode()
                commands += b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(pw), pw)
            commands += b"*1\r\n$4\r\nPING\r\n"
            sock.sendall(commands)
            answer = b""
            while b"PONG" not in answer and b"-" not in answer[:1]:
                chunk = sock.recv(256)
                if not chunk:
                    break
                answer += chunk
    except (OSError, ValueError) as exc:
        return f"Redis svarar inte på {host}:{port} ({exc})."
    if b"PONG" not in answer:
        first = answer.decode(errors="replace").strip().splitlines()[:1]
        return f"Redis på {host}:{port} svarar inte på PING: {first[0] if first else 'inget svar'}"
    return None


def _psql(
    env: Mapping[str, str], sql: str, **variables: str
) -> subprocess.CompletedProcess[str]:
    psql = shutil.which("psql") or "psql"
    argv = [
        psql,
        "-X",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        env["SERVICELOTSEN_PG_HOST"],
        "-p",
        env["SERVICELOTSEN_PG_PORT"],
        "-U",
        env["SERVICELOTSEN_PG_USER"],
        "-d",
        "postgres",
    ]
    for key, value in variables.items():
        argv += ["-v", f"{key}={value}"]
    child_env = dict(os.environ)
    child_env["PGCONNECT_TIMEOUT"] = "5"
    if env.get("SERVICELOTSEN_PG_PASSWORD"):
        child_env["PGPASSWORD"] = env["SERVICELOTSEN_PG_PASSWORD"]
    # -c cannot interpolate psql variables; standard input can
    return subprocess.run(
        argv, input=sql, capture_output=True, text=True, env=child_env, check=False
    )


def postgres_problem(env: Mapping[str, str]) -> str | None:
    """None when PostgreSQL answers and the tracker database exists (it is
    created when missing); else why not. Needs psql (Debian: postgresql-client).
    """
    where = f"{env['SERVICELOTSEN_PG_HOST']}:{env['SERVICELOTSEN_PG_PORT']}"
    db = env["SERVICELOTSEN_PG_DB"]
    if shutil.which("psql") is None:
        return (
            "psql saknas (Debian: postgresql-client), så databasen kan inte "
            "kontrolleras. Installera det, eller skapa databasen själv (docs/drift.md)."
        )
    found = _psql(env, "SELECT 1 FROM pg_database WHERE datname = :'db';\n", db=db)
    if found.returncode != 0:
        return f"PostgreSQL svarar inte på {where}: {found.stderr.strip()}"
    if found.stdout.strip() == "1":
        return None
    made = _psql(env, 'CREATE DATABASE :"db";\n', db=db)
    if made.returncode != 0 and "already exists" not in made.stderr:
        return f"Databasen {db} kunde inte skapas på {where}: {made.stderr.strip()}"
    return None


# --- running --------------------------------------------------------------------------


def _banner(stack: Stack, layout: ClusterLayout) -> str:
    env = stack.env
    host = layout.listen
    rasa = ", ".join(str(p) for p in layout.rasa_ports)
    actions = ", ".join(str(p) for p in layout.actions_ports)
    return "\n".join(
        [
            "",
            f"Servicelotsen körs som kluster ({len(layout.rasa_ports)} Rasa-instanser) "
            f"bakom nginx på {host}:",
            f"  Chattsidan:      http://{host}:{layout.web_port}/",
            f"  Rasa REST:       http://{host}:{layout.rasa_port}/webhooks/rest/webhook",
            f"  Rasa socket.io:  http://{host}:{layout.rasa_port}/socket.io",
            f"  Rasa HTTP-API:   http://{host}:{layout.rasa_port}/model/parse",
            f"  Actionservrar:   http://{host}:{layout.actions_port}/health",
            f"  Internt:         Rasa {rasa}, actionservrar {actions}, "
            f"webb {layout.web_ports[0]}",
            f"  Samtal:          PostgreSQL {env['SERVICELOTSEN_PG_HOST']}:"
            f"{env['SERVICELOTSEN_PG_PORT']}/{env['SERVICELOTSEN_PG_DB']}",
            f"  Lås:             Redis {env['SERVICELOTSEN_REDIS_HOST']}:"
            f"{env['SERVICELOTSEN_REDIS_PORT']} db {env['SERVICELOTSEN_REDIS_DB']}",
            f"  Loggar:          {CLUSTER_LOG_DIR}",
            "",
            "En instans som stannar startas igen; under tiden svarar de andra.",
            "Stoppa med Ctrl-C.",
        ]
    )


def run_cluster(env: dict[str, str]) -> int:
    """`make cluster`: check, then `make run`'s supervision loop (`serve`), whose
    `watch` starts a dying instance again (`ClusterService.restart`)."""
    die_with_parent()
    if not MODEL.is_file():
        print(f"Ingen tränad modell i {MODEL}: kör `make train`.", file=sys.stderr)
        return 1
    try:
        layout = ClusterLayout.from_env(env)
        for problem in (redis_problem(env), postgres_problem(env)):
            if problem:
                raise StartupError(problem)
        stack = Stack(cluster_services(env, layout), env)
    except StartupError as exc:
        print(f"Klustret kan inte starta: {exc}", file=sys.stderr)
        return 2

    wording = Wording(
        starting="Startar klustret (två Rasa-instanser tar en till två minuter) …",
        stopping="Stänger av klustret …",
        failed="Klustret kunde inte starta",
    )
    return serve(stack, lambda s: _banner(s, layout), wording, timeout=360)


def print_nginx_config(args: argparse.Namespace) -> int:
    """`nginx-config`: the balancer's file for real hosts, on standard output."""
    values = {
        "SERVICELOTSEN_LISTEN": args.listen,
        "RASA_PORT": str(args.rasa_port),
        "ACTIONS_PORT": str(args.actions_port),
        "WEB_PORT": str(args.web_port),
        "SERVICELOTSEN_ACCESS_LOG": args.access_log,
    }
    try:
        values["SERVICELOTSEN_RASA_SERVERS"] = server_lines(args.rasa)
        values["SERVICELOTSEN_ACTIONS_SERVERS"] = server_lines(args.actions)
        values["SERVICELOTSEN_WEB_SERVERS"] = server_lines(args.web)
        sys.stdout.write(render_nginx_config(values))
    except StartupError as exc:
        print(f"nginx-config: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Servicelotsen on several Rasa instances"
    )
    sub = parser.add_subparsers(dest="what")
    sub.add_parser("run", help="start the cluster on this machine (the default)")
    cfg = sub.add_parser("nginx-config", help="print the balancer's nginx file")
    cfg.add_argument("--rasa", action="append", default=[], metavar="HOST:PORT")
    cfg.add_argument("--actions", action="append", default=[], metavar="HOST:PORT")
    cfg.add_argument("--web", action="append", default=[], metavar="HOST:PORT")
    cfg.add_argument("--listen", default="127.0.0.1", help="the balancer's address")
    cfg.add_argument("--rasa-port", type=int, default=5005)
    cfg.add_argument("--actions-port", type=int, default=5055)
    cfg.add_argument("--web-port", type=int, default=8080)
    cfg.add_argument("--access-log", default="/var/log/nginx/servicelotsen.access.log")
    args = parser.parse_args(argv)
    if args.what == "nginx-config":
        return print_nginx_config(args)
    os.chdir(ROOT)
    return run_cluster(cluster_env())


if __name__ == "__main__":
    sys.exit(main())
