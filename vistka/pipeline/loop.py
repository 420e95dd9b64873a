"""The embedded runner's loop (`vistka run`): poll the sources that are due (sources/schedule.py says
when), now and then carry on with held articles, sleep until the next source is due; until stopped.

Here, beside run.py, and not in the sources stage: it drives the runner, which the stages never import.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from django.utils import timezone

from vistka.core.models import Source
from vistka.pipeline.sources.schedule import due_sources

log = logging.getLogger("vistka.schedule")
RESUME_EVERY = 900.0  # seconds between two retries of held articles in `vistka run`


def run_due(now: datetime | None = None) -> list:
    """Poll every due source once; returns their PollReports. poll_sources catches each source's own
    failures (fault isolation), so one bad source never ends the pass for the ones after it."""
    from vistka.pipeline.fetch import FetchPolicy
    from vistka.pipeline.run import poll_sources

    return poll_sources(due_sources(now), FetchPolicy.from_settings())


def seconds_until_next(now: datetime | None = None, cap: float = 60.0) -> float:
    now = now or timezone.now()
    upcoming = Source.objects.filter(active=True, next_poll_at__isnull=False).order_by("next_poll_at").first()
    if upcoming is None:
        return cap
    return min(max((upcoming.next_poll_at - now).total_seconds(), 1.0), cap)


def run_scheduler(stop: threading.Event, cap: float = 60.0, resume_every: float = RESUME_EVERY) -> None:
    """Poll due sources until `stop` is set; never dies on one bad pass. Now and then it also carries
    on with held articles (e.g. interrupted between storing and publishing)."""
    from django.db import close_old_connections

    from vistka.pipeline.run import resume_unfinished, step_back_for_readers

    # This thread and what it starts run at VISTKA_PIPELINE_NICE; not the session: `vistka run` serves
    # the site from the same session.
    step_back_for_readers(session=False)
    last_resume = 0.0
    while not stop.is_set():
        close_old_connections()  # a long-lived thread must not keep a dead database connection
        try:
            for report in run_due():
                log.info("%s: %s", report.source, report.error or f"{report.new} new of {report.entries}")
            if time.monotonic() - last_resume >= resume_every:
                last_resume = time.monotonic()
                resume_unfinished()  # each held article isolated: one that keeps failing is quarantined
        except Exception:  # one broken pass must not end the scheduler of a long-running process
            log.exception("scheduler pass failed; trying again later")
        stop.wait(seconds_until_next(cap=cap))
