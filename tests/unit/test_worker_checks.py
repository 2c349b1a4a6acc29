"""Workers refuse to start when their Celery settings would break delivery guarantees."""

from __future__ import annotations

import pytest

from shared.worker_checks import guarantee_problems


@pytest.fixture(params=["services.triage.worker", "services.notify.worker"])
def app(request):
    module = __import__(request.param, fromlist=["app"])
    module.app.loader.import_default_modules()
    return module.app


def test_the_shipped_workers_keep_every_guarantee(app):
    assert guarantee_problems(app) == []


@pytest.fixture
def changed_conf(app):
    """Changes the app's configuration for one test and puts it back afterwards."""
    saved = {}

    def change(**values):
        saved.update({k: app.conf[k] for k in values if k not in saved})
        app.conf.update(values)

    yield change
    app.conf.update(saved)


def test_pickle_content_is_refused(app, changed_conf):
    changed_conf(accept_content=["json", "pickle"])
    assert any("JSON only" in p for p in guarantee_problems(app))


def test_early_acknowledgement_is_refused(app, monkeypatch):
    task = next(t for name, t in app.tasks.items() if not name.startswith("celery."))
    monkeypatch.setattr(task, "acks_late", False)
    assert any("acks_late" in p for p in guarantee_problems(app))


def test_a_visibility_timeout_shorter_than_a_task_is_refused(app, changed_conf):
    changed_conf(broker_transport_options={"visibility_timeout": 1})
    assert any("visibility timeout" in p for p in guarantee_problems(app))


def test_acknowledging_a_task_killed_at_its_time_limit_is_refused(app, monkeypatch):
    task = next(t for name, t in app.tasks.items() if not name.startswith("celery."))
    assert task.acks_on_timeout is False  # the shipped setting
    monkeypatch.setattr(task, "acks_on_timeout", True)
    assert any("acks_on_timeout" in p for p in guarantee_problems(app))


def test_each_worker_holds_only_its_own_tasks_when_both_are_imported():
    """Celery tasks are shared with every app by default: with both workers imported in one
    process (the test suite), the triage worker held notify's tasks and judged their time
    limits against its own 30 s visibility timeout."""
    apps = {}
    for name in ("services.notify.worker", "services.triage.worker"):
        module = __import__(name, fromlist=["app"])
        module.app.loader.import_default_modules()
        apps[name] = module.app
    triage_tasks = {t for t in apps["services.triage.worker"].tasks if not t.startswith("celery.")}
    assert triage_tasks == {"triage.cases.evaluate", "triage.rules.replay"}
    assert guarantee_problems(apps["services.triage.worker"]) == []
