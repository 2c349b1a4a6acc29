"""Patient messages from template files, one folder per language.

A message carries only what the patient needs: a greeting and a link. Never a diagnosis,
history or findings: email and SMS are not private enough for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


def render(template: str, language: str, **values: str) -> RenderedMessage:
    path = TEMPLATES / language / f"{template}.txt"
    if not path.exists():
        path = TEMPLATES / DEFAULT_LANGUAGE / f"{template}.txt"
    subject, _, body = path.read_text(encoding="utf-8").partition("\n")
    return RenderedMessage(subject=subject.strip(), body=body.format(**values))
