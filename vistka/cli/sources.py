"""`vistka sources`: list and add the outlets vistka polls."""

from __future__ import annotations

import click

from vistka.cli.base import setup_django


@click.group()
def sources() -> None:
    """Manage the outlets vistka polls."""


@sources.command("list")
def list_sources() -> None:
    """One line per source."""
    setup_django()
    from vistka.core.models import Source

    for source in Source.objects.all():
        flag = "active" if source.active else "paused"
        click.echo(f"{source.name}\t{source.language}\t{source.licence_mode}\t{flag}\t{source.feed_url}")


@sources.command("add")
@click.argument("name")
@click.argument("feed_url")
@click.option("--language", required=True, help="Language of the outlet's articles, e.g. uk.")
@click.option("--homepage", default="", help="The outlet's home page.")
@click.option("--licence", "licence_mode", type=click.Choice(["full", "excerpt", "link"]), default="full")
def add_source(name: str, feed_url: str, language: str, homepage: str, licence_mode: str) -> None:
    """Add (or update) a source by its RSS/Atom feed URL."""
    setup_django()
    from django.core.exceptions import ValidationError

    from vistka.core.models import Source

    source = Source.objects.filter(name=name).first() or Source(name=name)
    source.feed_url, source.language, source.homepage, source.licence_mode = feed_url, language, homepage, licence_mode
    try:
        source.full_clean()
    except ValidationError as error:
        raise click.ClickException("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
    source.save()
    click.echo(f"source {name!r} saved; poll it now with `vistka fetch --source {name!r}`")
