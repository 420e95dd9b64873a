"""`vistka worker` and `vistka scheduler`: the distributed mode (PostgreSQL + Celery on Redis)."""

from __future__ import annotations

import os

import click

from vistka.cli.base import setup_django


@click.command()
@click.option("--queues", default="poll,fetch,translate", show_default=True,
              help="Queues this worker takes tasks from (run translation workers apart with --queues translate).")
@click.option("--concurrency", default=2, type=int, show_default=True, help="Tasks run at once by this worker.")
@click.option("--pool", type=click.Choice(["prefork", "threads", "solo"]), default="prefork", show_default=True)
def worker(queues: str, concurrency: int, pool: str) -> None:
    """Start a Celery worker running the pipeline's stage tasks."""
    setup_django(migrate=False, require_schema=True)  # many workers start at once: none migrates
    from vistka.workers import tasks  # noqa: F401  (registers the tasks)
    from vistka.workers.app import configure_from_settings

    app = _configured(configure_from_settings)
    memory = {"django": _rss_mb()}
    if "fetch" in queues.split(","):
        from vistka.pipeline.language import read_in

        read_in()  # the language model, before the first pages need it at once
    memory["models"] = _rss_mb() - memory["django"]
    if "translate" in queues.split(","):
        _warm_story_index()
    memory["index"] = _rss_mb() - memory["django"] - memory["models"]
    # Where a worker's memory goes (`make bench-scale` reads this line).
    click.echo("worker memory: " + " ".join(f"{name}={mb:.0f}" for name, mb in memory.items())
               + f" total={sum(memory.values()):.0f} MB peak={_status_mb('VmHWM'):.0f} MB")
    # Celery's Django fixup runs Django's system checks as the worker starts: they import the site's
    # URL configuration and every view (~16 MB a worker's peak), which a worker never serves. They
    # run where a release is deployed: `vistka manage migrate` (run before the workers start) and
    # `vistka manage check` run them. CELERY_SKIP_CHECKS="" in the environment keeps them here.
    os.environ.setdefault("CELERY_SKIP_CHECKS", "1")
    app.worker_main(["worker", f"--queues={queues}", f"--concurrency={concurrency}", f"--pool={pool}",
                     "--loglevel=INFO", "--without-gossip", "--without-mingle"])


@click.command()
@click.option("--once", is_flag=True, help="Enqueue the sources due now, then exit.")
def scheduler(once: bool) -> None:
    """Run the one scheduler that hands due sources to the workers."""
    setup_django()
    from vistka.workers import scheduler as schedule
    from vistka.workers.app import configure_from_settings

    _configured(configure_from_settings)
    if once:
        click.echo(f"enqueued {len(schedule.enqueue_due_sources())} source(s)")
        return
    schedule.run_forever()


def _warm_story_index() -> None:
    """Build the story index before taking tasks (the pool's processes inherit it), so that the first
    articles are not kept waiting behind the build."""
    import time

    from django.db import connections

    from vistka.pipeline.stories import StoryParams, grouping

    started = time.perf_counter()
    grouping.WARM.sync(StoryParams.from_options())
    connections.close_all()  # no connection may cross into forked pool processes
    click.echo(f"story index: {len(grouping.WARM.index.entries):,} articles in {time.perf_counter() - started:.1f} s")


def _rss_mb() -> float:
    """This process's resident memory now, in MB (Linux; 0 elsewhere)."""
    return _status_mb("VmRSS")


def _status_mb(field: str) -> float:
    """A memory field of /proc/self/status in MB (VmRSS: now, VmHWM: the peak so far; 0 off Linux)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(f"{field}:")) / 1024
    except (OSError, StopIteration):
        return 0.0


def _configured(configure):
    try:
        return configure()
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
