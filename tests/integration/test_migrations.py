"""The migrations build exactly the schema the models describe, and unwind cleanly."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import shared.models
from shared.audit_partitions import include_name
from shared.db import sync_url
from tests.fixtures.database import alembic_config, create_database, drop_database

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_database(postgres_server_url):
    name = f"clinic_migrations_{uuid.uuid4().hex[:8]}"
    url = create_database(postgres_server_url, name)
    yield url
    drop_database(postgres_server_url, name)


def schema_differences(url: str) -> list:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name})
            return compare_metadata(context, shared.models.metadata)
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_head_on_an_empty_database_matches_the_models_exactly(empty_database):
    command.upgrade(alembic_config(empty_database), "head")

    assert schema_differences(empty_database) == []
    assert set(shared.models.metadata.tables) <= table_names(empty_database)


def test_downgrade_base_removes_every_table_and_upgrade_works_again(empty_database):
    config = alembic_config(empty_database)
    command.upgrade(config, "head")

    command.downgrade(config, "base")
    assert table_names(empty_database) <= {"alembic_version"}

    command.upgrade(config, "head")
    assert schema_differences(empty_database) == []
