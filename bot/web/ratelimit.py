"""How many messages the front takes, per conversation and per client address.

A token bucket per key: a full bucket holds `Rate.count` tokens, each chat
request takes one, and tokens come back at `count` per `period`. So a
resident may send `count` messages in a row and then `count` per period;
the next one is answered 429 with how long to wait.

Memory is bounded: at most `max_keys` buckets are kept (the least recently
used goes first), and a bucket that would be full again is forgotten on the
next request. A client address is therefore held in memory only while it
is being limited, a few minutes at most, and never written anywhere.

Behind a reverse proxy (nginx in `make cluster`) every request comes from
the proxy's address: `client_address` then reads `X-Forwarded-For`, but only
when the request came from a configured trusted proxy, so nobody else can
pick the address they are counted under.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.errors import WebConfigError

__all__ = [
    "DEFAULT_ADDRESS_RATE",
    "DEFAULT_CONVERSATION_RATE",
    "IPNetwork",
    "Rate",
    "TokenBuckets",
    "client_address",
    "parse_rate",
    "parse_trusted_proxies",
]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_PERIODS = {"s": 1.0, "sek": 1.0, "min": 60.0, "h": 3600.0, "tim": 3600.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")
_OFF = frozenset({"0", "off", "av", "none"})


@dataclass(frozen=True)
class Rate:
    """`count` requests in a row, then `count` per `period` seconds."""

    count: int
    period: float

    @property
    def per_second(self) -> float:
        return self.count / self.period

    def __str__(self) -> str:
        return f"{self.count}/{self.period:g}s"


#: A resident types, reads and clicks: 20 messages a minute is far above that.
DEFAULT_CONVERSATION_RATE = Rate(20, 60.0)
#: One address can be a whole office or a mobile operator's shared address.
DEFAULT_ADDRESS_RATE = Rate(120, 60.0)


def parse_rate(value: str, variable: str, default: Rate) -> Rate | None:
    """"20/min", "5/s", "300/10min" or "1000/h"; "0" or "off" turns the limit off.

    Empty: `default`.

    Raises:
        WebConfigError: not such a value (the message names `variable`).
    """
    text = value.strip().lower()
    if not text:
        return default
    if text in _OFF:
        return None
    match = _RATE.match(text)
    if match and match[3] in _PERIODS and int(match[1]) > 0:
        period = _PERIODS[match[3]] * (int(match[2]) if match[2] else 1)
        if period > 0:
            return Rate(int(match[1]), period)
    raise WebConfigError(
        variable,
        f"{value!r} är ingen gräns. Skriv till exempel 20/min, 5/s eller 1000/h "
        '("off" stänger av gränsen).',
    )


def parse_trusted_proxies(value: str, variable: str) -> tuple[IPNetwork, ...]:
    """Comma- or space-separated addresses or networks ("127.0.0.1, 10.0.0.0/8").

    Raises:
        WebConfigError: an item is not an address or network.
    """
    networks: list[IPNetwork] = []
    for item in re.split(r"[\s,]+", value.strip()):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as err:
            raise WebConfigError(
                variable,
                f"{item!r} är ingen IP-adress eller nätverk "
                "(till exempel 127.0.0.1 eller 10.0.0.0/8).",
            ) from err
    return tuple(dict.fromkeys(networks))


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    proxies: Iterable[IPNetwork],
) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(
    peer: str | None,
    forwarded_for: Iterable[str],
    trusted_proxies: tuple[IPNetwork, ...],
) -> str:
    """The address a request is counted under.

    `peer` is the TCP peer. Only when it is a trusted proxy are the
    `X-Forwarded-For` headers read, right to left (each proxy appends the
    address it got the request from), skipping further trusted proxies: the
    first address that is not one is the client. A garbled header stops the
    walk at the last address known to be good.
    """
    peer_ip = _ip(peer or "")
    if peer_ip is None:
        return peer or "?"
    if not trusted_proxies or not _trusted(peer_ip, trusted_proxies):
        return str(peer_ip)
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    client = peer_ip
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:
            break
        client = address
        if not _trusted(address, trusted_proxies):
            break
    return str(client)


class TokenBuckets:
    """Token buckets by key, at most `max_keys` of them in memory."""

    def __init__(
        self,
        rate: Rate,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self.rate = rate
        self.max_keys = max_keys
        self._clock = clock
        # key -> (tokens left, when they were counted); oldest use first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def __contains__(self, key: str) -> bool:
        return key in self._buckets

    def _refilled(self, tokens: float, since: float, now: float) -> float:
        return min(float(self.rate.count), tokens + (now - since) * self.rate.per_second)

    def _forget_full(self, now: float) -> None:
        """Drop the least recently used buckets that are full again (at most a few)."""
        for _ in range(4):
            if not self._buckets:
                return
            key, (tokens, since) = next(iter(self._buckets.items()))
            if self._refilled(tokens, since, now) < self.rate.count:
                return
            del self._buckets[key]

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 when allowed, else seconds until one is back."""
        now = self._clock()
        self._forget_full(now)
        tokens, since = self._buckets.pop(key, (float(self.rate.count), now))
        tokens = self._refilled(tokens, since, now)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate.per_second
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait

    @staticmethod
    def retry_after(wait: float) -> str:
        """`wait` as a Retry-After header value (whole seconds, at least 1)."""
        return str(max(1, math.ceil(wait)))
