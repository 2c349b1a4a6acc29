"""uvicorn believes X-Forwarded-For from 127.0.0.1 unless told not to, which let any local
caller (or anything behind a same-host proxy) choose the address the sign-in limits count.
Every way the API is started turns that off; the app believes only CLINIC_TRUSTED_PROXIES."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from clinic_cli.processes import REPO_ROOT, system_processes
from shared.settings import Settings


def _dockerfile_command() -> list[str]:
    text = (REPO_ROOT / "deploy" / "Dockerfile").read_text()
    return json.loads(re.search(r"^CMD (\[.*\])$", text, re.MULTILINE).group(1))


def _launchers() -> dict[str, list[str]]:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]
    api = next(spec for spec in system_processes({}, api_port=8000) if spec.name == "api")
    return {"clinic run": api.argv, "docker compose": compose["api"]["command"],
            "deploy/Dockerfile": _dockerfile_command()}


@pytest.mark.parametrize("launcher", sorted(_launchers()))
def test_every_way_of_starting_the_api_leaves_forwarded_headers_to_the_app(launcher):
    argv = _launchers()[launcher]

    assert "services.intake.app:create_app" in argv
    assert "--no-proxy-headers" in argv and "--proxy-headers" not in argv
    assert not any(word.startswith("--forwarded-allow-ips") for word in argv)


def test_no_proxy_is_trusted_unless_named():
    assert Settings().trusted_proxies == []
    assert Settings(trusted_proxies="10.0.0.5, 10.1.0.0/16").trusted_proxies == [
        "10.0.0.5", "10.1.0.0/16"]


def test_a_proxy_setting_that_names_no_address_refuses_to_start():
    with pytest.raises(ValueError, match="proxy.example"):
        Settings(trusted_proxies="proxy.example")
