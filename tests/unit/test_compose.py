"""docker-compose.yml cannot run here (no Docker engine), so read it and check what can go stale:
entry points, environment variable names, and that it runs the same processes as `clinic run`."""

from __future__ import annotations

import importlib
import importlib.util

import pytest
import yaml
from pydantic import AliasChoices

from clinic_cli.processes import REPO_ROOT, migration_command, system_processes
from shared.settings import Settings

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
# Services built from deploy/Dockerfile run our code; the others are official images.
OUR_SERVICES = sorted(name for name, service in SERVICES.items() if "build" in service)


def settings_variable_names() -> set[str]:
    prefix = Settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias.upper())
        elif isinstance(alias, AliasChoices):
            names.update(choice.upper() for choice in alias.choices if isinstance(choice, str))
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def option(argv: list[str], flag: str) -> str | None:
    return argv[argv.index(flag) + 1] if flag in argv else None


def entry_point(argv: list[str]) -> tuple[str | None, ...]:
    """What a command runs, without the settings that rightly differ (host, paths, python)."""
    module = argv[argv.index("-m") + 1]
    if module == "celery":
        subcommand = next(word for word in argv[argv.index("-A") + 2 :] if not word.startswith("-"))
        return (module, option(argv, "-A"), subcommand, option(argv, "-Q"))
    if module == "uvicorn":
        return (module, argv[argv.index("-m") + 2])
    return (module, *argv[argv.index("-m") + 2 :])


def test_the_compose_file_builds_our_services_from_deploy_dockerfile():
    assert OUR_SERVICES, "no service is built from deploy/Dockerfile"
    for name in OUR_SERVICES:
        assert SERVICES[name]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (REPO_ROOT / "deploy" / "Dockerfile").is_file()


@pytest.mark.parametrize("name", OUR_SERVICES)
def test_each_service_runs_an_importable_python_module(name):
    argv = SERVICES[name]["command"]

    assert argv[:2] == ["python", "-m"]
    assert importlib.util.find_spec(argv[2]) is not None, f"{name}: no module {argv[2]}"


@pytest.mark.parametrize("name", [n for n in OUR_SERVICES if "-A" in SERVICES[n]["command"]])
def test_each_celery_service_names_an_app_module_that_exists(name):
    app_module = option(SERVICES[name]["command"], "-A")

    assert importlib.util.find_spec(app_module) is not None, f"{name}: no module {app_module}"


@pytest.mark.parametrize("name", [n for n in OUR_SERVICES if "uvicorn" in SERVICES[n]["command"]])
def test_each_uvicorn_service_names_a_factory_that_exists(name):
    argv = SERVICES[name]["command"]
    module_name, factory_name = argv[argv.index("uvicorn") + 1].split(":")

    assert "--factory" in argv
    assert callable(getattr(importlib.import_module(module_name), factory_name, None))


@pytest.mark.parametrize("name", OUR_SERVICES)
def test_each_service_sets_only_variables_the_settings_read(name):
    unknown = set(SERVICES[name].get("environment") or {}) - settings_variable_names()

    assert unknown == set(), f"{name} sets variables no setting reads: {sorted(unknown)}"


def test_compose_runs_the_same_processes_as_clinic_run():
    commands = [SERVICES[name]["command"] for name in OUR_SERVICES]
    local = [spec.argv for spec in system_processes({}, api_port=8000)] + [migration_command()]

    assert sorted(map(entry_point, commands)) == sorted(map(entry_point, local))


def test_redis_keeps_an_append_only_file_and_every_server_has_a_healthcheck():
    assert option(SERVICES["redis"]["command"], "--appendonly") == "yes"
    assert "healthcheck" in SERVICES["redis"] and "healthcheck" in SERVICES["postgres"]


def test_services_start_only_after_the_migration_has_succeeded():
    for name in OUR_SERVICES:
        if name == "migrate":
            continue
        assert SERVICES[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
