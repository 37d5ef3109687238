"""The front's rate limits: token buckets, settings and the client's address."""

from __future__ import annotations

import ipaddress

import pytest

from bot.errors import WebConfigError
from bot.web.config import WebConfig
from bot.web.ratelimit import (
    DEFAULT_ADDRESS_RATE,
    DEFAULT_CONVERSATION_RATE,
    Rate,
    TokenBuckets,
    client_address,
    parse_rate,
    parse_trusted_proxies,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_steady_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(Rate(3, 60.0), clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = buckets.take("a")
    assert wait == pytest.approx(20.0)  # one token every 20 s
    assert TokenBuckets.retry_after(wait) == "20"
    clock.now += 19.0
    assert buckets.take("a") > 0  # still not quite
    clock.now += 1.5
    assert buckets.take("a") == 0.0
    assert buckets.take("b") == 0.0  # another key has its own bucket


def test_a_refused_request_does_not_use_up_a_token() -> None:
    clock = Clock()
    buckets = TokenBuckets(Rate(1, 10.0), clock=clock)
    assert buckets.take("a") == 0.0
    for _ in range(50):  # hammering does not push the wait further out
        assert buckets.take("a") == pytest.approx(10.0, abs=0.01)
    clock.now += 10.0
    assert buckets.take("a") == 0.0


def test_memory_is_bounded() -> None:
    clock = Clock()
    buckets = TokenBuckets(Rate(2, 60.0), max_keys=100, clock=clock)
    for n in range(10_000):
        buckets.take(f"sender-{n}")
    assert len(buckets) == 100
    assert "sender-9999" in buckets and "sender-0" not in buckets


def test_a_full_bucket_is_forgotten() -> None:
    """An address is kept only while it is being limited."""
    clock = Clock()
    buckets = TokenBuckets(Rate(10, 60.0), clock=clock)
    buckets.take("192.0.2.7")
    clock.now += 5.0
    buckets.take("198.51.100.1")
    assert "192.0.2.7" in buckets
    clock.now += 7.0  # 192.0.2.7 has had 12 s: its one token is back
    buckets.take("198.51.100.1")
    assert "192.0.2.7" not in buckets
    assert "198.51.100.1" in buckets


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", DEFAULT_CONVERSATION_RATE),
        ("20/min", Rate(20, 60.0)),
        ("5/s", Rate(5, 1.0)),
        (" 300 / 10min ", Rate(300, 600.0)),
        ("1000/h", Rate(1000, 3600.0)),
        ("off", None),
        ("0", None),
    ],
)
def test_parse_rate(value: str, expected: Rate | None) -> None:
    assert parse_rate(value, "X", DEFAULT_CONVERSATION_RATE) == expected


@pytest.mark.parametrize("value", ["20", "ten/min", "20/fortnight", "0/min", "-1/s", "5/0s"])
def test_a_bad_rate_names_the_variable(value: str) -> None:
    with pytest.raises(WebConfigError) as err:
        parse_rate(value, "SERVICELOTSEN_RATE_LIMIT_ADDRESS", DEFAULT_ADDRESS_RATE)
    assert err.value.variable == "SERVICELOTSEN_RATE_LIMIT_ADDRESS"
    assert "till exempel 20/min" in err.value.reason


def test_settings_from_the_environment() -> None:
    default = WebConfig.from_env({})
    assert default.conversation_rate == DEFAULT_CONVERSATION_RATE
    assert default.address_rate == DEFAULT_ADDRESS_RATE
    assert default.trusted_proxies == ()
    config = WebConfig.from_env(
        {
            "SERVICELOTSEN_RATE_LIMIT_CONVERSATION": "off",
            "SERVICELOTSEN_RATE_LIMIT_ADDRESS": "600/min",
            "SERVICELOTSEN_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8 ::1",
        }
    )
    assert config.conversation_rate is None
    assert config.address_rate == Rate(600, 60.0)
    assert [str(n) for n in config.trusted_proxies] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
    ]
    with pytest.raises(WebConfigError, match="SERVICELOTSEN_TRUSTED_PROXIES"):
        parse_trusted_proxies("nginx", "SERVICELOTSEN_TRUSTED_PROXIES")


PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # no trusted proxy in between: the peer, whatever the header says
        ("192.0.2.7", ["198.51.100.1"], "192.0.2.7"),
        # through nginx: the address nginx got the request from
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        # a client cannot choose its address by sending its own header first
        ("127.0.0.1", ["203.0.113.9, 198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["203.0.113.9", "198.51.100.1"], "198.51.100.1"),
        # two trusted proxies in a row
        ("127.0.0.1", ["198.51.100.1, 10.1.2.3"], "198.51.100.1"),
        # a proxy that forwards nothing, or garbage
        ("127.0.0.1", [], "127.0.0.1"),
        ("127.0.0.1", ["unknown"], "127.0.0.1"),
        ("127.0.0.1", ["198.51.100.1, garbage, 10.1.2.3"], "10.1.2.3"),
        # ports and IPv6
        ("127.0.0.1", ["198.51.100.1:4711"], "198.51.100.1"),
        ("127.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("::ffff:127.0.0.1", ["2001:db8::2"], "2001:db8::2"),
    ],
)
def test_client_address(peer: str, forwarded: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, PROXIES) == expected


def test_no_trusted_proxies_means_the_header_is_ignored() -> None:
    assert client_address("127.0.0.1", ["198.51.100.1"], ()) == "127.0.0.1"
