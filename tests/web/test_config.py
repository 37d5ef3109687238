"""The web front's settings: defaults, parsing and Swedish errors naming the variable."""

from __future__ import annotations

import pytest

from bot.errors import WebConfigError
from bot.web.config import WebConfig, parse_allowed_origins, parse_frame_ancestors


def test_defaults_follow_the_contract() -> None:
    config = WebConfig.from_env({})
    assert config.port == 8080
    assert config.host == "127.0.0.1"
    assert config.rasa_url == "http://127.0.0.1:5005"
    assert config.rest_webhook == "http://127.0.0.1:5005/webhooks/rest/webhook"
    assert config.allowed_origins == ()
    assert config.frame_ancestors == ("'self'",)


def test_ports_and_rasa_url_from_the_environment() -> None:
    config = WebConfig.from_env({"WEB_PORT": "9001", "RASA_PORT": "6006"})
    assert config.port == 9001
    assert config.rasa_url == "http://127.0.0.1:6006"
    assert (
        WebConfig.from_env({"RASA_URL": "http://rasa.internal:5005/"}).rasa_url
        == "http://rasa.internal:5005"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ()),
        ("https://www.karlskrona.se", ("https://www.karlskrona.se",)),
        (
            "https://WWW.Ronneby.se/, http://localhost:3000",
            ("https://www.ronneby.se", "http://localhost:3000"),
        ),
        ("https://a.se https://a.se", ("https://a.se",)),
        ("*", ("*",)),
        ("http://[::1]:8080", ("http://[::1]:8080",)),
    ],
)
def test_allowed_origins_are_normalised(value: str, expected: tuple[str, ...]) -> None:
    assert parse_allowed_origins(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "www.karlskrona.se",  # no scheme
        "ftp://www.karlskrona.se",
        "https://www.karlskrona.se/chatt",  # a path is not an origin
        "https://*.karlskrona.se",  # CORS has no wildcards
        "* https://a.se",
        "https://a.se:99999",
    ],
)
def test_bad_allowed_origins_are_refused_by_name(value: str) -> None:
    with pytest.raises(WebConfigError) as err:
        WebConfig.from_env({"SERVICELOTSEN_ALLOWED_ORIGINS": value})
    assert err.value.variable == "SERVICELOTSEN_ALLOWED_ORIGINS"
    assert "SERVICELOTSEN_ALLOWED_ORIGINS" in str(err.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ("'self'",)),
        ("none", ("'none'",)),
        ("'none'", ("'none'",)),
        ("self https://*.kommun.se", ("'self'", "https://*.kommun.se")),
        ("https://www.ronneby.se", ("https://www.ronneby.se",)),
    ],
)
def test_frame_ancestors(value: str, expected: tuple[str, ...]) -> None:
    assert parse_frame_ancestors(value) == expected


@pytest.mark.parametrize("value", ["'none' 'self'", "javascript:alert(1)", "https://a.se/x"])
def test_bad_frame_ancestors_are_refused(value: str) -> None:
    with pytest.raises(WebConfigError, match="SERVICELOTSEN_FRAME_ANCESTORS"):
        parse_frame_ancestors(value)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"WEB_PORT": "åttiåtti"}, "WEB_PORT"),
        ({"WEB_PORT": "0"}, "WEB_PORT"),
        ({"RASA_PORT": "70000"}, "RASA_PORT"),
        ({"RASA_URL": "rasa:5005"}, "RASA_URL"),
    ],
)
def test_bad_ports_and_urls(env: dict[str, str], variable: str) -> None:
    with pytest.raises(WebConfigError) as err:
        WebConfig.from_env(env)
    assert err.value.variable == variable


@pytest.mark.parametrize(
    ("allowed", "origin", "ok"),
    [
        (("https://www.ronneby.se",), "https://www.ronneby.se", True),
        (("https://www.ronneby.se",), "https://WWW.RONNEBY.SE", True),
        (("https://www.ronneby.se",), "http://www.ronneby.se", False),
        (("https://www.ronneby.se",), "https://www.ronneby.se.evil.example", False),
        (("https://www.ronneby.se",), "null", False),
        ((), "https://www.ronneby.se", False),
        (("*",), "https://any.example", True),
    ],
)
def test_origin_allowed(allowed: tuple[str, ...], origin: str, ok: bool) -> None:
    assert WebConfig(allowed_origins=allowed).origin_allowed(origin) is ok
