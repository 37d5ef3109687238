"""Start, watch and stop Servicelotsen's processes (used by `make run`, `make shell` and the tests).

Standard library only, so it runs under either virtual environment.

Every process is started in its own process group and with a parent-death
signal, so Ctrl-C, SIGTERM or the death of this supervisor stops all of them
and their workers: no orphans.

Usage:
    python scripts/stack.py run            # action server + Rasa + the chat page
    python scripts/stack.py shell          # rasa shell (+ an action server if none runs)
    python scripts/stack.py actions        # only the action server
    python scripts/stack.py cluster        # several Rasa instances behind nginx (scripts/cluster.py)
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
RASA_VENV = ROOT / ".venv-rasa"
ACTIONS_VENV = ROOT / ".venv-actions"
MODEL = ROOT / "models" / "rasa" / "servicelotsen.tar.gz"
LOG_DIR = ROOT / "var" / "log"

#: Environment every process gets; the contract's defaults (README, "Configuration").
DEFAULTS: Mapping[str, str] = {
    "RASA_PORT": "5005",
    "ACTIONS_PORT": "5055",
    "WEB_PORT": "8080",
    "SERVICELOTSEN_REGISTRY": "data/service_points/",
    "SERVICELOTSEN_TRACKER_DB": "var/tracker.db",
}
QUIET = {
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "PYTHONUNBUFFERED": "1",
    # Rasa reports usage and crashes to its makers unless told not to
    "RASA_TELEMETRY_ENABLED": "false",
}
_PR_SET_PDEATHSIG = 1

try:  # imported as scripts.stack (tests, cluster) or run as scripts/stack.py
    from scripts.rasa_guard import is_loopback, refusal
except ImportError:  # pragma: no cover
    from rasa_guard import is_loopback, refusal  # type: ignore[no-redef,import-not-found]



def stack_env(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the stack: the caller's, the defaults, then overrides."""
    env = dict(os.environ)
    for key, value in DEFAULTS.items():
        env.setdefault(key, value)
    env.update(QUIET)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p
    )
    if overrides:
        env.update(overrides)
    # rasa_sdk binds 0.0.0.0 unless told otherwise: loopback unless ACTIONS_HOST says
    env["SANIC_HOST"] = env.get("ACTIONS_HOST") or "127.0.0.1"
    # endpoints.yml hands it to Rasa as the action endpoint's token (empty: none)
    env.setdefault("SERVICELOTSEN_ACTIONS_TOKEN", "")
    return env


def _local_url(host: str, port: str, path: str = "/") -> str:
    """Where this machine reaches a server listening on `host`."""
    if host in {"", "0.0.0.0", "::", "[::]"} or is_loopback(host):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, their children, ...), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def die_with_parent() -> None:
    """In the child: get SIGTERM when the supervisor dies, whatever killed it."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Service:
    """One process of the stack, with the URL that tells it is ready."""

    name: str
    argv: Sequence[str]
    health_url: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    #: Started again when it dies (as systemd's Restart=on-failure would);
    #: `make cluster`'s instances do, `make run`'s processes do not.
    restart: bool = False
    restarts: list[float] = field(default_factory=list, repr=False)

    def start(self, env: Mapping[str, str]) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                list(self.argv),
                cwd=ROOT,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        finally:
            log.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as resp:
                return bool(resp.status == 200)
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM to the whole process group, SIGKILL after `timeout` seconds."""
        proc = self.process
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # workers that outlived their leader are still in the group
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        self.process = None

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def actions_service(env: Mapping[str, str], log_dir: Path = LOG_DIR) -> Service:
    port = env["ACTIONS_PORT"]
    return Service(
        name="action server",
        # Rasa SDK's server plus /reload, in one process (actions/server.py)
        argv=[str(ACTIONS_VENV / "bin" / "python"), "-m", "actions.server"],
        health_url=_local_url(env.get("SANIC_HOST", "127.0.0.1"), port, "/health"),
        log_path=log_dir / "actions.log",
    )


def rasa_service(
    env: Mapping[str, str], model: Path = MODEL, log_dir: Path = LOG_DIR
) -> Service:
    """Rasa with its HTTP API, on RASA_HOST (127.0.0.1).

    Raises:
        StartupError: RASA_HOST is not loopback and SERVICELOTSEN_AUTH_TOKEN is
            unset: the HTTP API (which can replace the model and read every
            conversation) would be open to the network.
    """
    port = env["RASA_PORT"]
    host = env.get("RASA_HOST") or "127.0.0.1"
    token = env.get("SERVICELOTSEN_AUTH_TOKEN")
    reason = refusal({**env, "RASA_HOST": host})
    if reason is not None:
        raise StartupError(reason)
    argv = [
        str(RASA_VENV / "bin" / "rasa"),
        "run",
        "--enable-api",
        "--interface",
        host,
        "--port",
        port,
        "--model",
        str(model),
        "--credentials",
        "credentials.yml",
        "--endpoints",
        "endpoints.yml",
    ]
    if token:
        argv += ["--auth-token", token]
    return Service(
        name="Rasa",
        argv=argv,
        health_url=_local_url(host, port),
        log_path=log_dir / "rasa.log",
    )


