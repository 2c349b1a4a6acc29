import os

from shared.db import ProcessEngine


def test_the_engine_is_built_once_per_process_and_again_after_a_fork(monkeypatch):
    engine = ProcessEngine()
    first = engine()
    assert engine() is first

    monkeypatch.setattr(os, "getpid", lambda: -1)  # as a forked pool child sees it
    assert engine() is not first
