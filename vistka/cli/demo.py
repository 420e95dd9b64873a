"""`vistka demo`: serve the bundled sample outlets locally, ingest them, and serve the site."""

from __future__ import annotations

import contextlib
import os

import click

from vistka.cli.base import setup_django
from vistka.config.choices import DEFAULT_LICENCE_MODE


@click.command()
@click.option("--port", default=8000, type=int, show_default=True, help="Port of the news site.")
@click.option("--outlets-port", default=8001, type=int, show_default=True,
              help="Port of the sample outlets (fixed, so article URLs stay the same between runs).")
@click.option("--outlets-url", default="", help="Use sample outlets already served at this URL instead.")
@click.option("--serve/--no-serve", default=True, help="Serve the site after ingesting.")
@click.option("--queue", is_flag=True, help="Hand the polls to Celery workers (VISTKA_BROKER_URL) instead.")
def demo(port: int, outlets_port: int, outlets_url: str, serve: bool, queue: bool) -> None:
    """Ingest the bundled sample outlets from a local server, then serve the site."""
    # The sample outlets live on 127.0.0.1, which the fetch guard refuses unless allowed.
    allowed = os.environ.get("VISTKA_FETCH_ALLOW_HOSTS", "")
    os.environ["VISTKA_FETCH_ALLOW_HOSTS"] = ",".join(filter(None, [allowed, "127.0.0.1"]))
    os.environ.setdefault("VISTKA_FETCH_HOST_DELAY", "0")  # our own local server needs no politeness delay
    setup_django()
    from vistka.samples.server import SampleOutletServer

    server = contextlib.nullcontext() if outlets_url else SampleOutletServer(port=outlets_port)
    with server as outlets:
        base_url = outlets_url.rstrip("/") or outlets.base_url
        click.echo(f"sample outlets at {base_url}")
        sources = configure_sample_sources(base_url)
        if queue:
            enqueue_polls(sources)
        else:
            ingest_now(sources)
        if serve:
            from django.conf import settings
            from django.core.management import call_command

            from vistka.cli.webserver import serve_site

            call_command("collectstatic", interactive=False, verbosity=0)
            click.echo(f"news site at http://127.0.0.1:{port}/ (Ctrl-C stops)")
            # The sample outlets keep running in this process while gunicorn serves the site.
            with contextlib.suppress(KeyboardInterrupt):
                serve_site("127.0.0.1", port, settings.WEB_WORKERS)


def ingest_now(sources: list) -> None:
    from vistka.pipeline.run import run_once

    for report in run_once(sources, progress=True):
        click.echo(f"{report.source}: {report.error or f'{report.new} new of {report.entries} entries'}")


def enqueue_polls(sources: list) -> None:
    from vistka.core.models import Source
    from vistka.workers.app import configure_from_settings
    from vistka.workers.scheduler import enqueue_due_sources

    try:
        configure_from_settings()
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    Source.objects.filter(pk__in=[source.pk for source in sources]).update(next_poll_at=None)
    click.echo(f"enqueued {len(enqueue_due_sources())} source(s) for the workers")


def configure_sample_sources(base_url: str) -> list:
    """Create or update one Source per bundled outlet, pointing at the local sample server."""
    from vistka.core.models import Source
    from vistka.samples.server import outlets

    sources = []
    for outlet in outlets():
        source, _ = Source.objects.update_or_create(
            name=outlet["name"],
            defaults={"homepage": base_url + outlet["homepage"], "feed_url": base_url + outlet["feed"],
                      "language": outlet["language"], "licence_mode": outlet.get("licence", DEFAULT_LICENCE_MODE),
                      "active": True},
        )
        sources.append(source)
    return sources
