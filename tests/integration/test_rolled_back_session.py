"""db_session: what code commits through it is real inside the test (SAVEPOINTs in one outer
transaction) and gone afterwards, never seen by another connection, so the next test starts
from the blank migrated database without a TRUNCATE."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlmodel import select

from shared.models import User

pytestmark = pytest.mark.integration

EMAIL = f"rolled-back-{uuid.uuid4().hex[:8]}@example.com"
ROLLED_BACK = f"rolled-back-again-{uuid.uuid4().hex[:8]}@example.com"
COMMITTED_IN_A_TEST: list[str] = []


def user(email: str) -> User:
    return User(email=email, display_name="Test", role="clinician", password_hash="x")


def users_seen_by_another_connection(engine, email: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM users WHERE email = :e"),
                            {"e": email}).scalar()


def test_a_commit_in_the_session_is_a_savepoint_no_other_connection_sees(db_session, engine):
    db_session.add(user(EMAIL))
    db_session.commit()
    db_session.add(user(ROLLED_BACK))
    db_session.flush()
    db_session.rollback()  # back to the last savepoint only: the committed row stays

    emails = db_session.exec(select(User.email)).all()
    assert emails == [EMAIL]
    assert db_session.connection().execute(text("SELECT count(*) FROM users")).scalar() == 1
    assert users_seen_by_another_connection(engine, EMAIL) == 0
    COMMITTED_IN_A_TEST.append(EMAIL)


def test_what_the_test_before_committed_is_gone(engine):
    if not COMMITTED_IN_A_TEST:
        pytest.skip("checks what the test before it left: run the module, not this test alone")
    assert users_seen_by_another_connection(engine, EMAIL) == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 0
