"""The multi-instance deployment on real Redis and PostgreSQL servers.

One cluster per module (conftest.py): two Rasa instances, two action servers,
the web front and nginx, the obviously fake test registry. The tests run in
file order; the last one kills a Rasa instance. Figures go to
var/results/cluster/ and are printed.

docs/drift.md describes what these tests found.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from channels.stores import store_down_text
from scripts.cluster_load import LoadResult, Turn, dialogue_for, run_load

from .conftest import Cluster, get_json, post_json, say, write_result

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

_LOG = re.compile(
    r'^(?P<time>\S+) (?P<id>\S+) "(?P<method>\S+) (?P<path>\S+)" (?P<status>\d+) '
    r"upstream=(?P<upstream>.*?) upstream_status="
)


def conversation(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:10]}"


def routed(cluster: Cluster, since: int) -> list[dict[str, str]]:
    """nginx's access log lines for Rasa's REST channel since byte `since`."""
    out = []
    for line in cluster.access_lines(since):
        match = _LOG.match(line)
        if match and match["path"] == "/webhooks/rest/webhook":
            out.append(match.groupdict())
    return out


def show(capsys: pytest.CaptureFixture[str], title: str, data: Any) -> None:
    with capsys.disabled():
        print(f"\n[cluster] {title}: {json.dumps(data, ensure_ascii=False)}")


def rasa_log_since(cluster: Cluster, sizes: dict[int, int]) -> str:
    text = ""
    for number, size in sizes.items():
        with cluster.rasa(number).log_path.open("rb") as f:
            f.seek(size)
            text += f.read().decode(errors="replace")
    return text


def rasa_log_sizes(cluster: Cluster) -> dict[int, int]:
    return {n: cluster.rasa(n).log_path.stat().st_size for n in (1, 2)}


# --- one conversation over both instances ------------------------------------------


def test_a_conversation_alternating_between_instances_keeps_order_and_slots(
    cluster: Cluster,
) -> None:
    me = conversation("alternate")
    script = [
        ("jag letar efter en matbutik", "Var är du?"),
        ("Rödeby", "Testbutik Rödeby"),
        ("och apotek då?", "från Rödeby"),
        ("finns det något paketombud i Eringsboda?", "Testombud Eringsboda"),
        ("och matbutik då?", "från Eringsboda"),
        ("visa fler", ""),
    ]
    for number, (text, expected) in enumerate(script):
        instance = cluster.instance_url(1 + number % 2)  # 1, 2, 1, 2, …
        status, reply = say(instance, me, text)
        assert status == 200, reply
        assert expected in reply, (number, text, reply)
    # both instances read the same conversation from PostgreSQL
    for number in (1, 2):
        tracker = get_json(f"{cluster.instance_url(number)}/conversations/{me}/tracker")
        assert tracker["slots"]["location"] == "Eringsboda"
        assert tracker["slots"]["service_type"] == "dagligvaror"
        assert tracker["slots"]["results_shown"] > 3  # "visa fler" moved on
    stored = cluster.stored_user_texts(me)[me]
    assert stored == [text for text, _ in script]


# --- the residents' doors: the web front and socket.io, through nginx --------------------


def test_the_web_front_talks_to_one_instance_per_conversation(cluster: Cluster) -> None:
    since = cluster.access_size()
    me = conversation("web")
    chat = f"{cluster.web_url}/api/chat"
    turns = [
        ("jag letar efter en matbutik", "Var är du?"),
        ("Tving", "Testbutik Tving"),
        ("och apotek då?", "från Tving"),
    ]
    for text, expected in turns:
        status, body, headers = post_json(chat, {"sender": me, "message": text})
        assert status == 200, body
        assert "X-Request-Id" in headers
        assert expected in json.dumps(body, ensure_ascii=False), body
    lines = routed(cluster, since)
    assert len(lines) == len(turns)
    assert len({line["upstream"] for line in lines}) == 1, lines  # sticky


class SocketIO:
    """Just enough of the socket.io protocol (Engine.IO 4, websocket) to chat."""

    def __init__(self, url: str, session_id: str) -> None:
        ws_url = (
            url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        )
        self.ws: ClientConnection = connect(ws_url, open_timeout=10)
        assert self._next().startswith("0")  # Engine.IO open
        self.ws.send("40")
        assert self._next().startswith("40")  # namespace connected
        self.session_id = session_id
        self._emit("session_request", {"session_id": session_id})
        event, data = self._event()
        assert event == "session_confirm" and data == session_id

    def _next(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            frame = self.ws.recv(timeout=left)
            text = frame if isinstance(frame, str) else frame.decode()
            if text == "2":  # ping
                self.ws.send("3")
                continue
            return text

    def _emit(self, event: str, data: Any) -> None:
        self.ws.send("42" + json.dumps([event, data]))

    def _event(self, timeout: float = 30) -> tuple[str, Any]:
        text = self._next(timeout)
        assert text.startswith("42"), text
        event, data = json.loads(text[2:])
        return str(event), data

    def say(self, message: str) -> str:
        self._emit("user_uttered", {"message": message, "session_id": self.session_id})
        self.events: list[Any] = []
        texts = []
        deadline = time.monotonic() + 30
        # the replies come as separate events; a short silence ends the turn
        while time.monotonic() < deadline:
            try:
                event, data = self._event(timeout=3 if texts else 30)
            except TimeoutError:
                break
            if event == "bot_uttered":
                self.events.append(data)
                texts.append(str(data.get("text", "")))
        return "\n".join(texts)

    def close(self) -> None:
        self.ws.close()


def test_socketio_through_the_balancer_keeps_the_conversation(cluster: Cluster) -> None:
    me = conversation("socketio")
    first = SocketIO(cluster.rasa_url, me)
    try:
        assert "Var är du?" in first.say("jag letar efter en matbutik")
        assert "Testbutik Jämjö" in first.say("Jämjö")
        # the list of places comes as a custom payload, as over REST
        assert any(e.get("custom", {}).get("type") == "places" for e in first.events)
    finally:
        first.close()
    # a new connection (a reloaded page) goes on with the same conversation
    again = SocketIO(cluster.rasa_url, me)
    try:
        assert "från Jämjö" in again.say("och apotek då?")
    finally:
        again.close()
    assert cluster.stored_user_texts(me)[me] == [
        "jag letar efter en matbutik",
        "Jämjö",
        "och apotek då?",
    ]


# --- Rasa's Redis lock race (RasaHQ/rasa#9213) --------------------------------------------


def _burst(calls: list[Callable[[], tuple[int, str]]]) -> list[tuple[int, str]]:
    """Turns sent at the same moment, one thread each."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[int, str]] = [(0, "")] * len(calls)

    def run(i: int, call: Callable[[], tuple[int, str]]) -> None:
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


