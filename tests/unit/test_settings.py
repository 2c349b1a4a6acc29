import pytest
from pydantic import ValidationError

from shared.settings import DEV_SECRET_PLACEHOLDER, Settings


@pytest.mark.parametrize("secret", ["", DEV_SECRET_PLACEHOLDER])
def test_production_refuses_to_start_with_a_missing_or_default_secret_key(secret):
    with pytest.raises(ValidationError, match="CLINIC_SECRET_KEY"):
        Settings(env="production", secret_key=secret)


def test_production_starts_with_a_real_secret_key():
    assert Settings(env="production", secret_key="a-real-secret-from-the-vault").env == "production"


def test_local_mode_tolerates_the_placeholder_for_development():
    assert Settings(env="local", secret_key=DEV_SECRET_PLACEHOLDER).secret_key
