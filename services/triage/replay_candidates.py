"""Where a candidate rule set for the what-if replay comes from, and the process that runs it
(services/triage/replay_runner.py):
- a Python file (`--against path/to/candidate.py`) run against today's engine;
- the rule set in force (its RULESET_VERSION), run from today's tree;
- a released version (RELEASES in ruleset.py names its commit) or any git commit, checked out
  into a temporary worktree of this repository and run there; the worktree is removed after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.triage.engine.ruleset import RELEASES, RULESET_VERSION
from services.triage.replay import Route, RuleSet

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("replay_runner.py")


class CandidateUnavailable(Exception):
    """The candidate named cannot be run (no such file, version or commit)."""


class CandidateProcess:
    """One runner process: evaluates stored inputs one at a time (a line each way, so neither
    pipe fills while the other waits)."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path):
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
        header = self._process.stdout.readline()
        if not header:
            raise CandidateUnavailable("the candidate rule set did not load: "
                                       + self._process.stderr.read()[-2000:])
        named = json.loads(header)
        self.rule_set = RuleSet(named["version"], named["hash"])

    def evaluate(self, inputs: dict) -> Route | None:
        """The candidate's route for the stored inputs; None when it could not read them."""
        self._process.stdin.write(json.dumps(inputs) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        return None if "error" in answer else Route.of(answer)

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait(timeout=30)


@contextmanager
def candidate_process(against: str) -> Iterator[CandidateProcess]:
    path = Path(against)
    if path.suffix == ".py":
        if not path.is_file():
            raise CandidateUnavailable(f"no candidate file {against}")
        with _running(["--file", str(path.resolve())], REPO_ROOT) as process:
            yield process
        return
    if against == RULESET_VERSION:
        with _running([], REPO_ROOT) as process:
            yield process
        return
    commit = RELEASES[against][1] if against in RELEASES else against
    with _worktree(commit) as tree, _running([], tree) as process:
        yield process


@contextmanager
def _running(arguments: list[str], tree: Path) -> Iterator[CandidateProcess]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    process = CandidateProcess([sys.executable, str(RUNNER), *arguments], env, tree)
    try:
        yield process
    finally:
        process.close()


@contextmanager
def _worktree(commit: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="clinic-replay-") as folder:
        tree = Path(folder) / "tree"
        added = subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "add", "--detach",
                                str(tree), commit], capture_output=True, text=True, check=False)
        if added.returncode != 0:
            raise CandidateUnavailable(f"no release or commit {commit!r} in this repository "
                                       f"({added.stderr.strip()[-300:]})")
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force",
                            str(tree)], capture_output=True, check=False)
