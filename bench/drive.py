"""Running the load generator (bench/loadgen.py) in its own process from the harness."""

from __future__ import annotations

import json
import subprocess
import sys

from clinic_cli.processes import REPO_ROOT

LOADGEN = [sys.executable, "-m", "bench.loadgen"]
SLACK_SECONDS = 60.0  # beyond the spec's own bound, before the harness gives up on it


def _bound(spec: dict) -> float:
    return spec.get("seconds", 10) + SLACK_SECONDS + (30 if spec["mode"] == "open" else 0)


def loadgen(spec: dict, env: dict[str, str]) -> dict:
    """Runs one measurement to the end; its JSON result."""
    result = subprocess.run(LOADGEN, input=json.dumps(spec), capture_output=True, text=True,
                            env=env, cwd=REPO_ROOT, timeout=_bound(spec), check=False)
    if result.returncode != 0:
        raise RuntimeError(f"load generator failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Watch:
    """A load generator in watch mode: started (and listening) before the work it times."""

    def __init__(self, spec: dict, env: dict[str, str]):
        self.spec = {**spec, "mode": "watch"}
        self.process = subprocess.Popen(LOADGEN, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=env, cwd=REPO_ROOT)
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(self.spec))
        self.process.stdin.close()
        if self.process.stdout.readline().strip() != "listening":
            self.stop()
            raise RuntimeError("the watcher did not start listening")

    def result(self) -> dict:
        assert self.process.stdout
        try:
            self.process.wait(timeout=_bound(self.spec))  # it ends by itself within its bound
            out = self.process.stdout.read()
        finally:
            self.stop()
        return json.loads(out.strip().splitlines()[-1])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
