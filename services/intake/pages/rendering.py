"""Templates, translations and the CSRF token every page form carries."""

from __future__ import annotations

import json
from functools import lru_cache, partial
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from services.intake.auth.dependencies import CSRF_COOKIE
from services.intake.pages.formatting import clinic_iso, clinic_time

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
I18N_DIR = HERE / "i18n"
LANG_COOKIE = "clinic_lang"
DEFAULT_LANGUAGE = "en"

templates = Jinja2Templates(directory=HERE / "templates")


@lru_cache
def catalogs() -> dict[str, dict[str, str]]:
    """Every translation file in i18n/: adding a language is adding `<code>.json`."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(I18N_DIR.glob("*.json"))}


def language_of(request: Request) -> str:
    known = catalogs()
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in known:
            return candidate
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in known:
            return code
    return DEFAULT_LANGUAGE


def translator(language: str):
    chosen, fallback = catalogs().get(language, {}), catalogs()[DEFAULT_LANGUAGE]

    def t(key: str, **values) -> str:
        text = chosen.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return t


def render(request: Request, name: str, status_code: int = 200, **context):
    language = context.pop("language", None) or language_of(request)
    response = templates.TemplateResponse(request, name, {
        "t": translator(language), "language": language,
        "languages": {code: catalog.get("language.name", code)
                      for code, catalog in catalogs().items()},
        "csrf_token": csrf_token(request), **clinic_clock(request), **context},
        status_code=status_code)
    if request.query_params.get("lang") == language:
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def clinic_clock(request: Request) -> dict:
    """Times on a page are the clinic's (CLINIC_TIMEZONE), with the zone named."""
    zone_name = request.app.state.settings.timezone

    def local_time(moment, pattern: str = "%d %b %H:%M") -> str:
        return clinic_time(moment, zone_name, pattern)

    return {"clinic_time": local_time, "clinic_iso": partial(clinic_iso, zone_name=zone_name)}


def csrf_token(request: Request) -> str:
    """The double-submit token, echoed in each form; a page that has just set the cookie
    stores the new value in request.state first."""
    return getattr(request.state, "csrf_token", None) or request.cookies.get(CSRF_COOKIE, "")
