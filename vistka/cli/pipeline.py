"""Day-to-day operator commands: fetch, status, serve, and Django's own management commands."""

from __future__ import annotations

import click

from vistka.cli.base import no_such, setup_django, source_names

SOME_SOURCES_FAILED = 3  # `vistka fetch`'s exit status when it polled every source and some failed


@click.command()
@click.option("--source", "source_name", help="Poll only the source with this name.")
def fetch(source_name: str | None) -> None:
    """Poll every active source once (or one source) and process new articles.

    Every source is polled whatever happens to the others. Exit status: 0 when every poll succeeded,
    3 when some failed (each is listed, with its reason, and recorded in `vistka sources list`)."""
    setup_django()
    from vistka.core.models import Source
    from vistka.pipeline.garbage import tune_for_the_pipeline
    from vistka.pipeline.run import run_once

    tune_for_the_pipeline()
    sources = None
    if source_name:
        sources = list(Source.objects.filter(name=source_name))
        if not sources:
            raise no_such("source named", source_name, source_names(), "see `vistka sources list`")
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
    """Poll every source on its own schedule and serve the site, in one command.

    The scheduler polls in this process; the site is served by gunicorn worker processes beside it.
    """
    import threading

    setup_django()
    from django.conf import settings

    from vistka.cli.webserver import check_platform, serve_site
    from vistka.pipeline.garbage import tune_for_the_pipeline
    from vistka.pipeline.loop import run_scheduler

    if web:
        check_platform()
    tune_for_the_pipeline()  # this process polls; the site is gunicorn's processes
    stop = threading.Event()
    scheduler = threading.Thread(target=run_scheduler, args=(stop,), name="vistka-scheduler", daemon=True)
    scheduler.start()
    click.echo("scheduler started: each source is polled when due (see `vistka sources list`)")
    status = 0
    try:
        if web:
            click.echo(f"news site at http://{host}:{port}/ (gunicorn; Ctrl-C stops both)")
            status = serve_site(host, port, settings.WEB_WORKERS)
        else:
            while scheduler.is_alive():
                scheduler.join(timeout=1)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
    if status:
        raise click.ClickException(f"the web server stopped with status {status}")


@click.command()
def status() -> None:
    """Sources' health, article counts, and why held articles wait."""
    setup_django()
    from vistka.desk.status import status_lines

    for line in status_lines():
        click.echo(line)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, type=int, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the site with gunicorn (VISTKA_WEB_WORKERS worker processes), as in production."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from vistka.cli.webserver import check_platform, serve_site

    check_platform()
    # Hashed, pre-compressed static files (whitenoise serves them with far-future cache headers).
    call_command("collectstatic", interactive=False, verbosity=0)
    click.echo(f"news site at http://{host}:{port}/ (gunicorn; Ctrl-C stops)")
    status = serve_site(host, port, settings.WEB_WORKERS)
    if status:
        raise click.ClickException(f"the web server stopped with status {status}")


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Run a Django management command, e.g. `vistka manage createsuperuser` (on a new data directory
    the database is migrated first)."""
    from vistka.cli.base import needs_migrate_first

    setup_django(migrate=needs_migrate_first(ctx.args))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vistka manage", *ctx.args])
