"""Checks every FHIR resource the tests produce with two parsers nobody here wrote:

- the npm package `fhir` (FHIR.js, R4 definitions), installed by the machine's npm into
  .cache/fhir-validator the first time; it checks element names, cardinality, types and
  required value sets, in contained and bundled resources too;
- fhirclient's R4 models parsing the JSON back in strict mode (unknown elements, wrong types,
  missing required elements, malformed dates).

A resource failing either fails the test. Without npm the tests fail, saying so: they never
skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path

from fhirclient.models.fhirabstractbase import FHIRValidationError
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from tests.install_lock import installing

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "fhir-validator"
SCRIPT = Path(__file__).resolve().parent / "fhir_validator" / "validate.js"
PACKAGE = "fhir@4"


class ResourceInvalid(AssertionError):
    pass


def install_fhir_js() -> Path:
    """The cache folder with FHIR.js installed in it."""
    with installing("fhir-js"):
        return _install_fhir_js()


def _install_fhir_js() -> Path:
    if (CACHE / "node_modules" / "fhir" / "package.json").exists():
        return CACHE
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        raise RuntimeError("FHIR validation needs Node.js and npm on PATH (the npm package "
                           "`fhir` validates every resource the tests produce); install them "
                           "(Debian: apt-get install nodejs npm)")
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund",
                           "--no-save", PACKAGE], capture_output=True, text=True, timeout=300,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"npm install {PACKAGE} failed:\n{done.stdout}\n{done.stderr}")
    return CACHE


class Validator:
    """One long-lived node process, spoken to a line at a time."""

    def __init__(self):
        folder = install_fhir_js()
        self._process = subprocess.Popen(
            [shutil.which("node"), str(SCRIPT)], cwd=folder, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env={"NODE_PATH": str(folder / "node_modules"),
                                                    "PATH": "/usr/bin:/bin"})
        self._lock = threading.Lock()
        self.checked = 0

    def fhir_js(self, resource: dict) -> list[dict]:
        with self._lock:
            self._process.stdin.write(json.dumps(resource) + "\n")
            self._process.stdin.flush()
            result = json.loads(self._process.stdout.readline())
        return [m for m in result["messages"] if m.get("severity") == "error"]

    def check(self, resource: dict) -> None:
        errors = self.fhir_js(resource)
        if errors:
            raise ResourceInvalid(f"FHIR.js refuses this {resource.get('resourceType')}: "
                                  f"{errors}\n{json.dumps(resource)[:3000]}")
        try:
            # Strict (the default): any unknown element, wrong type or missing one raises.
            FHIRElementFactory.instantiate(resource["resourceType"], resource)
        except (FHIRValidationError, KeyError, TypeError) as refused:
            raise ResourceInvalid(f"fhirclient refuses this {resource.get('resourceType')}: "
                                  f"{refused}\n{json.dumps(resource)[:3000]}") from None
        self.checked += 1

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait(timeout=10)