#: A burst: four messages of one conversation at once (a resident clicking twice
#: in two tabs, a client retrying), alternating between the instances when split.
BURST = ("hej", "tack", "hej", "tack")


def _race_round(
    cluster: Cluster, *, sticky: bool, conversations: int, bursts: int
) -> dict[str, int]:
    """`conversations` conversations at once, each sending `bursts` bursts: all
    through nginx (sticky), or alternately straight to instance 1 and 2.
    Returns what went wrong, counted against the tracker store."""
    prefix = conversation("race-sticky" if sticky else "race-split")
    sent: dict[str, list[tuple[str, int, str]]] = {}

    def talk(sender: str) -> None:
        mine: list[tuple[str, int, str]] = []

        def call(number: int, text: str) -> Callable[[], tuple[int, str]]:
            if sticky:
                return lambda: say(
                    cluster.rasa_url, sender, text, **{"X-Conversation-Id": sender}
                )
            return lambda: say(cluster.instance_url(1 + number % 2), sender, text)

        for _ in range(bursts):
            answers = _burst([call(n, text) for n, text in enumerate(BURST)])
            mine += [
                (text, status, reply)
                for text, (status, reply) in zip(BURST, answers, strict=True)
            ]
        sent[sender] = mine

    threads = [
        threading.Thread(target=talk, args=(f"{prefix}-{n:02d}",))
        for n in range(conversations)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    events = cluster.stored_events(prefix)
    counts = Counter[str]()
    for sender, turns in sent.items():
        stored_events = events.get(sender, [])
        stored = Counter(e["text"] for e in stored_events if e["type"] == "user")
        answered = Counter(
            text
            for text, status, reply in turns
            if status == 200 and "tekniskt fel" not in reply
        )
        total = Counter(text for text, _, _ in turns)
        counts["turns"] += len(turns)
        counts["errors"] += sum(total.values()) - sum(answered.values())
        counts["answered_not_stored"] += sum((answered - stored).values())
        counts["stored_twice"] += sum((stored - total).values())
        # two user messages with no action between: handled at the same time
        kinds = [e["type"] for e in stored_events if e["type"] in {"user", "action"}]
        counts["overlapping"] += sum(
            1 for a, b in itertools.pairwise(kinds) if a == b == "user"
        )
    counts["anomalies"] = (
        counts["errors"]
        + counts["answered_not_stored"]
        + counts["stored_twice"]
        + counts["overlapping"]
    )
    return dict(counts)


def test_sticky_routing_avoids_the_redis_lock_race_9213(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rasa's RedisLockStore issues tickets by read-modify-write (GET, change,
    SET) with no transaction. Two instances taking a ticket for one
    conversation at the same moment can both get it (both handle the turn, one
    turn's events are lost) or overwrite each other's ticket (a turn fails
    with a LockError or waits for an expired ticket). Within one process the
    same steps run without an await between them, so they cannot interleave.

    Control: bursts of messages of one conversation sent at the same moment
    to both instances show the race. Then the same bursts through nginx,
    which sends each conversation to one instance: no anomaly at all.
    """
    split: dict[str, int] = Counter()
    rounds = 0
    while rounds < 6 and split.get("anomalies", 0) == 0:
        split = Counter(split) + Counter(
            _race_round(cluster, sticky=False, conversations=10, bursts=2)
        )
        rounds += 1
    sticky = _race_round(cluster, sticky=True, conversations=10, bursts=2 * rounds)
    result = {"split_between_instances": dict(split), "sticky_through_nginx": sticky}
    write_result("race-9213", result)
    show(capsys, "RasaHQ/rasa#9213", result)
    assert split.get("anomalies", 0) > 0, (
        "The race did not show when a conversation's messages went to both instances "
        f"at once ({split}); without it the sticky result below proves nothing."
    )
    assert sticky["anomalies"] == 0, sticky
    assert sticky["turns"] >= split["turns"]


# --- 50 conversations for a minute ------------------------------------------------------


def check_against_store(
    cluster: Cluster, result: LoadResult, prefix: str
) -> dict[str, int]:
    """Every answered turn stored once, in the order sent; a failed turn stored
    at most once; nothing else stored. Returns counts of what is wrong."""
    events = cluster.stored_events(prefix)
    wrong = Counter[str]()
    for sender, turns in result.by_sender().items():
        stored = [e["text"] for e in events.get(sender, []) if e["type"] == "user"]
        position = 0
        for turn in turns:
            if position < len(stored) and stored[position] == turn.message:
                position += 1
            elif turn.ok:
                wrong["answered_not_stored"] += 1
        wrong["stored_not_sent"] += len(stored) - position
        # every stored message was answered before the next one: a bot event between
        kinds = [
            e["type"] for e in events.get(sender, []) if e["type"] in {"user", "bot"}
        ]
        wrong["user_without_bot_reply"] += sum(
            1
            for a, b in itertools.pairwise([*kinds, "end"])
            if a == "user" and b != "bot"
        )
    return {k: v for k, v in wrong.items() if v}


def per_instance(cluster: Cluster, since: int, turns: list[Turn]) -> dict[str, int]:
    ids = {t.request_id for t in turns}
    counts = Counter[str]()
    for line in routed(cluster, since):
        if line["id"] in ids:
            counts[line["upstream"]] += 1
    names = {cluster.upstream(n): f"Rasa {n}" for n in (1, 2)}
    return {names.get(k, k): v for k, v in counts.items()}


def test_fifty_conversations_for_a_minute(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = conversation("load")
    since = cluster.access_size()
    result = asyncio.run(run_load(cluster.rasa_url, 50, 60, prefix=prefix))
    summary = result.summary()
    summary["per_instance"] = per_instance(cluster, since, result.turns)  # type: ignore[assignment]
    wrong = check_against_store(cluster, result, prefix)
    write_result("load-50x60s", {"summary": summary, "store_mismatches": wrong})
    show(capsys, "50 conversations for a minute", summary)
    assert not result.failed, [
        (t.sender, t.message, t.status, t.error, t.texts) for t in result.failed[:5]
    ]
    assert wrong == {}
    assert len(result.by_sender()) == 50
    assert summary["turns"] >= 50 * 3
    assert len(summary["per_instance"]) == 2  # type: ignore[arg-type]  # both served


# --- faults: Redis restarted, PostgreSQL briefly away --------------------------------------


def _down_everywhere(cluster: Cluster, sender: str, text: str) -> None:
    """While a store is down: a clear error through nginx, each instance and the front."""
    status, reply = say(cluster.rasa_url, sender, text, **{"X-Conversation-Id": sender})
    assert status == 503 and reply == store_down_text(), (status, reply)
    for number in (1, 2):
        status, reply = say(cluster.instance_url(number), conversation("down"), "hej")
        assert status == 503 and reply == store_down_text(), (number, status, reply)
    status, body, _ = post_json(
        f"{cluster.web_url}/api/chat",
        {"sender": conversation("downweb"), "message": "hej"},
    )
    assert status == 502, body  # the front's "technical error" to the widget
    assert "tekniskt fel" in json.dumps(body, ensure_ascii=False)
    # and so on for a few seconds: every turn a clear error, none hangs
    until = time.monotonic() + 3
    while time.monotonic() < until:
        status, reply = say(cluster.rasa_url, conversation("still"), "hej")
        assert status == 503 and reply == store_down_text(), (status, reply)
        time.sleep(0.5)


def _recovered_everywhere(cluster: Cluster) -> None:
    for number in (1, 2):
        status, reply = say(cluster.instance_url(number), conversation("after"), "hej")
        assert status == 200 and "tekniskt fel" not in reply, (number, status, reply)


def test_redis_restarted(cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    me = conversation("redis")
    header = {"X-Conversation-Id": me}
    assert (
        "Var är du?"
        in say(cluster.rasa_url, me, "jag letar efter en matbutik", **header)[1]
    )
    sizes = rasa_log_sizes(cluster)
    cluster.servers.stop_redis()
    try:
        _down_everywhere(cluster, me, "Rödeby")
    finally:
        cluster.servers.start_redis()
    restarted = time.monotonic()
    status, reply = say(cluster.rasa_url, me, "Rödeby", **header)
    recovery = time.monotonic() - restarted
    assert status == 200 and "Testbutik Rödeby" in reply, reply  # the form's state kept
    _recovered_everywhere(cluster)
    log = rasa_log_since(cluster, sizes)
    assert "Lock store (Redis) cannot be reached" in log
    assert "Rödeby" not in log
    assert cluster.stored_user_texts(me)[me] == [
        "jag letar efter en matbutik",
        "Rödeby",
    ]
    outcome = {
        "while_down": "HTTP 503 + Swedish message; log: Lock store (Redis) cannot be reached",
        "first_turn_after_restart_s": round(recovery, 2),
    }
    write_result("fault-redis", outcome)
    show(capsys, "Redis restarted", outcome)


def test_postgresql_briefly_unavailable(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    me = conversation("postgres")
    header = {"X-Conversation-Id": me}
    assert (
        "Var är du?"
        in say(cluster.rasa_url, me, "jag letar efter en matbutik", **header)[1]
    )
    sizes = rasa_log_sizes(cluster)
    cluster.servers.stop_postgres()
    stopped = time.monotonic()
    try:
        _down_everywhere(cluster, me, "Tving")
    finally:
        down_for = time.monotonic() - stopped
        cluster.servers.start_postgres()
    restarted = time.monotonic()
    status, reply = say(cluster.rasa_url, me, "Tving", **header)
    recovery = time.monotonic() - restarted
    assert status == 200 and "Testbutik Tving" in reply, (
        reply
    )  # state from before the outage
    _recovered_everywhere(cluster)
    log = rasa_log_since(cluster, sizes)
    assert "Tracker store (PostgreSQL) cannot be reached" in log
    # no SQL and its parameters (message text, conversation id) in the log
    assert "[SQL:" not in log and "[parameters:" not in log
    store_lines = [line for line in log.splitlines() if "PostgreSQL" in line]
    assert store_lines and not any("Tving" in line for line in store_lines)
    # the failed turn was not stored, the rest in order
    assert cluster.stored_user_texts(me)[me] == ["jag letar efter en matbutik", "Tving"]
    outcome = {
        "down_for_s": round(down_for, 1),
        "while_down": "HTTP 503 + Swedish message; log: Tracker store (PostgreSQL) cannot be reached",
        "first_turn_after_restart_s": round(recovery, 2),
    }
    write_result("fault-postgresql", outcome)
    show(capsys, "PostgreSQL briefly unavailable", outcome)


# --- a Rasa instance killed mid-load (last: it stays dead) ----------------------------------

#: Messages of the load's dialogue whose answer needs the conversation's state.
NEEDS_STATE = {"jag letar efter en matbutik", "och apotek då?", "visa fler"}


def test_a_rasa_instance_killed_mid_load(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = conversation("kill")
    since = cluster.access_size()
    victim = cluster.rasa(1)
    killed: list[float] = []

    async def scenario() -> LoadResult:
        load = asyncio.create_task(run_load(cluster.rasa_url, 20, 40, prefix=prefix))
        await asyncio.sleep(10)
        assert victim.process is not None
        os.killpg(victim.process.pid, signal.SIGKILL)
        killed.append(time.time())
        return await load

    result = asyncio.run(scenario())
    kill = killed[0]
    upstream_of = {line["id"]: line["upstream"] for line in routed(cluster, since)}
    first, second = cluster.upstream(1), cluster.upstream(2)
    write_result(
        "fault-kill-instance-turns",
        [
            {**asdict(t), "started": round(t.started - kill, 2), "upstream": upstream_of.get(t.request_id, "")}
            for t in result.turns
        ],
    )  # fmt: skip

    def served_by(turn: Turn) -> str:
        return upstream_of.get(turn.request_id, "")

    # the conversations instance 1 had before it died
    before = [t for t in result.turns if t.started + t.seconds < kill]
    on_first = {t.sender for t in before if served_by(t) == first}
    assert on_first, "instance 1 served no conversation before it was killed"
    after = [t for t in result.turns if t.started > kill]
    # nothing after the kill reached instance 1; its conversations went on on instance 2
    assert all(served_by(t).endswith(second) for t in after if t.ok), [
        served_by(t) for t in after
    ][:10]
    continued = {t.sender for t in after if t.ok and t.sender in on_first}
    stuck = {
        sender: [
            (t.index, round(t.started - kill, 1), round(t.seconds, 1), t.status,
             served_by(t), t.error, t.texts[:1])
            for t in turns
            if t.started + t.seconds > kill - 5
        ]
        for sender, turns in result.by_sender().items()
        if sender in on_first - continued
    }  # fmt: skip
    assert continued == on_first, stuck
    # only turns in progress on instance 1 at the kill failed
    failed = result.failed
    assert all(t.started <= kill <= t.started + t.seconds + 1 for t in failed), [
        (t.sender, t.index, t.started - kill, t.status, t.error) for t in failed
    ]
    # with their state: what needs the remembered place or search still has it
    # ("visa fler" goes on with the search from before the kill)
    state_checks = 0
    for sender in on_first:
        place = dialogue_for(int(sender.rsplit("-", 1)[1]))[2]
        for turn in after:
            if turn.sender == sender and turn.ok and turn.message in NEEDS_STATE:
                reply = "\n".join(turn.texts)
                assert f"från {place}" in reply or "inga fler" in reply, (sender, reply)
                state_checks += 1
    assert state_checks > 0
    wrong = check_against_store(cluster, result, prefix)
    assert set(wrong) <= {"user_without_bot_reply"} and wrong.get(
        "user_without_bot_reply", 0
    ) <= len(failed), wrong
    slowest_after = max((t.seconds for t in after if t.ok), default=0.0)
    outcome = {
        "summary": result.summary(),
        "conversations_on_killed_instance": len(on_first),
        "continued_on_the_other": len(continued),
        "failed_turns_in_flight_at_kill": len(failed),
        "follow_ups_with_state_after_kill": state_checks,
        "slowest_turn_after_kill_s": round(slowest_after, 1),
        "store_mismatches": wrong,
    }
    write_result("fault-kill-instance", outcome)
    show(capsys, "Rasa instance killed mid-load", outcome)