def web_service(env: Mapping[str, str], log_dir: Path = LOG_DIR) -> Service:
    """The residents' chat page (bot.web), talking to Rasa through REST."""
    port = env["WEB_PORT"]
    return Service(
        name="web front",
        argv=[
            str(ACTIONS_VENV / "bin" / "python"),
            "-m",
            "bot.web",
            "--host",
            "127.0.0.1",
            "--port",
            port,
        ],
        health_url=f"http://127.0.0.1:{port}/health",
        log_path=log_dir / "web.log",
    )


class StartupError(RuntimeError):
    """A process of the stack did not come up; the message says which and why."""


@dataclass
class Stack:
    """The processes of one running Servicelotsen, started and stopped together."""

    services: list[Service]
    env: dict[str, str]

    def start(self, timeout: float = 180.0) -> None:
        """Start every service, then wait until each answers its health check."""
        (ROOT / "var").mkdir(exist_ok=True)
        try:
            for service in self.services:
                service.start(self.env)
            self.wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(self.services)
        while pending:
            for service in list(pending):
                if not service.alive():
                    raise StartupError(
                        f"{service.name} stopped while starting. "
                        f"Last lines of {service.log_path}:\n{service.log_tail()}"
                    )
                if service.healthy():
                    pending.remove(service)
            if pending and time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                raise StartupError(
                    f"{names} did not answer within {timeout:.0f} s. "
                    f"See the logs in {LOG_DIR}."
                )
            if pending:
                time.sleep(0.5)

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def by_name(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)


@contextlib.contextmanager
def running(stack: Stack, timeout: float = 180.0) -> Iterator[Stack]:
    stack.start(timeout)
    try:
        yield stack
    finally:
        stack.stop()


def install_signal_handlers(on_signal: Callable[[int], None]) -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        on_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


class _Stop(Exception):
    pass


#: A process that dies more often than this is not started again.
MAX_RESTARTS = 3
RESTART_WINDOW = 600.0


def watch(stack: Stack, say: Callable[[str], None]) -> int:
    """Until a signal: start dead processes that may restart again; stop
    everything (returning 1) when one may not, or when it keeps dying."""
    while True:
        for service in stack.services:
            if service.alive():
                continue
            tail = f"Sista raderna i {service.log_path}:\n{service.log_tail()}"
            if not service.restart:
                say(f"\n{service.name} har stannat. Stänger av allt.\n{tail}")
                return 1
            now = time.monotonic()
            service.restarts[:] = [
                t for t in service.restarts if now - t < RESTART_WINDOW
            ]
            if len(service.restarts) >= MAX_RESTARTS:
                say(
                    f"\n{service.name} har stannat {MAX_RESTARTS + 1} gånger på "
                    f"{RESTART_WINDOW / 60:.0f} minuter. Stänger av allt.\n{tail}"
                )
                return 1
            service.restarts.append(now)
            say(
                f"\n{service.name} har stannat; startar den igen. De andra "
                f"instanserna svarar under tiden. Logg: {service.log_path}"
            )
            service.stop()
            service.start(stack.env)
        time.sleep(1)


@dataclass(frozen=True)
class Wording:
    """What the supervisor tells the terminal (`make run` and `make cluster`)."""

    starting: str = "Startar Servicelotsen (det tar ungefär en halv minut) …"
    stopping: str = "Stänger av Servicelotsen …"
    failed: str = "Servicelotsen kunde inte starta"


