"""The Celery application, configured from vistka's settings."""

from __future__ import annotations

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vistka.config.settings")

QUEUES = ("poll", "fetch", "translate")
# One queue per phase of an article's way (vistka/pipeline/processor.py, PHASES).
TASK_ROUTES = {
    "vistka.workers.tasks.poll_source_task": {"queue": "poll"},
    "vistka.workers.tasks.ingest_entry_task": {"queue": "fetch"},
    "vistka.workers.tasks.process_article_task": {"queue": "translate"},
    "vistka.workers.tasks.resume_unfinished_task": {"queue": "translate"},
    "vistka.workers.tasks.settle_task": {"queue": "translate"},
}

app = Celery("vistka")


def configure(broker_url: str, visibility_timeout: int) -> Celery:
    app.conf.update(
        broker_url=broker_url,
        task_ignore_result=True,
        # A task is acknowledged only after it finished, and a worker killed mid-task gives its task
        # back (after the visibility timeout): entries are never lost, only retried.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": visibility_timeout},
        broker_connection_retry_on_startup=True,
        task_default_queue="fetch",
        task_routes=TASK_ROUTES,
        worker_hijack_root_logger=False,
    )
    # Celery's Django fixup closes the database connection after every task (a new PostgreSQL backend,
    # ~10 ms of CPU on both sides, for each of the 3 tasks of an article) unless told to reuse it;
    # Django's own rules (CONN_MAX_AGE, health checks) then decide, as for a web request.
    app.conf.update(CELERY_DB_REUSE_MAX=1_000_000)
    return app


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(**kwargs) -> None:
    from django.db import close_old_connections

    close_old_connections()


def configure_from_settings() -> Celery:
    from django.conf import settings

    if not settings.BROKER_URL:
        raise RuntimeError("VISTKA_BROKER_URL is not set: workers need a broker (e.g. redis://127.0.0.1:6379/0)")
    return configure(settings.BROKER_URL, settings.TASK_VISIBILITY_TIMEOUT)
