"""Commands for the editor's desk: editor accounts, API tokens, and resumable re-translation."""

from __future__ import annotations

import click

from vistka.cli.base import no_such, setup_django, source_names


@click.command()
@click.argument("username")
@click.option("--email", default="", help="The editor's address (never shown on the site or in the API).")
@click.password_option(help="Asked for when not given.")
def createeditor(username: str, email: str, password: str) -> None:
    """Create a staff account in the `editor` group: runs the desk, cannot manage users."""
    setup_django()
    from vistka.desk.editors import create_editor

    try:
        create_editor(username, email, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"editor {username!r} created; they sign in at /admin/")


@click.command()
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for.")
def apitoken(username: str, name: str) -> None:
    """Make an API token acting as USERNAME (shown once; revoke it in the admin)."""
    setup_django()
    from django.contrib.auth.models import User

    from vistka.api.auth import issue_token

    user = User.objects.filter(username=username, is_staff=True).first()
    if user is None:
        staff = list(User.objects.filter(is_staff=True).values_list("username", flat=True))
        raise no_such("staff user named", username, staff, "create one with `vistka createeditor`")
    click.echo(issue_token(user, name))


@click.command()
@click.option("--source", "source_name", help="Only this source's articles.")
@click.option("--restart", is_flag=True, help="Forget an interrupted run and start from the first article.")
def retranslate(source_name: str | None, restart: bool) -> None:
    """Translate stored articles again (e.g. after installing a better model). Ctrl-C stops; run again to resume."""
    setup_django()
    from vistka.desk.retranslate import retranslate_articles

    if source_name is not None and source_name not in source_names():
        raise no_such("source named", source_name, source_names(), "see `vistka sources list`")
    outcome = retranslate_articles(source_name, restart=restart, progress=True)
    if outcome.resumed_from:
        click.echo(f"resumed after article {outcome.resumed_from}")
    if outcome.interrupted:
        raise click.ClickException(f"interrupted after {outcome.done} of {outcome.total}; "
                                   "run the same command again to resume")
    click.echo(f"{outcome.done} article(s) re-translated")


@click.command("localise-images")
@click.option("--source", "source_name", help="Only this source's articles.")
def localise_images(source_name: str | None) -> None:
    """Copy the pictures of articles stored with the outlet's picture addresses to our /media/ (and
    drop those that cannot be had, with their captions): readers never load a picture from an outlet."""
    setup_django()
    from vistka.core.models import Article
    from vistka.pipeline.run import localise_stored_images

    articles = Article.objects.filter(body_html__contains="<img") | Article.objects.exclude(image_url="").filter(
        image_file="")
    if source_name:
        articles = articles.filter(source__name=source_name)
    changed = localise_stored_images(articles.distinct().iterator(chunk_size=200))
    click.echo(f"{changed} article(s) now show only our own pictures")
