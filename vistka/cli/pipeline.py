"""Day-to-day operator commands: fetch, status, serve, and Django's own management commands."""

from __future__ import annotations

import click

from vistka.cli.base import no_such, setup_django, source_names


@click.command()
@click.option("--source", "source_name", help="Poll only the source with this name.")
def fetch(source_name: str | None) -> None:
    """Poll every active source once (or one source) and process new articles."""
    setup_django()
    from vistka.core.models import Source
    from vistka.pipeline.run import run_once

    sources = None
    if source_name:
        sources = list(Source.objects.filter(name=source_name))
        if not sources:
            raise no_such("source named", source_name, source_names(), "see `vistka sources list`")
    for report in run_once(sources, progress=True):
        if report.error:
            click.echo(f"{report.source}: FAILED — {report.error}")
        elif report.not_modified:
            click.echo(f"{report.source}: not modified since the last poll")
        else:
            click.echo(f"{report.source}: {report.entries} entries, {report.new} new, {report.failed} failed")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, type=int, show_default=True)
@click.option("--web/--no-web", default=True, help="Also serve the site (default), or only poll.")
def run(host: str, port: int, web: bool) -> None:
    """Poll every source on its own schedule and serve the site, in one process."""
    import threading

    setup_django()
    from vistka.pipeline.schedule import run_scheduler

    stop = threading.Event()
    scheduler = threading.Thread(target=run_scheduler, args=(stop,), name="vistka-scheduler", daemon=True)
    scheduler.start()
    click.echo("scheduler started: each source is polled when due (see `vistka sources list`)")
    try:
        if web:
            from django.core.management import call_command

            call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
        else:
            while scheduler.is_alive():
                scheduler.join(timeout=1)
    finally:
        stop.set()


@click.command()
def status() -> None:
    """Sources' health, article counts, and why held articles wait."""
    setup_django()
    from vistka.core.status import status_lines

    for line in status_lines():
        click.echo(line)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, type=int, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the site with Django's threaded server (the embedded default and the demo)."""
    setup_django()
    from django.core.management import call_command

    # Hashed, pre-compressed static files (whitenoise serves them with far-future cache headers).
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Run a Django management command, e.g. `vistka manage createsuperuser` (on a new data directory
    the database is migrated first)."""
    from vistka.cli.base import needs_migrate_first

    setup_django(migrate=needs_migrate_first(ctx.args))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vistka manage", *ctx.args])
