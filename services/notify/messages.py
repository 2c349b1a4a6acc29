"""Patient messages from template files: `templates/<language>/<template>.<channel>.txt`.

A message carries only what the patient needs: a greeting, the minimum text and signed links.
Never a diagnosis, history or findings: email and SMS are not private enough for them.
An email template's first line is its subject; an SMS template is all body.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str | None
    body: str
    # The one-click opt-out link (RFC 8058) an email carries in its List-Unsubscribe header.
    unsubscribe_url: str | None = None


def template_path(template: str, language: str, channel: str) -> Path:
    """The patient's language ("es-MX" tries "es-MX", then "es"), else English."""
    for candidate in (language, language.split("-")[0], DEFAULT_LANGUAGE):
        path = TEMPLATES / candidate / f"{template}.{channel}.txt"
        if path.exists():
            return path
    raise FileNotFoundError(f"no {channel} template {template!r}")


def render(template: str, language: str, channel: str, **values: str) -> RenderedMessage:
    text = template_path(template, language, channel).read_text(encoding="utf-8")
    if channel != "email":
        return RenderedMessage(subject=None, body=text.strip().format(**values))
    subject, _, body = text.partition("\n")
    return RenderedMessage(subject=subject.strip(), body=body.format(**values))
