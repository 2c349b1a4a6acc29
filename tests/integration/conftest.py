"""API clients for the integration tests, signed in as the role a test needs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.intake.app import create_app
from tests.integration.auth_helpers import staff_headers


@pytest.fixture
def app_client(settings, clean_database):
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def client(app_client, engine):
    """Signed in as front-desk staff, who register patients and enter forms and exams."""
    app_client.headers.update(staff_headers(app_client, engine, "front_desk"))
    return app_client


@pytest.fixture
def clinician(app_client, engine) -> dict[str, str]:
    """Headers of a signed-in clinician, for requests that need the decision."""
    return staff_headers(app_client, engine, "clinician")
