"""/docs works without internet: the page names only this server's assets, and they are
served (it loaded Swagger UI from a CDN, so an offline clinic saw a blank page)."""

import re

from fastapi.testclient import TestClient

from services.intake.app import create_app
from shared.settings import Settings


def _docs_client() -> TestClient:
    return TestClient(create_app(Settings(env="test")))  # no lifespan: /docs needs no servers


def test_the_docs_page_refers_to_no_other_host():
    page = _docs_client().get("/docs")

    assert page.status_code == 200
    assert re.findall(r"(?:https?:)?//[\w.-]+", page.text) == []


def test_every_asset_the_docs_page_names_is_served_from_here():
    client = _docs_client()
    page = client.get("/docs").text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    assets += re.findall(r"""url:\s*['"]([^'"]+)['"]""", page)  # the OpenAPI document

    assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css",
            "/openapi.json"} <= set(assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.content, asset
