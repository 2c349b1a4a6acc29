"""Sampling profiles of the processes a measurement runs: `clinic bench --profile`.

py-spy attaches to each process (and its workers: uvicorn and Celery fork them) for as long as
the measurement runs and writes one flame graph per process. The figures of a profiled run are
slower than a plain run's; the flame graphs, not the table, are what such a run is for.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from clinic_cli.supervisor import Supervisor

PROFILE_DIR_VARIABLE = "CLINIC_BENCH_PROFILE_DIR"
SAMPLES_PER_SECOND = "200"
_sequence = itertools.count(1)


def py_spy() -> str:
    # The venv's scripts first: `clinic` runs from the venv without it being on PATH.
    found = shutil.which("py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}"
                                       f"{os.environ.get('PATH', '')}")
    if found is None:
        raise RuntimeError("py-spy is not installed: pip install -e '.[dev]'")
    return found


@contextmanager
def profiled(supervisor: Supervisor, out_dir: Path) -> Iterator[None]:
    """Records every child of `supervisor` while the block runs."""
    with ExitStack() as stack:
        for child in supervisor.children:
            path = out_dir / f"{next(_sequence):02d}-{child.name}.svg"
            stack.enter_context(_recording(child.process.pid, path))
        yield


@contextmanager
def _recording(pid: int, path: Path) -> Iterator[None]:
    recorder = subprocess.Popen(
        [py_spy(), "record", "--pid", str(pid), "--subprocesses", "--nonblocking",
         "--rate", SAMPLES_PER_SECOND, "--format", "flamegraph", "--output", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        # SIGINT is py-spy's "stop and write the graph"; the process it watches carries on.
        recorder.send_signal(signal.SIGINT)
        try:
            recorder.wait(timeout=30)
        except subprocess.TimeoutExpired:
            recorder.kill()
