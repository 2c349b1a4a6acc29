import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.patient_links import ExpiredLink, InvalidLink, PatientLink, read_link, sign_link

KEY = "unit-test-secret"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def link() -> PatientLink:
    return PatientLink(patient_id=uuid.uuid4(), purpose="check_in", follow_up_id=uuid.uuid4())


def test_a_signed_link_reads_back_to_the_same_patient_and_purpose():
    original = link()
    assert read_link(KEY, sign_link(KEY, original, NOW), now=NOW + timedelta(days=1)) == original


def test_a_tampered_link_is_refused():
    token = sign_link(KEY, link(), NOW)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(InvalidLink):
        read_link(KEY, tampered, now=NOW)


def test_a_link_signed_with_another_key_is_refused():
    with pytest.raises(InvalidLink):
        read_link(KEY, sign_link("other-key", link(), NOW), now=NOW)


def test_a_link_older_than_its_lifetime_has_expired():
    token = sign_link(KEY, link(), NOW)
    with pytest.raises(ExpiredLink):
        read_link(KEY, token, max_age=timedelta(days=14), now=NOW + timedelta(days=15))

