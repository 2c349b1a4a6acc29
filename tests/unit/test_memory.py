"""Start-up objects are set aside from the cycle collector; later garbage is still collected."""

from __future__ import annotations

import gc
import weakref

import pytest
from fastapi.testclient import TestClient

from services.intake.app import create_app
from shared.memory import set_aside_startup_objects
from shared.settings import Settings


@pytest.fixture(autouse=True)
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


class Node:
    pass


def test_objects_made_before_are_frozen_and_cycles_made_after_are_still_collected():
    set_aside_startup_objects()
    frozen = gc.get_freeze_count()
    node = Node()
    node.itself = node  # a cycle: only the collector can free it
    gone = weakref.ref(node)
    del node
    gc.collect()

    assert frozen > 1000
    assert gone() is None


def test_the_api_sets_its_start_up_objects_aside_before_serving():
    # The lifespan builds its engine and Redis client without connecting to either.
    settings = Settings(DATABASE_URL="postgresql://nobody@127.0.0.1:9/none",
                        REDIS_URL="redis://127.0.0.1:9/0")
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings)):
        assert gc.get_freeze_count() > 1000
