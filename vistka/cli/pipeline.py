"""Day-to-day operator commands: fetch, status, serve, and Django's own management commands."""

from __future__ import annotations

import click

from vistka.cli.base import setup_django

SOME_SOURCES_FAILED = 3  # `vistka fetch`'s exit status when it polled every source and some failed


@click.command()
@click.option("--source", "source_name", help="Poll only the source with this name.")
def fetch(source_name: str | None) -> None:
    """Poll every active source once (or one source) and process new articles.

    Every source is polled whatever happens to the others. Exit status: 0 when every poll succeeded,
    3 when some failed (each is listed, with its reason, and recorded in `vistka sources list`)."""
    setup_django()
    from vistka.core.models import Source
    from vistka.pipeline.run import run_once

    sources = None
    if source_name:
        sources = list(Source.objects.filter(name=source_name))
        if not sources:
            raise click.ClickException(f"no source named {source_name!r}; see `vistka sources list`")
    reports = run_once(sources, progress=True)
    for report in reports:
        if report.error:
            click.echo(f"{report.source}: FAILED — {report.error}")
        elif report.not_modified:
            click.echo(f"{report.source}: not modified since the last poll")
        else:
            quarantined = f", {report.quarantined} quarantined" if report.quarantined else ""
            click.echo(f"{report.source}: {report.entries} entries, {report.new} new, {report.failed} failed"
                       f"{quarantined}")
        if report.note:
            click.echo(f"{report.source}: {report.note}")
    failed = [report for report in reports if report.error]
    click.echo(f"{len(reports)} sources polled: {len(reports) - len(failed)} ok, {len(failed)} failed; "
               f"{sum(r.failed for r in reports)} articles failed, {sum(r.quarantined for r in reports)} quarantined")
    if failed:
        raise SystemExit(SOME_SOURCES_FAILED)


@click.command("retry-quarantined")
@click.option("--source", "source_name", help="Only this source's quarantined articles.")
def retry_quarantined(source_name: str | None) -> None:
    """Give every quarantined article (kept failing, set aside) one fresh try now."""
    setup_django()
    from vistka.core.models import Source
    from vistka.pipeline.run import retry_quarantined as retry

    sources = None
    if source_name:
        sources = list(Source.objects.filter(name=source_name))
        if not sources:
            raise click.ClickException(f"no source named {source_name!r}; see `vistka sources list`")
    retried = retry(sources)
    for article in retried:
        reason = f" — {article.error}" if article.error else ""
        click.echo(f"{article.url}: {article.status}{reason}")
    click.echo(f"{len(retried)} quarantined articles retried")


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
    """Run a Django management command, e.g. `vistka manage createsuperuser`."""
    setup_django(migrate=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vistka manage", *ctx.args])
