"""The cluster's configuration files, without starting anything."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from scripts.cluster import (
    ClusterLayout,
    ClusterService,
    cluster_env,
    main,
    nginx_binary,
    nginx_values,
    render_nginx_config,
    write_nginx_files,
)
from scripts.stack import MAX_RESTARTS, ROOT, Service, Stack, StartupError, watch

ENDPOINTS = ROOT / "deploy" / "endpoints.cluster.yml"
ENV_EXAMPLE = ROOT / "deploy" / "servicelotsen.env.example"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def test_internal_ports_are_a_hundred_above_the_public_ones() -> None:
    layout = ClusterLayout.from_env(
        cluster_env({"RASA_PORT": "5005", "ACTIONS_PORT": "5055", "WEB_PORT": "8080"})
    )
    assert (layout.rasa_port, layout.actions_port, layout.web_port) == (
        5005,
        5055,
        8080,
    )
    assert layout.rasa_ports == (5105, 5106)
    assert layout.actions_ports == (5155, 5156)
    assert layout.web_ports == (8180,)


def test_a_wrong_setting_is_named() -> None:
    with pytest.raises(StartupError, match="SERVICELOTSEN_INSTANCES"):
        ClusterLayout.from_env(cluster_env({"SERVICELOTSEN_INSTANCES": "zero"}))
    with pytest.raises(StartupError, match="SERVICELOTSEN_CLUSTER_RASA_PORTS"):
        ClusterLayout.from_env(
            cluster_env({"SERVICELOTSEN_CLUSTER_RASA_PORTS": "6001,6002,6003"})
        )


def test_every_placeholder_needs_a_value() -> None:
    with pytest.raises(StartupError, match="RASA_PORT, WEB_PORT"):
        render_nginx_config(
            {}, template="listen ${WEB_PORT}; ${RASA_PORT} $remote_addr"
        )
    assert render_nginx_config({"A": "1"}, template="x ${A} $host") == "x 1 $host"


def test_the_rendered_config_is_accepted_by_nginx(tmp_path: Path) -> None:
    binary = nginx_binary({})
    if binary is None:
        pytest.skip("nginx is not installed (make nginx installs it)")
    layout = ClusterLayout.from_env(cluster_env())
    main_conf, error_log, _ = write_nginx_files(layout, tmp_path, tmp_path / "log")
    conf = (tmp_path / "nginx" / "servicelotsen.conf").read_text()
    assert not PLACEHOLDER.search(conf)
    assert "hash $servicelotsen_conversation consistent;" in conf
    for port in (*layout.rasa_ports, *layout.actions_ports, *layout.web_ports):
        assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" in conf
    done = subprocess.run(
        [
            binary,
            "-t",
            "-q",
            "-p",
            str(main_conf.parent),
            "-c",
            str(main_conf),
            "-e",
            str(error_log),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_nginx_config_for_real_hosts(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "nginx-config",
            "--listen", "10.0.0.10",
            "--rasa", "10.0.0.11:5005", "--rasa", "10.0.0.12:5005",
            "--actions", "10.0.0.11:5055",
            "--web", "10.0.0.11:8080",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "listen 10.0.0.10:5005;" in out and "listen 10.0.0.10:8080;" in out
    assert "server 10.0.0.12:5005 max_fails=1 fail_timeout=10s;" in out
    assert not PLACEHOLDER.search(out)
    assert main(["nginx-config", "--rasa", "a:1"]) == 2  # no action servers, no fronts


def test_the_endpoints_placeholders_are_all_set() -> None:
    """`make cluster` sets every variable Rasa needs, and the operator's file names them."""
    wanted = set(PLACEHOLDER.findall(ENDPOINTS.read_text()))
    assert wanted >= {"SERVICELOTSEN_PG_HOST", "SERVICELOTSEN_REDIS_HOST"}
    env = cluster_env()
    assert {name for name in wanted if name not in env} == set()
    example = {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert wanted <= example
    # and the nginx values cover the template
    values = nginx_values(ClusterLayout.from_env(env), "/tmp/x.log")
    template = (ROOT / "deploy" / "nginx" / "servicelotsen.conf").read_text()
    assert set(PLACEHOLDER.findall(template)) == set(values)


def test_a_dying_instance_is_started_again_until_it_keeps_dying(tmp_path: Path) -> None:
    """`make cluster` starts a stopped process again, as systemd would, and
    gives up (stopping everything) when it dies a fourth time in ten minutes."""
    flaky = ClusterService(
        name="Rasa 1",
        argv=["sh", "-c", f"echo started >> {tmp_path / 'starts'}; sleep 0.2"],
        health_url="",
        log_path=tmp_path / "flaky.log",
    )
    steady = Service(
        name="nginx", argv=["sleep", "60"], health_url="", log_path=tmp_path / "n.log"
    )
    stack = Stack([flaky, steady], cluster_env())
    said: list[str] = []
    for service in stack.services:
        service.start(stack.env)
    try:
        assert watch(stack, said.append) == 1
    finally:
        stack.stop()
    starts = (tmp_path / "starts").read_text().splitlines()
    assert len(starts) == 1 + MAX_RESTARTS
    assert sum("startar den igen" in text for text in said) == MAX_RESTARTS
    assert "Stänger av allt" in said[-1]
