import os

from sqlalchemy import Engine

from shared import dead_letters
from shared.db import process_engine
from shared.per_process import PerProcess


def test_an_object_is_built_once_per_process_and_again_after_a_fork(monkeypatch):
    built = []
    held = PerProcess(lambda: built.append(object()) or built[-1])
    first = held()
    assert held() is first and len(built) == 1

    monkeypatch.setattr(os, "getpid", lambda: -1)  # as a forked pool child sees it
    assert held() is not first and len(built) == 2


def test_the_workers_engine_and_dead_letter_tracker_are_held_per_process():
    engine = process_engine()
    assert isinstance(engine, PerProcess) and isinstance(engine(), Engine)
    engine().dispose()
    assert isinstance(dead_letters.tracker, PerProcess)
