"""Objects each process builds for itself: the one way workers hold connections.

A forked Celery pool child must not share its parent's connection pool or Redis socket (both
ends would read each other's replies), so an object is built on first use in a process and
again whenever the process id differs from the one that built it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._built: tuple[int, T] | None = None

    def __call__(self) -> T:
        if self._built is None or self._built[0] != os.getpid():
            self._built = (os.getpid(), self._build())
        return self._built[1]
