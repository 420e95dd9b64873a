"""The single scheduler of the distributed mode: hands due sources to the poll queue."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vistka.pipeline.sources.schedule import due_sources  # the embedded loop's own definition

log = logging.getLogger("vistka.scheduler")


def enqueue_due_sources() -> list[int]:
    """Claim each due source (its next poll time moves on) and enqueue one poll task for it."""
    from vistka.workers.tasks import poll_source_task

    enqueued = []
    with transaction.atomic():
        for source in due_sources():
            source.next_poll_at = timezone.now() + timedelta(seconds=settings.POLL_MIN_INTERVAL)
            source.save(update_fields=["next_poll_at"])
            enqueued.append(source.pk)
    for source_id in enqueued:
        poll_source_task.delay(source_id)
    return enqueued


def run_forever(tick: int | None = None) -> None:
    from vistka.workers.tasks import resume_unfinished_task

    tick = tick or settings.SCHEDULER_TICK
    while True:
        enqueued = enqueue_due_sources()
        if enqueued:
            log.info("enqueued %d source(s) for polling", len(enqueued))
            resume_unfinished_task.delay()
        time.sleep(tick)
