"""The check-in page says how many questions it asks, in every language (it said "four quick
questions" and asked five)."""

from __future__ import annotations

import re

import pytest

from services.intake.pages.rendering import catalogs
from tests.integration.decision_helpers import check_in_headers, owed_check_in, triage
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration

NUMBER_WORDS = {"en": ("one", "two", "three", "four", "five", "six", "seven"),
                "es": ("una", "dos", "tres", "cuatro", "cinco", "seis", "siete")}


@pytest.mark.parametrize("language", sorted(catalogs()))
def test_the_check_in_intro_counts_the_questions_the_page_asks(client, engine, settings,
                                                               language):
    patient = create_patient(client)
    case = submit_intake(client, patient["id"])
    triage(engine, case["id"], "intake_submitted")
    headers = check_in_headers(settings, patient["id"], case["id"],
                               owed_check_in(engine, case["id"]))

    page = client.get(f"/check-in?lang={language}", headers=headers).text

    asked = len(re.findall(r'class="question[ "]', page))
    intro = catalogs()[language]["checkin.intro"].split(".")[0].lower()
    said = [n for n, word in enumerate(NUMBER_WORDS[language], 1) if word in intro.split()]
    assert said == [asked], (intro, asked)
