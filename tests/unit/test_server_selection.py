"""The choice between environment URLs, testcontainers and embedded servers."""

from __future__ import annotations

import pytest

from tests.servers import Choice, Source, choose_source


def docker(answers: bool):
    asked = []

    def probe() -> bool:
        asked.append(True)
        return answers

    probe.asked = asked
    return probe


@pytest.mark.parametrize(
    ("kind", "variable", "url"),
    [
        ("postgres", "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        ("redis", "TEST_REDIS_URL", "redis://127.0.0.1:6379"),
    ],
)
def test_a_url_in_the_environment_wins_without_asking_docker(kind, variable, url):
    probe = docker(answers=True)

    choice = choose_source(kind, {variable: url}, probe)

    assert choice == Choice(Source.ENVIRONMENT, url)
    assert probe.asked == []


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_without_a_url_a_docker_engine_that_answers_means_testcontainers(kind):
    assert choose_source(kind, {}, docker(answers=True)) == Choice(Source.TESTCONTAINERS)


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_without_a_url_or_docker_the_embedded_server_is_used(kind):
    assert choose_source(kind, {}, docker(answers=False)) == Choice(Source.EMBEDDED)


def test_each_server_is_chosen_on_its_own():
    environ = {"TEST_REDIS_URL": "redis://127.0.0.1:6379"}

    assert choose_source("postgres", environ, docker(answers=False)).source is Source.EMBEDDED
    assert choose_source("redis", environ, docker(answers=False)).source is Source.ENVIRONMENT


def test_a_blank_url_counts_as_unset():
    choice = choose_source("postgres", {"TEST_DATABASE_URL": "  "}, docker(answers=False))

    assert choice.source is Source.EMBEDDED
