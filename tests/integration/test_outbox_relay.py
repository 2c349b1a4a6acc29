"""The relay moves committed outbox rows to Redis, and loses nothing when Redis is away."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
import redis
from kombu.exceptions import OperationalError
from sqlalchemy import text

from shared.contracts import TriageCase
from shared.db import sync_session
from shared.messaging import make_celery
from shared.outbox import add_to_outbox
from shared.outbox.relay import publish_pending

pytestmark = pytest.mark.integration


def enqueue(engine, *, commit: bool = True) -> TriageCase:
    message = TriageCase(message_id=uuid.uuid4(), case_id=uuid.uuid4(), reason="intake_submitted")
    with sync_session(engine) as session:
        add_to_outbox(session, message)
        session.commit() if commit else session.rollback()
    return message


def queued_messages(redis_url: str, queue: str) -> list[dict]:
    client = redis.Redis.from_url(redis_url)
    raw = client.lrange(queue, 0, -1)
    client.close()
    return [json.loads(item) for item in raw]


def unpublished(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM outbox_messages "
                                 "WHERE published_at IS NULL")).scalar()


def test_committed_messages_are_published_to_their_queue_with_ids_only(
    engine, settings, redis_url, clean_database
):
    message = enqueue(engine)

    assert publish_pending(engine, make_celery("test", settings)) == 1

    [envelope] = queued_messages(redis_url, "triage")
    assert envelope["headers"]["task"] == "triage.cases.evaluate"
    assert envelope["headers"]["id"] == str(message.message_id)
    _args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
    assert kwargs == message.model_dump(mode="json")
    assert unpublished(engine) == 0


def test_a_rolled_back_transaction_sends_nothing(engine, settings, redis_url, clean_database):
    enqueue(engine, commit=False)

    assert publish_pending(engine, make_celery("test", settings)) == 0
    assert queued_messages(redis_url, "triage") == []


def test_when_redis_is_unreachable_the_message_stays_in_postgres_until_it_returns(
    engine, settings, redis_url, clean_database
):
    enqueue(engine)
    unreachable = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    broken = make_celery("test", unreachable)
    broken.conf.broker_connection_retry = False
    broken.conf.broker_transport_options = {"max_retries": 0}

    with pytest.raises(OperationalError):
        publish_pending(engine, broken)
    assert unpublished(engine) == 1

    assert publish_pending(engine, make_celery("test", settings)) == 1
    assert len(queued_messages(redis_url, "triage")) == 1
