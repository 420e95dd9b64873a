"""`vistka worker` as it starts: what it tells Celery, and the memory line `make bench-scale` reads."""

from __future__ import annotations

import os
import re

import pytest
from celery import Celery
from celery.fixups.django import DjangoWorkerFixup
from click.testing import CliRunner

from vistka.cli import main


@pytest.mark.django_db
def test_a_worker_leaves_the_sites_system_checks_to_the_deployment_and_prints_its_memory(monkeypatch):
    # An app of its own (vistka's shared one keeps its configuration), whose loop is never started.
    monkeypatch.setattr("vistka.workers.app.configure_from_settings", lambda: Celery("worker-command-test"))
    monkeypatch.delenv("CELERY_SKIP_CHECKS", raising=False)
    started = {}
    monkeypatch.setattr(Celery, "worker_main", lambda app, argv: started.update(app=app, argv=argv))

    result = CliRunner().invoke(main, ["worker", "--queues", "poll"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "--queues=poll" in started["argv"]
    assert re.search(r"worker memory: django=\d+ models=\d+ index=\d+ total=\d+ MB peak=\d+ MB", result.output)
    # Celery's Django fixup, as the worker would run it now: no system checks (they import the site).
    checks = []
    monkeypatch.setattr("django.core.checks.run_checks", lambda *args, **kwargs: checks.append(1) or [])
    DjangoWorkerFixup(started["app"]).validate_models()
    assert checks == []
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "")  # an operator who wants them
    DjangoWorkerFixup(started["app"]).validate_models()
    assert checks == [1]
    assert os.environ["CELERY_SKIP_CHECKS"] == ""
