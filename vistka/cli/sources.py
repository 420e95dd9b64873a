"""`vistka sources`: the outlets vistka polls, with their health."""

from __future__ import annotations

import click

from vistka.cli.base import no_such, setup_django, source_names
from vistka.config.choices import DEFAULT_LICENCE_MODE, LICENCE_MODES

LICENCES = click.Choice(list(LICENCE_MODES))


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per source (see `list --json`).")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """Manage the outlets vistka polls (without a subcommand: the health table)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_sources, as_json=as_json)


@sources.command("list")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object a line per source: name, url, state, last_polled, last_success, "
                   "consecutive_failures, last_error, entries_stored, and more (docs/sources.md).")
def list_sources(as_json: bool = False) -> None:
    """Health per source: state, last success, failures, new articles a day, next poll, last error."""
    setup_django()
    if as_json:
        import json

        from vistka.desk.sourcelist import health_records

        for record in health_records():
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    from vistka.desk.sourcelist import health_rows

    rows = health_rows()
    if not rows:
        click.echo("no sources yet; add one with `vistka sources add URL` or `vistka sources load-edition ukraine`")
        return
    click.echo(format_table(rows))


def format_table(rows: list[dict[str, str]], last_width: int = 70) -> str:
    columns = list(rows[0])
    cells = [[row[c] if c != columns[-1] else _shorten(row[c], last_width) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@sources.command("add")
@click.argument("args", nargs=-1, required=True)
@click.option("--name", help="Source name (default: the site's title).")
@click.option("--language", help="Language of the outlet's articles, e.g. uk (default: the page's lang).")
@click.option("--homepage", default="", help="The outlet's home page (default: found).")
@click.option("--licence", "licence_mode", type=LICENCES, default=DEFAULT_LICENCE_MODE, show_default=True)
@click.option("--no-discover", is_flag=True, help="Take the URL as the feed without checking it.")
@click.option("--timezone", "timezone_name", default=None,
              help="IANA time zone of the outlet's dates that give none, e.g. Europe/Kyiv (default: VISTKA_TIME_ZONE).")
def add_source(args: tuple[str, ...], name: str | None, language: str | None, homepage: str,
               licence_mode: str, no_discover: bool, timezone_name: str | None) -> None:
    """Add (or update) a source: `add URL` finds the feed or sitemap of a home page; `add NAME URL` also works."""
    if len(args) > 2:
        raise click.UsageError("give URL, or NAME URL")
    name, url = (args[0], args[1]) if len(args) == 2 else (name, args[0])
    setup_django()
    from vistka.desk.sourcelist import SourceListError, save_source

    feed_url, found_title, found_language = url, "", ""
    if not no_discover:
        from vistka.pipeline.fetch import FetchPolicy
        from vistka.pipeline.sources import DiscoveryError, discover

        try:
            found = discover(url, FetchPolicy.from_settings())
        except DiscoveryError as error:
            raise click.ClickException(str(error)) from None
        feed_url, found_title, found_language = found.feed_url, found.title, found.language
        homepage = homepage or found.homepage
        click.echo(f"found a {found.kind}: {feed_url}")
    name = name or found_title or url
    language = language or found_language
    if not language:
        raise click.ClickException("the page does not say its language; give --language (e.g. uk)")
    try:
        source, created = save_source(name[:200], feed_url, language, homepage, licence_mode,
                                      timezone_name=timezone_name)
    except SourceListError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"source {source.name!r} {'added' if created else 'updated'}; "
               f"poll it now with `vistka fetch --source {source.name!r}`")


def _set_active(name: str, active: bool) -> None:
    setup_django()
    from vistka.core.events import content_changed
    from vistka.core.models import Source

    if not Source.objects.filter(name=name).update(active=active):
        raise no_such("source named", name, source_names(), "see `vistka sources list`")
    content_changed()
    click.echo(f"{name}: {'resumed' if active else 'paused'}")


@sources.command("pause")
@click.argument("name")
def pause(name: str) -> None:
    """Stop polling a source (its articles stay published)."""
    _set_active(name, False)


@sources.command("resume")
@click.argument("name")
def resume(name: str) -> None:
    """Poll a paused source again."""
    _set_active(name, True)


@sources.command("remove")
@click.argument("name")
@click.confirmation_option(prompt="Remove the source AND all its articles?")
def remove(name: str) -> None:
    """Delete a source and its articles (pause it instead to keep them)."""
    setup_django()
    from vistka.core.events import content_changed
    from vistka.core.models import Article, Source

    articles = list(Article.objects.filter(source__name=name).values_list("pk", flat=True))
    deleted, _ = Source.objects.filter(name=name).delete()
    if not deleted:
        raise no_such("source named", name, source_names(), "see `vistka sources list`")
    content_changed(articles, everywhere=True)
    click.echo(f"{name}: removed")


@sources.command("import-opml")
@click.argument("file", type=click.File("rb"))
@click.option("--language", default="", help="Language for outlines that do not give one.")
def import_opml(file, language: str) -> None:
    """Add or update every feed listed in an OPML file."""
    setup_django()
    from vistka.desk.sourcelist import import_outlines
    from vistka.pipeline.sources import OpmlError, read_opml

    try:
        outlines = read_opml(file.read())
    except OpmlError as error:
        raise click.ClickException(str(error)) from None
    created, updated, problems = import_outlines(outlines, language.lower())
    for problem in problems:
        click.echo(f"skipped {problem}", err=True)
    click.echo(f"{created} sources added, {updated} updated, {len(problems)} skipped")


@sources.command("export-opml")
@click.argument("file", type=click.File("wb"), default="-")
def export_opml(file) -> None:
    """Write every source as OPML (to FILE, default standard output)."""
    setup_django()
    from django.conf import settings

    from vistka.desk.sourcelist import export_outlines
    from vistka.pipeline.sources import write_opml

    file.write(write_opml(export_outlines(), settings.SITE_NAME))


@sources.command("load-edition")
@click.argument("edition")
def load_edition(edition: str) -> None:
    """Add the outlets of a shipped edition, e.g. `ukraine` (Ukraine News Today)."""
    setup_django()
    from vistka.desk.sourcelist import SourceListError, save_source
    from vistka.editions import EditionError
    from vistka.editions import load_edition as read_edition

    try:
        loaded = read_edition(edition)
    except EditionError as error:
        raise click.ClickException(str(error)) from None
    for entry in loaded.sources:
        try:
            save_source(entry.name, entry.feed_url, entry.language, entry.homepage, entry.licence,
                        timezone_name=loaded.timezone)
        except SourceListError as error:
            raise click.ClickException(f"{entry.name}: {error}") from None
        note = "" if entry.checked == "public code" else " (feed URL unconfirmed)"
        click.echo(f"  {entry.name} [{entry.language}, {entry.licence}] {entry.feed_url}{note}")
    click.echo(f"{loaded.title}: {len(loaded.sources)} sources loaded; `vistka run` polls them on schedule")
