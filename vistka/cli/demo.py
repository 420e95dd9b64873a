"""`vistka demo`: serve the bundled sample outlets locally, ingest them, and serve the site."""

from __future__ import annotations

import os

import click

from vistka.cli.base import setup_django


@click.command()
@click.option("--port", default=8000, type=int, show_default=True, help="Port of the news site.")
@click.option("--outlets-port", default=8001, type=int, show_default=True,
              help="Port of the sample outlets (fixed, so article URLs stay the same between runs).")
@click.option("--serve/--no-serve", default=True, help="Serve the site after ingesting.")
def demo(port: int, outlets_port: int, serve: bool) -> None:
    """Ingest the bundled sample outlets from a local server, then serve the site."""
    # The sample outlets live on 127.0.0.1, which the fetch guard refuses unless allowed.
    allowed = os.environ.get("VISTKA_FETCH_ALLOW_HOSTS", "")
    os.environ["VISTKA_FETCH_ALLOW_HOSTS"] = ",".join(filter(None, [allowed, "127.0.0.1"]))
    os.environ.setdefault("VISTKA_FETCH_HOST_DELAY", "0")  # our own local server needs no politeness delay
    setup_django()
    from vistka.pipeline.run import run_once
    from vistka.samples.server import SampleOutletServer

    with SampleOutletServer(port=outlets_port) as outlets:
        click.echo(f"sample outlets at {outlets.base_url}")
        sources = configure_sample_sources(outlets.base_url)
        for report in run_once(sources, progress=True):
            click.echo(f"{report.source}: {report.error or f'{report.new} new of {report.entries} entries'}")
        if serve:
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
            click.echo(f"news site at http://127.0.0.1:{port}/ (Ctrl-C stops)")
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)


def configure_sample_sources(base_url: str) -> list:
    """Create or update one Source per bundled outlet, pointing at the local sample server."""
    from vistka.core.models import Source
    from vistka.samples.server import outlets

    sources = []
    for outlet in outlets():
        source, _ = Source.objects.update_or_create(
            name=outlet["name"],
            defaults={"homepage": base_url + outlet["homepage"], "feed_url": base_url + outlet["feed"],
                      "language": outlet["language"], "licence_mode": outlet.get("licence", "full"),
                      "active": True},
        )
        sources.append(source)
    return sources