def serve(
    stack: Stack,
    banner: Callable[[Stack], str],
    wording: Wording = Wording(),
    timeout: float = 180.0,
) -> int:
    """Run the stack in the foreground until Ctrl-C/SIGTERM or a process dies
    (for good: `watch`). The one supervision loop of `make run` and `make cluster`."""
    die_with_parent()  # if `make` is killed, we are told too

    def raise_stop(_signum: int) -> None:
        raise _Stop

    install_signal_handlers(raise_stop)
    try:
        print(wording.starting, flush=True)
        stack.start(timeout)
        print(banner(stack), flush=True)
        return watch(stack, lambda text: print(text, file=sys.stderr, flush=True))
    except _Stop:
        print(f"\n{wording.stopping}", flush=True)
        return 0
    except StartupError as exc:
        print(f"\n{wording.failed}: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        print("Alla processer är stoppade.", flush=True)


def _run_banner(stack: Stack) -> str:
    env = stack.env
    lines = [
        "",
        "Servicelotsen är igång (bara på den här datorn, 127.0.0.1):",
        f"  Chattsidan:      http://127.0.0.1:{env['WEB_PORT']}/",
        f"  Rasa REST:       http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook",
        f"  Rasa socket.io:  http://127.0.0.1:{env['RASA_PORT']}/socket.io",
        f"  Rasa HTTP-API:   http://127.0.0.1:{env['RASA_PORT']}/model/parse"
        + (" (kräver token)" if env.get("SERVICELOTSEN_AUTH_TOKEN") else ""),
        f"  Actionservern:   http://127.0.0.1:{env['ACTIONS_PORT']}/health",
        f"  Loggar:          {LOG_DIR}",
        "",
        "Prova:  curl -s -X POST http://127.0.0.1:"
        + env["RASA_PORT"]
        + '/webhooks/rest/webhook -d \'{"sender": "test", "message": "hej"}\'',
        "Stoppa med Ctrl-C.",
    ]
    return "\n".join(lines)


def _actions_banner(stack: Stack) -> str:
    return f"Actionservern är igång på http://127.0.0.1:{stack.env['ACTIONS_PORT']}."


def _terminal_alive() -> bool:
    """True while standard input is a terminal that has not hung up."""
    try:
        os.tcgetpgrp(sys.stdin.fileno())
    except (OSError, ValueError):
        return False
    return True


def shell(env: dict[str, str], extra_args: Sequence[str] = ()) -> int:
    """`make shell`: rasa shell in this terminal, with an action server if none runs.

    rasa shell shares the terminal (Ctrl-C goes to it). When it ends, or when
    this supervisor is told to stop (SIGTERM, or SIGHUP when the terminal
    goes away: rasa shell itself ignores that), everything it started stops.
    """
    die_with_parent()
    actions = actions_service(env)
    started: Stack | None = None
    if not actions.healthy():
        started = Stack([actions], env)
        print("Startar actionservern …", flush=True)
        try:
            started.start(timeout=120)
        except StartupError as exc:
            print(f"Actionservern kunde inte starta: {exc}", file=sys.stderr)
            return 1
    argv = [
        str(RASA_VENV / "bin" / "rasa"),
        "shell",
        "--model",
        str(MODEL),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        "--port",
        env.get("SHELL_RASA_PORT", "5006"),
        "--quiet",
        *extra_args,
    ]
    print("Skriv till Servicelotsen. Avsluta med /stop.", flush=True)
    rasa = subprocess.Popen(argv, cwd=ROOT, env=env, preexec_fn=die_with_parent)

    stop_asked: list[float] = []

    def end_shell(_signum: int) -> None:
        stop_asked.append(time.monotonic())
        with contextlib.suppress(ProcessLookupError):
            rasa.terminate()

    install_signal_handlers(end_shell)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for rasa shell
    had_terminal = _terminal_alive()
    try:
        while True:
            try:
                return rasa.wait(timeout=1)
            except subprocess.TimeoutExpired:
                # A closed terminal reaches only make (which ignores it): notice it.
                if had_terminal and not stop_asked and not _terminal_alive():
                    end_shell(signal.SIGHUP)
                # rasa shell does not always honour SIGTERM: insist
                if stop_asked and time.monotonic() - stop_asked[0] > 3:
                    rasa.kill()
    finally:
        with contextlib.suppress(ProcessLookupError):
            rasa.kill()
        rasa.wait()
        if started is not None:
            started.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Servicelotsen's process supervisor")
    parser.add_argument("what", choices=["run", "actions", "shell", "cluster"])
    args, extra = parser.parse_known_args(argv)
    if args.what == "cluster":  # scripts/cluster.py builds on this module
        cluster = str(ROOT / "scripts" / "cluster.py")
        os.execv(sys.executable, [sys.executable, cluster, *extra])
    env = stack_env()
    if args.what == "shell":
        env["PYTHONWARNINGS"] = "ignore"
        return shell(env, extra)
    if args.what == "run":
        if not MODEL.is_file():
            print(f"Ingen tränad modell i {MODEL}: kör `make train`.", file=sys.stderr)
            return 1
        try:
            services = [actions_service(env), rasa_service(env), web_service(env)]
        except StartupError as exc:
            print(f"Servicelotsen kan inte starta: {exc}", file=sys.stderr)
            return 2
        return serve(Stack(services, env), _run_banner)
    stack = Stack([actions_service(env)], env)
    return serve(stack, _actions_banner)


if __name__ == "__main__":
    sys.exit(main())
