"""`clinic users create-admin` creates the first admin, who can then sign in."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from clinic_cli.main import app
from shared.settings import get_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def cli_env(monkeypatch, settings, clean_database):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_create_admin_reads_the_password_from_stdin_and_stores_only_its_hash(cli_env, engine):
    result = CliRunner().invoke(app, ["users", "create-admin", "--email", "Boss@Example.com",
                                      "--password-stdin"], input="a long admin password\n")

    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        role, stored = conn.execute(text("SELECT role, password_hash FROM users "
                                         "WHERE email = 'boss@example.com'")).one()
    assert role == "admin" and stored.startswith("$argon2id$")


def test_a_short_password_is_refused_naming_the_field(cli_env):
    result = CliRunner().invoke(app, ["users", "create-admin", "--email", "a@example.com",
                                      "--password-stdin"], input="short\n")

    assert result.exit_code == 2
    assert "password" in result.output


def test_a_second_admin_with_the_same_email_is_refused(cli_env):
    args = ["users", "create-admin", "--email", "twice@example.com", "--password-stdin"]
    CliRunner().invoke(app, args, input="a long admin password\n")

    result = CliRunner().invoke(app, args, input="a long admin password\n")

    assert result.exit_code == 1
    assert "already exists" in result.output


def test_create_makes_a_staff_account_of_the_given_role(cli_env, engine):
    result = CliRunner().invoke(app, ["users", "create", "--role", "front_desk", "--email",
                                      "desk@example.com", "--password-stdin"],
                                input="a long desk password\n")

    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        assert conn.execute(text("SELECT role FROM users WHERE email = 'desk@example.com'")
                            ).scalar() == "front_desk"


def test_an_unknown_role_is_refused_naming_the_field(cli_env):
    result = CliRunner().invoke(app, ["users", "create", "--role", "surgeon", "--email",
                                      "x@example.com", "--password-stdin"],
                                input="a long enough password\n")

    assert result.exit_code == 2
    assert "role" in result.output


def test_reset_one_time_code_clears_a_lost_authenticator_so_the_next_sign_in_sets_one_up(
        cli_env, engine):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, email, display_name, role, password_hash, "
                          "is_active, on_duty, created_at, totp_secret, totp_last_step) VALUES "
                          "(gen_random_uuid(), 'boss@example.com', 'Boss', 'admin', 'x', true, "
                          "false, now(), 'encrypted', 1)"))

    result = CliRunner().invoke(app, ["users", "reset-one-time-code", "--email",
                                      "Boss@Example.com"])

    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        assert conn.execute(text("SELECT totp_secret, totp_last_step FROM users WHERE "
                                 "email = 'boss@example.com'")).one() == (None, None)


def test_reset_one_time_code_of_an_unknown_account_says_so(cli_env):
    result = CliRunner().invoke(app, ["users", "reset-one-time-code", "--email",
                                      "nobody@example.com"])

    assert result.exit_code == 1 and "no account" in result.output
